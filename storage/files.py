"""Evidence files kept by the sha256 of their content, behind a port that S3 can implement later.

A key is ``ab/cd/<sha256>.<ext>``: the hash is computed here from the bytes being stored and the
extension comes from an allow-list, so nothing a user typed (a file name, a caption) ever
becomes part of a path. Writes are atomic and durable (temporary file in the same directory,
fsync, rename, fsync of the directory), and storing the same bytes twice returns the same key.
Disk I/O runs in a worker thread so the event loop keeps serving other teachers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Final, Protocol

# Evidence types (sniffed from the bytes, never taken from a name), then the files the bot makes
# for people (charts and exports: bot/artifacts.py).
EXTENSIONS: Final = frozenset({"jpg", "png", "webp", "pdf", "xlsx", "docx", "zip", "csv"})
_SHA256: Final = re.compile(r"[0-9a-f]{64}")
_KEY: Final = re.compile(
    r"([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})\.(jpg|png|webp|pdf|xlsx|docx|zip|csv)"
)


class InvalidFileKey(ValueError):
    """A key, hash or extension that is not one this store could have produced."""


class FileStore(Protocol):
    """Where evidence files live: the local disk now, object storage later."""

    async def put(self, data: bytes, *, sha256: str, extension: str) -> str:
        """Stores data under its content key and returns the key; storing it again is harmless."""
        ...

    async def get(self, key: str) -> bytes:
        """Returns the bytes stored under key, or raises FileNotFoundError."""
        ...

    async def exists(self, key: str) -> bool:
        """Tells whether something is stored under key."""
        ...


def file_key(sha256: str, extension: str) -> str:
    """Builds the key ``ab/cd/<sha256>.<ext>`` after checking both parts."""
    if not _SHA256.fullmatch(sha256):
        raise InvalidFileKey("sha256 must be 64 lowercase hex digits")
    if extension not in EXTENSIONS:
        raise InvalidFileKey(f"extension must be one of {sorted(EXTENSIONS)}")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.{extension}"


def check_key(key: str) -> str:
    """Returns key unchanged if this store could have made it, else raises InvalidFileKey."""
    match = _KEY.fullmatch(key)
    # The regex alone already rules out "..", absolute paths and backslashes; the prefix check
    # makes sure a key names the one place its hash lives.
    if match is None or match[3][:2] != match[1] or match[3][2:4] != match[2]:
        raise InvalidFileKey("not an evidence file key")
    return key


class LocalFileStore:
    """A FileStore on the local file system, under one root directory."""

    def __init__(self, root: Path) -> None:
        self._root = root

    async def put(self, data: bytes, *, sha256: str, extension: str) -> str:
        """Stores data under its content key and returns the key; storing it again is harmless.

        Args:
            data: the bytes to keep (for photos, the re-encoded bytes, not the upload).
            sha256: the hex sha256 of data itself; a mismatch raises InvalidFileKey.
            extension: one of EXTENSIONS, from the sniffed type.
        """
        key = file_key(sha256, extension)
        await asyncio.to_thread(self._put, data, sha256, key)
        return key

    async def get(self, key: str) -> bytes:
        """Returns the bytes stored under key, or raises FileNotFoundError."""
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def exists(self, key: str) -> bool:
        """Tells whether something is stored under key."""
        return await asyncio.to_thread(self._path(key).is_file)

    async def put_file(self, source: Path, *, extension: str) -> tuple[str, str, int]:
        """Copies a file in under its content key, reading it in chunks (an export may be large).

        Returns (key, sha256, size). ``source`` is a file the bot wrote, never a person's path.
        """
        return await asyncio.to_thread(self._put_file, source, extension)

    def local_path(self, key: str) -> Path:
        """Where a stored file lies on this machine (to print it or to stream it)."""
        return self._path(key)

    def _put_file(self, source: Path, extension: str) -> tuple[str, str, int]:
        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
        sha256 = digest.hexdigest()
        key = file_key(sha256, extension)
        path = self._path(key)
        if not path.is_file():
            created = _make_directories(self._root, path.parent)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(descriptor, "wb") as target, source.open("rb") as handle:
                    shutil.copyfileobj(handle, target, 1024 * 1024)
                    target.flush()
                    os.fsync(target.fileno())
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
                raise
            _fsync_directory(path.parent)
            for directory in created:
                _fsync_directory(directory.parent)
        return key, sha256, size

    def _path(self, key: str) -> Path:
        """The file for a checked key."""
        return self._root.joinpath(*check_key(key).split("/"))

    def _put(self, data: bytes, sha256: str, key: str) -> None:
        """Checks the hash and writes the file once, atomically and durably."""
        if hashlib.sha256(data).hexdigest() != sha256:
            raise InvalidFileKey("sha256 does not match the bytes being stored")
        path = self._path(key)
        if path.is_file():
            return
        created = _make_directories(self._root, path.parent)
        _write_atomically(path, data)
        _fsync_directory(path.parent)
        for directory in created:
            _fsync_directory(directory.parent)


def _make_directories(root: Path, directory: Path) -> list[Path]:
    """Creates directory and its missing parents below root; returns those it created."""
    root.mkdir(parents=True, exist_ok=True)
    created: list[Path] = []
    current = root
    for part in directory.relative_to(root).parts:
        current = current / part
        try:
            current.mkdir()
        except FileExistsError:
            continue
        created.append(current)
    return created


def _write_atomically(path: Path, data: bytes) -> None:
    """Writes a temporary file beside path, flushes it to disk, then renames it into place."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _fsync_directory(directory: Path) -> None:
    """Makes a rename or a new entry in directory survive a power cut (POSIX only)."""
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
