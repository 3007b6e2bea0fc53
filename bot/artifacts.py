"""Files the bot makes for people (a chart, an export), kept under unguessable, expiring tokens.

The bytes go to the content-addressed file store like evidence; a row of ``artifacts`` names them
by a token of 256 random bits and says until when they may be fetched. Telegram receives the
bytes themselves; Zalo, which takes pictures only as URLs, receives ``public_url/f/<token>``,
served by the web app while the token lives. The shown name is made safe here whatever the
caller passed, so it can go into a Content-Disposition header or a chat message as it is.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.domain.chat import OutFile
from bot.engine.clock import Clock
from handlers import messages as say
from storage.files import LocalFileStore
from storage.models import Artifact
from storage.uow import UnitOfWork

# The store's extension of each type the bot makes; anything else is refused (a bug of ours).
EXTENSIONS: Final = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/zip": "zip",
    "text/csv": "csv",
}
MAX_NAME = 120
_UNSAFE = frozenset('/\\:*?"<>|')
# The one Vietnamese letter that Unicode does not decompose into a Latin letter and a mark.
_D_STROKE = str.maketrans({0x0111: "d", 0x0110: "D"})


@dataclass(frozen=True, slots=True)
class StoredFile:
    """An artifact as a sender or the web app needs it."""

    token: str
    name: str
    mime: str
    size: int
    stored_key: str
    expires_at: datetime


def safe_name(name: str) -> str:
    """The name composed (NFC), without control characters, path separators or quotes, bounded.

    The extension is kept when the name must be cut. An empty result becomes "tep".
    """
    text = unicodedata.normalize("NFC", name)
    kept = "".join(_safe_char(c) for c in text)
    kept = " ".join(kept.split()).strip(" .") or "tep"
    if len(kept) <= MAX_NAME:
        return kept
    stem, dot, ext = kept.rpartition(".")
    if dot and 0 < len(ext) <= 8:
        return stem[: MAX_NAME - len(ext) - 1].rstrip(" .") + "." + ext
    return kept[:MAX_NAME].rstrip(" .")


def _safe_char(c: str) -> str:
    category = unicodedata.category(c)
    if category[0] == "C":  # control, format, unassigned: dropped
        return ""
    if category[0] == "Z":
        return " "
    return "_" if c in _UNSAFE else c


def content_disposition(name: str, *, inline: bool = False) -> str:
    """The header for a download: an ASCII fallback name, then the UTF-8 one (RFC 5987)."""
    shown = safe_name(name)
    folded = unicodedata.normalize("NFKD", shown.translate(_D_STROKE))
    fallback = "".join(c for c in folded if c.isascii() and c.isprintable() and c not in '"\\')
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback or 'file'}\"; filename*=UTF-8''{quote(shown, safe='')}"


def public_link(base_url: str, token: str) -> str:
    """The address the web app serves an artifact at."""
    return f"{base_url.rstrip('/')}/f/{token}"


class ArtifactStore:
    """Stores artifacts and finds them by token, for the jobs, the senders and the web app."""

    def __init__(
        self,
        uows: Callable[[], UnitOfWork],
        files: LocalFileStore,
        clock: Clock,
        *,
        valid_hours: int = 72,
        public_url: str = "",
        zone: ZoneInfo | None = None,
    ) -> None:
        self._uows = uows
        self._files = files
        self._clock = clock
        self._valid = timedelta(hours=valid_hours)
        self.public_url = public_url.strip()
        self.zone = zone or ZoneInfo("Asia/Ho_Chi_Minh")

    async def put(
        self,
        data: bytes | Path,
        name: str,
        mime: str,
        *,
        kind: str = "document",
        member_id: int | None = None,
    ) -> OutFile:
        """Keeps ``data`` (bytes, or a file the bot wrote) and returns the file to send."""
        extension = EXTENSIONS.get(mime)
        if extension is None:
            raise ValueError(f"no artifact type for {mime!r}")
        if kind not in ("document", "photo"):
            raise ValueError(f"an artifact is a document or a photo, not {kind!r}")
        if isinstance(data, Path):
            key, _sha, size = await self._files.put_file(data, extension=extension)
        else:
            digest = hashlib.sha256(data).hexdigest()
            key, size = await self._files.put(data, sha256=digest, extension=extension), len(data)
        now = self._clock.now()
        token = secrets.token_urlsafe(32)
        shown = safe_name(name)
        async with self._uows() as uow:
            await uow.artifacts.add(
                Artifact(
                    token=token,
                    stored_key=key,
                    name=shown,
                    mime=mime,
                    size=size,
                    member_id=member_id,
                    created_at=now,
                    expires_at=now + self._valid,
                )
            )
            await uow.commit()
        return OutFile(token=token, name=shown, mime=mime, kind=kind)

    async def find(self, token: str) -> StoredFile | None:
        """The live artifact with this token; None when unknown or expired (alike)."""
        if not token or len(token) > 64:
            return None
        async with self._uows() as uow:
            row = await uow.artifacts.by_token(token, self._clock.now())
            if row is None:
                return None
            return StoredFile(
                row.token, row.name, row.mime, row.size, row.stored_key, row.expires_at
            )

    async def read(self, stored: StoredFile) -> bytes:
        """The artifact's bytes (FileNotFoundError when the store lost them)."""
        return await self._files.get(stored.stored_key)

    def local_path(self, stored: StoredFile) -> Path:
        """Where the artifact lies on this machine (absolute, to be opened from anywhere)."""
        return self._files.local_path(stored.stored_key).absolute()

    def link(self, token: str) -> str | None:
        """The public link of an artifact; None when no ``[web] public_url`` is configured."""
        return public_link(self.public_url, token) if self.public_url else None

    def expires_local(self, stored: StoredFile) -> datetime:
        """The expiry in the campaign's time zone, to tell a person."""
        return stored.expires_at.astimezone(self.zone)

    def link_text(self, stored: StoredFile) -> str:
        """A chat line for a file sent as a link: its name, link and expiry; or, with no public
        address configured, that the file waits on the server (never a broken link)."""
        link = self.link(stored.token)
        if link is None:
            return say.FILE_AT_SERVER.format(name=stored.name)
        expires = say.FILE_EXPIRES_AT.format(time=self.expires_local(stored))
        return say.FILE_LINK.format(name=stored.name, link=link, expires=expires)
