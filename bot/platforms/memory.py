"""The memory adapter: a chat with the engine and no network, for the terminal and the tests.

It is a real adapter: it builds ``Incoming`` messages the way the Telegram and Zalo adapters
do, presses buttons by the data they carry, and keeps every reply it received through the
outbox, the way a platform's sender would. Files are either bytes kept
in memory or paths on disk, fetched with the same size limit as a platform download.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from bot.artifacts import ArtifactStore
from bot.domain.chat import Attachment, Incoming, Reply, button_data
from bot.engine import Engine, FileTooLarge, FileUnavailable
from bot.platforms.dispatch import Delivery


class MemoryFiles:
    """Files by reference: bytes registered here, or a path on disk."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}

    def add(self, data: bytes) -> str:
        ref = f"mem:{uuid.uuid4().hex}"
        self._blobs[ref] = data
        return ref

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        if attachment.ref in self._blobs:
            data = self._blobs[attachment.ref]
            if len(data) > max_bytes:
                raise FileTooLarge(attachment.ref)
            return data
        return await asyncio.to_thread(_read_bounded, Path(attachment.ref), max_bytes)


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    # A file gone or unreadable is the person's problem to fix, not a fault to wait out.
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        raise FileUnavailable("not_found") from None
    if len(data) > max_bytes:
        raise FileTooLarge(str(path))
    return data


class MemorySender:
    """Receives what the outbox sends to a chat; nothing leaves the process.

    A reply's files are looked up as they arrive: ``paths`` gives where each lies on this
    machine (by token), absent when it expired or no artifact store was given.
    """

    def __init__(self, artifacts: ArtifactStore | None = None) -> None:
        self.received: list[tuple[str, Reply]] = []
        self.paths: dict[str, Path] = {}
        self._artifacts = artifacts

    async def send(self, chat_id: str, reply: Reply, *, skip_pieces: int = 0) -> None:
        if self._artifacts is not None:
            for file in reply.files:
                stored = await self._artifacts.find(file.token)
                if stored is not None:
                    self.paths[file.token] = self._artifacts.local_path(stored)
        self.received.append((chat_id, reply))


class MemoryChat:
    """One person chatting with the engine."""

    def __init__(
        self,
        engine: Engine,
        *,
        platform: str = "memory",
        user_id: str = "teacher-1",
        chat_id: str | None = None,
        user_name: str | None = None,
        files: MemoryFiles | None = None,
        artifacts: ArtifactStore | None = None,
    ) -> None:
        self.engine = engine
        self.platform = platform
        self.user_id = user_id
        self.chat_id = chat_id or user_id
        self.user_name = user_name
        self.files = files or MemoryFiles()
        self.sent: list[Incoming] = []
        self.replies: list[Reply] = []
        self.sender = MemorySender(artifacts)
        self.delivery = Delivery(platform, engine.outbox, self.sender)

    def _incoming(self, **fields: object) -> Incoming:
        return Incoming(
            platform=self.platform,
            message_id=str(fields.pop("message_id", None) or uuid.uuid4().hex),
            chat_id=self.chat_id,
            user_id=self.user_id,
            user_name=self.user_name,
            **fields,  # type: ignore[arg-type]
        )

    async def deliver(self, incoming: Incoming) -> list[Reply]:
        """Hands one message to the engine, then sends what the outbox holds for this chat."""
        self.sent.append(incoming)
        await self.engine.handle(incoming, self.files)
        return await self.flush()

    async def flush(self) -> list[Reply]:
        """Sends this chat's due outbox messages; the replies received."""
        replies = await self.delivery.flush(self.chat_id)
        self.replies.extend(replies)
        return replies

    async def send(self, text: str, *, message_id: str | None = None) -> list[Reply]:
        return await self.deliver(self._incoming(text=text, message_id=message_id))

    async def send_file(
        self,
        data: bytes | Path,
        *,
        kind: str = "photo",
        name: str | None = None,
        message_id: str | None = None,
    ) -> list[Reply]:
        if isinstance(data, Path):
            ref, size = str(data), (await asyncio.to_thread(data.stat)).st_size
        else:
            ref, size = self.files.add(data), len(data)
        attachment = Attachment(ref=ref, kind=kind, declared_size=size, declared_name=name)
        return await self.deliver(self._incoming(attachment=attachment, message_id=message_id))

    async def press(self, label: str, reply: Reply | None = None) -> list[Reply]:
        """Presses the button with this label (or key) on ``reply``, by default the last one."""
        shown = reply or self.last_reply()
        for choice in (*shown.choices, *shown.actions):
            if label in {choice.label, choice.key}:
                data = button_data(shown.version, choice.key)
                return await self.deliver(self._incoming(button=data))
        raise LookupError(f"no button {label!r} on: {shown.text[:80]!r}")

    def last_reply(self) -> Reply:
        if not self.replies:
            raise LookupError("no reply yet")
        return self.replies[-1]
