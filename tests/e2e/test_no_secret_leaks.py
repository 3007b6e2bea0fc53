"""No secret anywhere: the real ``tuanle run`` process, configured with real-looking tokens,
webhook secrets and (on PostgreSQL) a database password, goes through the faults that used to
leak them (a Telegram file that is gone after getFile, a download cut off, a Zalo photo URL
that answers 404, sends that fail with 500 and 502, bad configuration), and then every log line,
everything printed, and every text and JSON column of every table is searched for each secret,
as written and URL-encoded."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.app import build
from bot.config import load_settings
from handlers.messages import EVIDENCE_REFUSALS
from storage.models import Base
from tests.conftest import add_unit, backend, photo
from tests.e2e.bot_process import FAKE_SERVER_PACE, free_port, start_bot
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZalo

TG_TOKEN = "7012345678:AAHk3Zq9xTeleSecretPart0123456789abc"
ZL_TOKEN = "3087162534859:zaloSecretPart-0987654321xyzQ"
TG_HOOK = "tg-hook-secret-AbCdEf0123456789"
ZL_HOOK = "zl-hook-secret-ZyXwVu9876543210"
DB_PASSWORD = "db-Pa55-word-Kl7Mn9"
REFUSAL_UNAVAILABLE = EVIDENCE_REFUSALS["unavailable"]
REFUSAL_UNAVAILABLE_SLOW = EVIDENCE_REFUSALS["unavailable_slow"]
TG_TEACHER = 5151
ZL_TEACHER = "c0ffee0123456789abcd"


def _secrets() -> list[str]:
    secrets = [TG_TOKEN, ZL_TOKEN, TG_HOOK, ZL_HOOK, DB_PASSWORD]
    secrets += [token.split(":", 1)[1] for token in (TG_TOKEN, ZL_TOKEN)]  # the secret halves
    forms = set(secrets)
    forms.update(quote(s, safe="") for s in secrets)
    forms.update(quote(s) for s in secrets)
    return sorted(forms)


def _leaks(text: str) -> list[str]:
    return [secret for secret in _secrets() if secret in text]


def _config(
    tmp_path: Path, database_url: str, tg: FakeTelegram, zl: FakeZalo, port: int, name: str
) -> Path:
    config = tmp_path / name
    config.write_text(
        f"""
[database]
url = "{database_url}"
[evidence]
directory = "{tmp_path / "evidence"}"
fetch_timeout_seconds = 5
[campaign]
year = 2023
[telegram]
token = "{tg.token}"
api_base = "{tg.base_url}"
webhook_secret = "{TG_HOOK}"
max_attempts = 2
{FAKE_SERVER_PACE}[zalo]
token = "{zl.token}"
api_base = "{zl.base_url}"
mode = "webhook"
webhook_url = "http://127.0.0.1:{port}/zalo/webhook"
webhook_secret = "{ZL_HOOK}"
media_allow_http = true
media_allow_private = true
[web]
port = {port}
[log]
level = "DEBUG"
file = "{tmp_path / "bot.log"}"
""",
        encoding="utf-8",
    )
    return config


async def _run_until_stopped(config: Path, stderr: Path, work: object) -> int:
    with stderr.open("ab") as err:
        process = await start_bot(config, stderr=err.fileno())
        try:
            await work  # type: ignore[misc]
            process.send_signal(signal.SIGTERM)
            return await asyncio.wait_for(process.wait(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def _fails_to_start(config: Path, stderr: Path) -> int:
    with stderr.open("ab") as err:
        process = await start_bot(config, stderr=err.fileno())
        return await asyncio.wait_for(process.wait(), timeout=60)


async def _database_texts(database_url: str) -> list[str]:
    """Every text and JSON value of every table, as text."""
    app = await build(load_settings(None, database={"url": database_url}, campaign={"year": 2023}))
    texts: list[str] = []
    try:
        async with app.uows() as uow:
            for table in Base.metadata.sorted_tables:
                for row in (await uow.session.execute(select(table))).all():
                    for value in row:
                        if isinstance(value, str | bytes):
                            texts.append(value if isinstance(value, str) else value.hex())
                        elif isinstance(value, dict | list):
                            texts.append(json.dumps(value, ensure_ascii=False))
    finally:
        await app.close()
    return texts


async def test_no_secret_reaches_a_log_line_or_a_table_after_the_fault_scenarios(
    tmp_path: Path, database_url: str
) -> None:
    if backend() == "postgres":  # trust auth ignores the password, but the URL carries it
        database_url = make_url(database_url).set(password=DB_PASSWORD).render_as_string(False)
    port = free_port()
    stderr = tmp_path / "stderr.txt"
    async with FakeTelegram(token=TG_TOKEN) as tg, FakeZalo(token=ZL_TOKEN) as zl:
        config = _config(tmp_path, database_url, tg, zl, port, "tuanle.toml")
        app = await build(load_settings(config))
        tg_code = await add_unit(app, "THCS-01")
        zl_code = await add_unit(app, "THCS-02", "Trường THCS Hải Vân")
        await app.close()

        async def faults() -> None:
            await zl.wait_for(lambda: zl.webhook is not None, timeout=30)

            def tg_texts(after: int) -> str:
                return "\n".join(m.text or "" for m in tg.messages_to(TG_TEACHER)[after:])

            def zl_texts(after: int) -> str:
                return "\n".join(m.text for m in zl.messages_to(ZL_TEACHER)[after:])

            async def quiet() -> None:
                """Until nothing more is sent for a while: every reply of the faults is out."""
                seen = -1
                while seen != len(tg.sent) + len(zl.sent):
                    seen = len(tg.sent) + len(zl.sent)
                    await asyncio.sleep(2.5)  # longer than one chat's wait between messages

            tg.send_text(TG_TEACHER, f"/start {tg_code}")
            await tg.wait_for(lambda: "Lễ khai mạc" in tg_texts(0), timeout=30)
            # getFile answers, then the file itself is gone (404) or the connection drops.
            for status, refusal in ((404, REFUSAL_UNAVAILABLE), (0, REFUSAL_UNAVAILABLE_SLOW)):
                before = len(tg.messages_to(TG_TEACHER))
                # aiohttp retries a GET once when a reused connection drops: drop it twice.
                tg.fail_next_download(status, times=1 if status else 2)
                tg.send_photo(TG_TEACHER, photo(status + 1))
                await tg.wait_for(lambda b=before, r=refusal: r in tg_texts(b), timeout=30)
            # Sends that fail with a server error, then an HTML 502 page, then go through.
            for status in (500, 502):
                before = len(tg.messages_to(TG_TEACHER))
                tg.fail_next("sendMessage", status=status)
                tg.send_text(TG_TEACHER, "02/10")
                await tg.wait_for(lambda b=before: bool(tg_texts(b)), timeout=30)

            zl.send_text(ZL_TEACHER, zl_code)
            await zl.wait_for(lambda: "Lễ khai mạc" in zl_texts(0), timeout=30)
            before = len(zl.messages_to(ZL_TEACHER))
            missing = f"{zl.base_url}/media/gone.jpg"
            zl.send_event("message.image.received", ZL_TEACHER, {"photo_url": missing})
            await zl.wait_for(lambda: REFUSAL_UNAVAILABLE in zl_texts(before), timeout=30)
            before = len(zl.messages_to(ZL_TEACHER))
            zl.fail_next("sendMessage", error_code=500)
            zl.send_text(ZL_TEACHER, "1")
            await zl.wait_for(lambda: bool(zl_texts(before)), timeout=30)
            await quiet()

        assert await _run_until_stopped(config, stderr, faults()) == 0
        assert tg.downloads and "gone.jpg" in zl.media_fetches

        # Bad configuration: a webhook secret with characters Telegram refuses, and a database
        # that cannot be reached with a password in its URL.
        bad_secret = config.read_text(encoding="utf-8").replace(
            f'webhook_secret = "{TG_HOOK}"',
            f'mode = "webhook"\nwebhook_url = "https://bot.example.vn/telegram/webhook"\n'
            f'webhook_secret = "{TG_HOOK}!?"',
        )
        (tmp_path / "bad-secret.toml").write_text(bad_secret, encoding="utf-8")
        assert await _fails_to_start(tmp_path / "bad-secret.toml", stderr) == 2
        unreachable = f"postgresql+asyncpg://tuanle:{DB_PASSWORD}@127.0.0.1:1/tuanle"
        bad_database = config.read_text(encoding="utf-8").replace(database_url, unreachable)
        (tmp_path / "bad-database.toml").write_text(bad_database, encoding="utf-8")
        assert await _fails_to_start(tmp_path / "bad-database.toml", stderr) == 2

    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    printed = stderr.read_text(encoding="utf-8", errors="replace")
    assert '"unavailable"' in log  # the faults happened and were logged
    assert "bad-secret.toml" in printed  # the bad configuration was reported
    assert "cơ sở dữ liệu tuanle trên máy chủ 127.0.0.1, cổng 1" in printed  # and the database
    assert "Traceback" not in printed
    assert {"log": _leaks(log), "printed": _leaks(printed)} == {"log": [], "printed": []}
    texts = await _database_texts(database_url)
    assert any("02/10" in t or "2023-10-02" in t for t in texts)  # the answers are there
    assert [secret for text in texts for secret in _leaks(text)] == []
