"""Issue 11's "Done when", tried as new users would: a province's units imported from a file,
invites made with ``tuanle invite``, teachers reporting on Telegram and on Zalo, then a school
admin, a commune admin and the province admin each sending /status and /export. Each gets the
chart and the four files in the chat (Telegram: uploads; Zalo: links the bot's web app serves),
with their own area's numbers and nothing of a neighbour's; the province's table and report
draft open in LibreOffice (soffice and pdftotext are required, as in tests/export).

The bot is the real ``tuanle run`` process against the fake Telegram and Zalo servers.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
import zipfile
from pathlib import Path

import aiohttp
from docx import Document
from openpyxl import load_workbook

from bot.domain.loader import load_campaigns
from handlers import messages as say
from tests.conftest import photo
from tests.conversation.helpers import NOT_RUN_GROUPS, compact_walk_answers
from tests.e2e.bot_process import free_port, start_bot, write_config
from tests.export.test_libreoffice_xlsx import pdf_text, to_pdf
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZalo

UNITS = (
    "code,name,kind,parent code,contact\n"
    "HUE,Sở GDĐT Huế,province,,sogd@hue.gov.vn\n"
    "XA-KL,UBND phường Kim Long,commune,HUE,0234 3822 111\n"
    "THCS-KL,Trường THCS Kim Long,school,XA-KL,0912 345 678\n"
    "TH-KL,Trường Tiểu học Kim Long,school,XA-KL,0912 000 111\n"
    "XA-HL,UBND phường Hương Long,commune,HUE,\n"
    "THCS-HL,Trường THCS Hương Long,school,XA-HL,\n"
)
TG_TEACHER, TG_SCHOOL_ADMIN, TG_PROVINCE_ADMIN = 7001, 7101, 7301
ZL_TEACHER, ZL_COMMUNE_ADMIN = "a0a0a0a0a0a0a0a0a0a1", "c0c0c0c0c0c0c0c0c0c1"
XLSX = "_tong-hop.xlsx"
FILES = ("_tong-hop.xlsx", "_bao-cao.docx", "_chi-tiet.csv", "_minh-chung.zip")
NOMINATION = "Nguyễn Thị Mai - cá nhân - mở 4 lớp tin học cho người cao tuổi"
LINK = re.compile(r"https?://\S+/f/\S+")


def _config(tmp_path: Path, tg: FakeTelegram, zl: FakeZalo, port: int) -> Path:
    return write_config(
        tmp_path,
        f"""[telegram]
token = "{tg.token}"
api_base = "{tg.base_url}"
[zalo]
token = "{zl.token}"
api_base = "{zl.base_url}"
mode = "polling"
media_allow_http = true
media_allow_private = true
[web]
port = {port}
public_url = "http://127.0.0.1:{port}"
""",
    )


async def tuanle(config: Path, *args: str) -> str:
    """Runs a ``tuanle`` command as the admin at the server would; its stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def invite(config: Path, unit: str, role: str) -> str:
    return (await tuanle(config, "invite", unit, "--role", role)).splitlines()[0].strip()


def _script() -> list[str]:
    """A school's whole report, short: five groups run in one message each."""
    answers, _ = compact_walk_answers(load_campaigns()[2023], not_run=NOT_RUN_GROUPS)
    return [*answers]


async def _report_on_telegram(tg: FakeTelegram, code: str) -> None:
    """A teacher files the school's report on Telegram, waiting for each question (a message
    with buttons)."""

    def asked(before: int) -> bool:
        sent = tg.messages_to(TG_TEACHER)
        return len(sent) > before and sent[-1].reply_markup is not None

    async def say_(text: str) -> None:
        before = len(tg.messages_to(TG_TEACHER))
        tg.send_text(TG_TEACHER, text)
        await tg.wait_for(lambda: asked(before), timeout=60)

    await say_(f"/start {code}")
    for text in _script():
        await say_(text)
    before = len(tg.messages_to(TG_TEACHER))
    for seed in (1, 2, 3):
        tg.send_photo(TG_TEACHER, photo(seed), media_group_id="album-1")
    await tg.wait_for(lambda: asked(before), timeout=60)
    for text in (say.SKIP_ALL.label, "không"):
        await say_(text)
    tg.send_text(TG_TEACHER, say.SUBMIT.label)
    await tg.wait_for(lambda: "Số tiếp nhận" in tg.messages_to(TG_TEACHER)[-1].text, 60)


async def _report_on_zalo(zl: FakeZalo, code: str) -> None:
    """A teacher files the school's report on Zalo, waiting for each question (a message
    ending with the hint line of the ways around it)."""

    def asked(before: int) -> bool:
        sent = zl.messages_to(ZL_TEACHER)
        return len(sent) > before and sent[-1].text.rstrip().endswith(")")

    async def say_(text: str) -> None:
        before = len(zl.messages_to(ZL_TEACHER))
        zl.send_text(ZL_TEACHER, text)
        await zl.wait_for(lambda: asked(before), timeout=60)

    async def show(seed: int) -> None:
        before = len(zl.messages_to(ZL_TEACHER))
        zl.send_image(ZL_TEACHER, photo(seed))
        await zl.wait_for(lambda: len(zl.messages_to(ZL_TEACHER)) > before, timeout=60)

    await say_(code)
    for text in _script():
        await say_(text)

    async def answered(text: str) -> None:
        before = len(zl.messages_to(ZL_TEACHER))
        zl.send_text(ZL_TEACHER, text)
        await zl.wait_for(lambda: len(zl.messages_to(ZL_TEACHER)) > before, timeout=60)

    for seed in (4, 5, 6):
        await show(seed)
    await say_(say.SKIP_ALL.label)
    for text in (NOMINATION, say.NOMINATIONS_DONE.label):  # seed 003's commendation list
        await answered(text)
    zl.send_text(ZL_TEACHER, say.SUBMIT.label)
    await zl.wait_for(lambda: "Số tiếp nhận" in zl.messages_to(ZL_TEACHER)[-1].text, 60)


def _cells(data: bytes) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def _total(data: bytes, code: str) -> tuple[object, object]:
    """The official table's (Số lớp/số cuộc thi, Số người) on the printed line of row ``code``."""
    label = next(i.label for i in load_campaigns()[2023].form.items() if i.code == code)
    book = load_workbook(io.BytesIO(data), read_only=True)
    for row in book.worksheets[0].iter_rows(values_only=True):
        if len(row) > 4 and row[1] == label:
            return row[3], row[4]
    raise AssertionError(f"no row {code} in the official table")


async def _telegram_admin(
    tg: FakeTelegram, user: int, code: str
) -> tuple[bytes, dict[str, bytes]]:
    """An admin joins, asks /status and /export on Telegram; the chart and the files."""
    tg.send_text(user, f"/start {code}")
    await tg.wait_for(lambda: len(tg.messages_to(user)) > 0, timeout=60)
    tg.send_text(user, "/status")
    await tg.wait_for(lambda: any(m.method == "sendPhoto" for m in tg.messages_to(user)), 60)
    chart = next(m.photo for m in tg.messages_to(user) if m.method == "sendPhoto")
    assert isinstance(chart, bytes)
    tg.send_text(user, "/export")
    await tg.wait_for(
        lambda: sum(m.method == "sendDocument" for m in tg.messages_to(user)) == 4, 120
    )
    files = {
        m.file_name or "": m.document or b""
        for m in tg.messages_to(user)
        if m.method == "sendDocument"
    }
    return chart, files


async def _zalo_admin(zl: FakeZalo, code: str) -> tuple[bytes, dict[str, bytes]]:
    """The commune admin joins, asks /status and /export on Zalo, and fetches the links."""
    user = ZL_COMMUNE_ADMIN
    zl.send_text(user, code)
    await zl.wait_for(lambda: len(zl.messages_to(user)) > 0, timeout=60)
    zl.send_text(user, "/status")
    await zl.wait_for(lambda: any(m.method == "sendPhoto" for m in zl.messages_to(user)), 60)
    chart_link = next(m.photo for m in zl.messages_to(user) if m.method == "sendPhoto")
    zl.send_text(user, "/export")

    def links() -> list[str]:
        return [
            found[0]
            for m in zl.messages_to(user)
            if m.method == "sendMessage" and (found := LINK.search(m.text))
        ]

    await zl.wait_for(lambda: len(links()) == 4, 120)
    files = {}
    async with aiohttp.ClientSession() as http:
        async with http.get(chart_link or "") as response:
            assert response.status == 200
            chart = await response.read()
        for link in links():
            async with http.get(link) as response:
                assert response.status == 200
                named = re.search(
                    r"filename\*=UTF-8''(\S+)", response.headers["Content-Disposition"]
                )
                assert named is not None
                files[named[1]] = await response.read()
    return chart, files


def _file(files: dict[str, bytes], ending: str) -> bytes:
    (name,) = [name for name in files if name.endswith(ending)]
    return files[name]


def _text_of(files: dict[str, bytes]) -> str:
    """Every text the four files hold: the workbook's cells, the draft's paragraphs and tables,
    the CSV, and the ZIP's entry names and index."""
    parts = [str(v) for row in _cells(_file(files, XLSX)) for v in row if v is not None]
    draft = Document(io.BytesIO(_file(files, "_bao-cao.docx")))
    parts += [paragraph.text for paragraph in draft.paragraphs]
    parts += [cell.text for table in draft.tables for row in table.rows for cell in row.cells]
    parts.append(_file(files, "_chi-tiet.csv").decode("utf-8-sig"))
    with zipfile.ZipFile(io.BytesIO(_file(files, "_minh-chung.zip"))) as archive:
        parts += archive.namelist()
        parts += [
            archive.read(name).decode("utf-8-sig")
            for name in archive.namelist()
            if not name.endswith(".jpg")
        ]
    return "\n".join(parts)


def _photos(files: dict[str, bytes]) -> int:
    with zipfile.ZipFile(io.BytesIO(_file(files, "_minh-chung.zip"))) as archive:
        return sum(name.endswith(".jpg") for name in archive.namelist())


async def test_school_commune_and_province_admins_get_their_chart_and_files(
    tmp_path: Path,
) -> None:
    async with FakeTelegram() as tg, FakeZalo() as zl:
        config = _config(tmp_path, tg, zl, free_port())
        units = tmp_path / "don-vi.csv"
        units.write_text(UNITS, encoding="utf-8")
        await tuanle(config, "units", "import", str(units))
        wanted = {
            "teacher-kl": ("THCS-KL", "reporter"),
            "teacher-hl": ("THCS-HL", "reporter"),
            "school": ("THCS-KL", "admin"),
            "commune": ("XA-KL", "admin"),
            "province": ("HUE", "admin"),
        }
        made = await asyncio.gather(*(invite(config, *unit) for unit in wanted.values()))
        codes = dict(zip(wanted, made, strict=True))
        process = await start_bot(config)
        try:
            # The two teachers report at the same time, as do the three admins once both are in.
            await asyncio.gather(
                _report_on_telegram(tg, codes["teacher-kl"]),
                _report_on_zalo(zl, codes["teacher-hl"]),
            )
            school, commune, province = await asyncio.gather(
                _telegram_admin(tg, TG_SCHOOL_ADMIN, codes["school"]),
                _zalo_admin(zl, codes["commune"]),
                _telegram_admin(tg, TG_PROVINCE_ADMIN, codes["province"]),
            )
        finally:
            process.terminate()
            await process.wait()

    _, expected = compact_walk_answers(load_campaigns()[2023], not_run=NOT_RUN_GROUPS)
    one_school = (expected["1.1:quantity"], expected["1.1:people"])
    for chart, files in (school, commune, province):
        assert chart.startswith(b"\x89PNG")
        assert sorted(
            name[-len(ending) :] for name in files for ending in FILES if name.endswith(ending)
        ) == sorted(FILES)
    school_text, commune_text, province_text = (
        _text_of(f) for _, f in (school, commune, province)
    )
    # The school admin's files hold the school alone: not the school next door, not the commune.
    assert "Trường THCS Kim Long" in school_text
    assert "Tiểu học Kim Long" not in school_text and "Hương Long" not in school_text
    assert "Nguyễn Thị Mai" not in school_text
    assert _total(_file(school[1], XLSX), "1.1") == one_school
    assert _photos(school[1]) == 3
    # The commune's: its schools (one still missing), nothing of the other commune.
    assert "Tiểu học Kim Long" in commune_text and "Hương Long" not in commune_text
    assert "Nguyễn Thị Mai" not in commune_text  # proposed by the other commune's school
    assert _total(_file(commune[1], XLSX), "1.1") == one_school
    # The province's: both communes, both schools' numbers summed.
    assert "Hương Long" in province_text and "Kim Long" in province_text
    assert "mở 4 lớp tin học cho người cao tuổi" in province_text  # the commendation list
    assert _total(_file(province[1], XLSX), "1.1") == tuple(2 * n for n in one_school)
    assert _photos(province[1]) == 6
    # What the province sends upward as it is opens in LibreOffice, totals and all.
    table, draft = tmp_path / "tong-hop.xlsx", tmp_path / "bao-cao.docx"
    table.write_bytes(_file(province[1], XLSX))
    draft.write_bytes(_file(province[1], "_bao-cao.docx"))
    printed = pdf_text(to_pdf(table, tmp_path))
    people = 2 * expected["1.1:people"]
    assert "Trường THCS Hương Long" in printed
    assert f"{people:,}" in printed or f"{people:,}".replace(",", ".") in printed
    assert "BÁO CÁO" in pdf_text(to_pdf(draft, tmp_path))
