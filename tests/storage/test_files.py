"""The evidence file store: what goes in comes back, once, and only under keys we made.

One contract class runs over every FileStore backend; only the local disk exists so far.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.files import FileStore, InvalidFileKey, LocalFileStore, check_key, file_key

PHOTO = b"\xff\xd8\xff\xe0 pretend these are the bytes of a cleaned photo"
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()


def files_under(root: Path) -> list[Path]:
    """Every regular file below root, hidden ones included."""
    return sorted(path for path in root.rglob("*") if path.is_file())


@pytest.fixture(params=["local"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FileStore]:
    """Each FileStore backend, empty."""
    if request.param == "local":
        yield LocalFileStore(tmp_path / "evidence")


class TestFileStoreContract:
    async def test_a_stored_photo_comes_back_unchanged(self, store: FileStore) -> None:
        key = await store.put(PHOTO, sha256=PHOTO_SHA, extension="jpg")

        assert await store.get(key) == PHOTO
        assert await store.exists(key)

    async def test_a_photo_is_filed_under_its_fingerprint(self, store: FileStore) -> None:
        key = await store.put(PHOTO, sha256=PHOTO_SHA, extension="jpg")

        assert key == f"{PHOTO_SHA[:2]}/{PHOTO_SHA[2:4]}/{PHOTO_SHA}.jpg"

    async def test_storing_the_same_photo_twice_keeps_one_copy(self, store: FileStore) -> None:
        first = await store.put(PHOTO, sha256=PHOTO_SHA, extension="jpg")
        second = await store.put(PHOTO, sha256=PHOTO_SHA, extension="jpg")

        assert first == second
        assert await store.get(second) == PHOTO

    async def test_a_photo_never_stored_is_not_found(self, store: FileStore) -> None:
        key = file_key(PHOTO_SHA, "png")

        assert not await store.exists(key)
        with pytest.raises(FileNotFoundError):
            await store.get(key)

    async def test_a_fingerprint_that_does_not_match_the_bytes_is_refused(
        self, store: FileStore
    ) -> None:
        other = hashlib.sha256(b"another photo").hexdigest()

        with pytest.raises(InvalidFileKey):
            await store.put(PHOTO, sha256=other, extension="jpg")
        assert not await store.exists(file_key(other, "jpg"))

    @pytest.mark.parametrize("extension", ["exe", "html", "JPG", "jpg/../x", "", "php"])
    async def test_an_extension_outside_the_allow_list_is_refused(
        self, store: FileStore, extension: str
    ) -> None:
        with pytest.raises(InvalidFileKey):
            await store.put(PHOTO, sha256=PHOTO_SHA, extension=extension)

    @pytest.mark.parametrize(
        "sha256", ["../../etc/passwd", PHOTO_SHA.upper(), PHOTO_SHA[:-1], PHOTO_SHA + "0", ""]
    )
    async def test_a_malformed_fingerprint_is_refused(self, store: FileStore, sha256: str) -> None:
        with pytest.raises(InvalidFileKey):
            await store.put(PHOTO, sha256=sha256, extension="jpg")

    @pytest.mark.parametrize(
        "key",
        [
            "../../etc/passwd",
            f"../{PHOTO_SHA[:2]}/{PHOTO_SHA[2:4]}/{PHOTO_SHA}.jpg",
            f"{PHOTO_SHA[:2]}/{PHOTO_SHA[2:4]}/../../{PHOTO_SHA}.jpg",
            f"/{PHOTO_SHA[:2]}/{PHOTO_SHA[2:4]}/{PHOTO_SHA}.jpg",
            f"/etc/{PHOTO_SHA}.jpg",
            f"{PHOTO_SHA[:2]}\\{PHOTO_SHA[2:4]}\\{PHOTO_SHA}.jpg",
            f"{PHOTO_SHA[:2]}/{PHOTO_SHA[2:4]}/{PHOTO_SHA}.jpg\n",
            f"{PHOTO_SHA[:2]}/{PHOTO_SHA[2:4]}/{PHOTO_SHA}.exe",
            f"00/00/{PHOTO_SHA}.jpg",
            f"{PHOTO_SHA}.jpg",
            "",
        ],
    )
    async def test_a_key_we_did_not_make_is_refused(self, store: FileStore, key: str) -> None:
        await store.put(PHOTO, sha256=PHOTO_SHA, extension="jpg")

        with pytest.raises(InvalidFileKey):
            await store.get(key)
        with pytest.raises(InvalidFileKey):
            await store.exists(key)


class TestLocalFileStore:
    async def test_the_file_sits_at_its_key_below_the_root(self, tmp_path: Path) -> None:
        store = LocalFileStore(tmp_path / "evidence")

        key = await store.put(PHOTO, sha256=PHOTO_SHA, extension="jpg")

        assert (tmp_path / "evidence" / key).read_bytes() == PHOTO
        assert files_under(tmp_path) == [tmp_path / "evidence" / key]

    async def test_no_temporary_files_are_left_behind(self, tmp_path: Path) -> None:
        store = LocalFileStore(tmp_path)
        pdf = b"%PDF-1.4\n%%EOF\n"

        keys = {
            await store.put(PHOTO, sha256=PHOTO_SHA, extension="jpg"),
            await store.put(PHOTO, sha256=PHOTO_SHA, extension="jpg"),
            await store.put(pdf, sha256=hashlib.sha256(pdf).hexdigest(), extension="pdf"),
        }

        assert files_under(tmp_path) == sorted(tmp_path / key for key in keys)

    async def test_a_failed_write_leaves_nothing_behind(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        store = LocalFileStore(tmp_path)

        def disk_full(source: object, target: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", disk_full)
        with pytest.raises(OSError, match="No space"):
            await store.put(PHOTO, sha256=PHOTO_SHA, extension="jpg")

        assert files_under(tmp_path) == []
        assert not await store.exists(file_key(PHOTO_SHA, "jpg"))

    async def test_a_file_outside_the_root_cannot_be_read(self, tmp_path: Path) -> None:
        (tmp_path / "secret.txt").write_text("do not read")
        store = LocalFileStore(tmp_path / "evidence")

        with pytest.raises(InvalidFileKey):
            await store.get("../secret.txt")


def test_keys_made_by_file_key_pass_the_key_check() -> None:
    for extension in ("jpg", "png", "webp", "pdf"):
        key = file_key(PHOTO_SHA, extension)
        assert check_key(key) == key
