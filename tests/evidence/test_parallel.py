"""Photos from many teachers are inspected side by side: concurrent inspections give each photo
its own verdict, a bomb is still refused whatever the warning filters say, and the process's
warning filters are left as they were (no decode swaps them under another's feet)."""

from __future__ import annotations

import asyncio
import struct
import warnings
import zlib
from io import BytesIO

from PIL import Image

from bot.evidence import EvidenceRefused, Inspector, PreparedFile

LIMIT = 20 * 1024 * 1024


def jpeg(seed: int) -> bytes:
    out = BytesIO()
    Image.new("RGB", (300, 200), (seed * 20 % 256, 90, 150)).save(out, format="JPEG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


async def _inspect_all(inspector: Inspector, uploads: list[bytes]) -> list[object]:
    async def one(data: bytes) -> object:
        try:
            return await inspector.inspect(
                data, max_bytes=LIMIT, max_pixels=10**9, accept_pdf=True
            )
        except EvidenceRefused as refusal:
            return refusal

    return await asyncio.gather(*(one(data) for data in uploads))


async def test_many_photos_at_once_each_get_their_own_verdict() -> None:
    uploads = [jpeg(n) if n % 3 else png_claiming(10_000, 10_000) for n in range(24)]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a host that silences warnings must still be safe
        filters_before = list(warnings.filters)
        results = await _inspect_all(Inspector(workers=4), uploads)
        assert warnings.filters == filters_before

    for n, result in enumerate(results):
        if n % 3:
            assert isinstance(result, PreparedFile) and (result.width, result.height) == (300, 200)
        else:
            assert isinstance(result, EvidenceRefused) and result.reason == "bomb"
