"""Inspects an uploaded evidence file before anything stores it.

Teachers send photos of school activities, sometimes as a photo and sometimes as a file whose
name and mime type say nothing useful (an iPhone "Send as File" arrives as
application/octet-stream). So the type is decided from the magic bytes alone; only JPEG, PNG,
WEBP and PDF pass. Images are refused when they claim more pixels than the cap (read from the
header, before any pixel is decoded) or cannot be decoded fully, and are then re-encoded upright
without EXIF, XMP or comments, so a GPS position or a device serial never reaches storage.
A PDF is kept byte for byte once it is found to hold only pages (``bot.pdf_safety``): no
scripts, launch actions or embedded files. The work is CPU-bound and synchronous; ``Inspector``
runs it in worker threads, as many at once as the machine has cores (Pillow and zlib release
the GIL while they decode), and nothing in it is serialized process-wide.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import struct
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING, Any, Final, Literal

from PIL import ExifTags, Image

if TYPE_CHECKING:  # pypdf is imported when a PDF arrives, not at every start
    from bot.pdf_safety import PdfProblem

RefusalReason = Literal[
    "too_large",
    "empty",
    "not_supported",
    "bomb",
    "corrupt",
    "pdf_not_accepted",
    "pdf_unsafe",
    "unavailable",
]

# Which catalogue text tells the teacher about a refusal (handlers/messages.py
# EVIDENCE_REFUSALS): this layer sits below the handlers, so it names the text, never says it.
RefusalText = Literal[
    "empty",
    "too_large",
    "not_supported",
    "bomb",
    "corrupt",
    "pdf_not_accepted",
    "pdf_active",
    "pdf_locked",
    "unavailable",
    "unavailable_slow",
]
# Why a download failed -> which text; reasons as in bot.engine.FileUnavailable.
_UNAVAILABLE_TEXTS: Final[dict[str, RefusalText]] = {
    "not_found": "unavailable",
    "refused": "unavailable",
    "timeout": "unavailable_slow",
    "too_slow": "unavailable_slow",
    "unreachable": "unavailable_slow",
}

_PDF_REFUSALS: Final[dict[PdfProblem, tuple[RefusalReason, RefusalText]]] = {
    "active": ("pdf_unsafe", "pdf_active"),
    "locked": ("pdf_unsafe", "pdf_locked"),
    "corrupt": ("corrupt", "corrupt"),
}

_JPEG_QUALITY: Final = 90
_PDF_EOF_WINDOW: Final = 1024  # the PDF spec lets %%EOF sit anywhere in the last 1024 bytes
_BYTES_PER_MB: Final = 1024 * 1024
# Pillow raises these for broken or truncated data; anything else is a bug worth seeing.
_DECODE_ERRORS: Final = (OSError, SyntaxError, ValueError, EOFError, struct.error)
_TRANSPOSE: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True, slots=True)
class PreparedFile:
    """An accepted upload: the bytes to store and what the bot learned about them.

    ``sha256`` and ``size`` are the upload's (the same photo sent twice is found by them);
    ``stored_sha256`` and ``stored_size`` those of ``data``, the file kept.
    """

    data: bytes
    sha256: str
    mime: str
    extension: str
    size: int
    width: int | None
    height: int | None
    stored_sha256: str = field(init=False)
    stored_size: int = field(init=False)

    def __post_init__(self) -> None:
        # Computed here, in the inspector's worker thread, not later on the event loop.
        object.__setattr__(self, "stored_sha256", hashlib.sha256(self.data).hexdigest())
        object.__setattr__(self, "stored_size", len(self.data))


class EvidenceRefused(Exception):
    """An upload the bot will not store: why, and which catalogue text tells the teacher.

    ``reason`` sorts refusals for the log and the tests; ``text`` names the reply in
    ``handlers.messages.EVIDENCE_REFUSALS`` and ``params`` fills its blanks (``limit_mb``).
    """

    def __init__(
        self, reason: RefusalReason, text: RefusalText | None = None, **params: str
    ) -> None:
        super().__init__(reason)
        self.reason: RefusalReason = reason
        self.text: RefusalText = text if text is not None else _same_text(reason)
        self.params: dict[str, str] = params
        self.detail = ""  # why, in more words, for the log (never shown to the person)

    @classmethod
    def too_large(cls, max_bytes: int) -> EvidenceRefused:
        """The refusal of a file over ``max_bytes``, before or while it is fetched."""
        return cls("too_large", limit_mb=_megabytes(max_bytes))

    @classmethod
    def unavailable(cls, reason: str) -> EvidenceRefused:
        """The refusal of a file that could not be fetched (``FileUnavailable.reason``)."""
        refusal = cls("unavailable", _UNAVAILABLE_TEXTS.get(reason, "unavailable"))
        refusal.detail = reason
        return refusal


def _same_text(reason: RefusalReason) -> RefusalText:
    """The text named like the reason; a reason told in more than one way must name its text."""
    if reason == "pdf_unsafe":
        raise ValueError("a pdf_unsafe refusal names its text: pdf_active or pdf_locked")
    return reason


class Inspector:
    """Runs ``inspect_upload`` off the event loop, at most one per core at a time."""

    def __init__(self, workers: int | None = None) -> None:
        self._slots = asyncio.Semaphore(workers or os.cpu_count() or 1)

    async def inspect(
        self, data: bytes, *, max_bytes: int, max_pixels: int, accept_pdf: bool
    ) -> PreparedFile:
        """``inspect_upload`` in a worker thread, once a core is free."""
        async with self._slots:
            return await asyncio.to_thread(
                inspect_upload,
                data,
                max_bytes=max_bytes,
                max_pixels=max_pixels,
                accept_pdf=accept_pdf,
            )


@dataclass(frozen=True, slots=True)
class _Kind:
    mime: str
    extension: str
    pillow_format: str | None


_JPEG: Final = _Kind("image/jpeg", "jpg", "JPEG")
_PNG: Final = _Kind("image/png", "png", "PNG")
_WEBP: Final = _Kind("image/webp", "webp", "WEBP")
_PDF: Final = _Kind("application/pdf", "pdf", None)


def inspect_upload(
    data: bytes, *, max_bytes: int, max_pixels: int = 40_000_000, accept_pdf: bool = True
) -> PreparedFile:
    """Returns the file ready to store, or raises EvidenceRefused with a reply for the teacher.

    Args:
        data: the bytes exactly as downloaded; the file name and mime type are ignored.
        max_bytes: the largest upload accepted, checked before anything is decoded.
        max_pixels: the largest width * height accepted, read from the image header.
        accept_pdf: whether the item being answered takes a PDF as evidence.
    """
    if max_bytes <= 0 or max_pixels <= 0:
        raise ValueError("max_bytes and max_pixels must be positive")
    if not data:
        raise EvidenceRefused("empty")
    if len(data) > max_bytes:
        raise EvidenceRefused.too_large(max_bytes)
    kind = _sniff(data)
    if kind is None:
        raise EvidenceRefused("not_supported")
    digest = hashlib.sha256(data).hexdigest()
    if kind.pillow_format is None:
        if not accept_pdf:
            raise EvidenceRefused("pdf_not_accepted")
        if b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
            raise EvidenceRefused("corrupt")
        from bot.pdf_safety import pdf_problem

        problem = pdf_problem(data)
        if problem is not None:
            raise EvidenceRefused(*_PDF_REFUSALS[problem])
        return PreparedFile(data, digest, kind.mime, kind.extension, len(data), None, None)
    upright = _decode_upright(data, kind.pillow_format, max_pixels)
    stored = _encode_without_metadata(upright, kind.pillow_format)
    width, height = upright.size
    return PreparedFile(stored, digest, kind.mime, kind.extension, len(data), width, height)


def _sniff(data: bytes) -> _Kind | None:
    """Names the file type from its first bytes, or None when it is not one we take."""
    if data.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _WEBP
    if data.startswith(b"%PDF-"):
        return _PDF
    return None


def _megabytes(size: int) -> str:
    """Formats a byte count as megabytes the Vietnamese way (decimal comma)."""
    return f"{size / _BYTES_PER_MB:.1f}".removesuffix(".0").replace(".", ",")


def _decode_upright(data: bytes, pillow_format: str, max_pixels: int) -> Image.Image:
    """Decodes every pixel after checking the header size, and turns the image upright.

    Nothing here touches the process's warning filters: ``warnings.catch_warnings`` swaps a
    process-wide list, so two decodes in two threads could restore each other's filters, and
    serializing them behind a lock made every decode in the process wait for the one before.
    So Pillow's warnings are not needed to decide anything: the pixel cap is checked here
    against Pillow's own bomb limit too (its warning may be ignored by the caller's filters),
    and where the filters turn a warning into an error the photo is refused as broken or, for
    unreadable EXIF, kept as shot.
    """
    cap = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    try:
        image = Image.open(BytesIO(data), formats=[pillow_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise EvidenceRefused("bomb") from None
    except (*_DECODE_ERRORS, Warning):
        raise EvidenceRefused("corrupt") from None
    with image:
        width, height = image.size
        if width * height > cap:
            raise EvidenceRefused("bomb")
        if width <= 0 or height <= 0:
            raise EvidenceRefused("corrupt")
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise EvidenceRefused("bomb") from None
        except (*_DECODE_ERRORS, Warning):
            raise EvidenceRefused("corrupt") from None
        return _upright(image)


def _upright(image: Image.Image) -> Image.Image:
    """Applies the EXIF (or XMP) orientation to the pixels, as ImageOps.exif_transpose does.

    exif_transpose also rewrites the EXIF block it leaves behind, and Pillow can crash doing
    that on a damaged block; we drop EXIF anyway, so only the pixels are turned here.
    """
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    except (*_DECODE_ERRORS, TypeError, IndexError, KeyError, Warning):
        orientation = 1  # unreadable EXIF: keep the photo as it was taken
    method = _TRANSPOSE.get(orientation) if isinstance(orientation, int) else None
    return image.copy() if method is None else image.transpose(method)


def _encode_without_metadata(image: Image.Image, pillow_format: str) -> bytes:
    """Saves the pixels and colour profile in the original format, and nothing else."""
    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    # Savers copy some keys from info by themselves (the JPEG comment, PNG transparency), so
    # clearing it leaves no path for EXIF, XMP, comments or text chunks into the output.
    image.info.clear()
    options: dict[str, Any] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if pillow_format == "PNG" and transparency is not None:
        options["transparency"] = transparency
    if pillow_format in ("JPEG", "WEBP"):
        options["quality"] = _JPEG_QUALITY
    out = BytesIO()
    try:
        if pillow_format == "JPEG" and image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        if pillow_format == "WEBP" and image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.mode else "RGB")
        image.save(out, format=pillow_format, **options)
    except (*_DECODE_ERRORS, Warning):  # a warning only raises where the caller made it so
        raise EvidenceRefused("corrupt") from None
    return out.getvalue()
