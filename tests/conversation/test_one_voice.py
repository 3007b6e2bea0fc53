"""One voice: every text the bot says comes from the catalogue (handlers/messages.py), calls the
person "thầy/cô", and never tells someone on the terminal or Zalo to press a button they do not
have; each group's yes/no question fits what the group counts."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.app import App
from bot.domain.chat import Choice, Reply
from bot.platforms.memory import MemoryChat
from bot.platforms.text import render
from handlers import messages as say
from handlers.questions import ask
from handlers.walk import Kind, plan
from tests.conftest import photo
from tests.conversation.helpers import walk_answers

ROOT = Path(__file__).resolve().parents[2]
VIETNAMESE = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.IGNORECASE
)
# Another way to address the person than "thầy/cô": as a word, in any case.
OTHER_ADDRESS = re.compile(r"(?<!\w)(bạn|em)(?!\w)", re.IGNORECASE)
# Words the bot READS (typed commands, the letter folded away, the currency word a sum may
# carry), not words it says: they stay beside the code that reads them, as do the patterns
# given to ``re`` (found by the test itself).
READ_NOT_SAID = {
    ("bot/platforms/console.py", "/ảnh"),
    ("bot/platforms/console.py", "/thoát"),
    ("bot/domain/number_text.py", "đồng"),
    ("bot/domain/number_text.py", "đ"),
    ("handlers/common.py", "đ"),
}
PRESS = ("bấm", "nhấn", "chạm")


def catalogue_texts() -> Iterator[tuple[str, str]]:
    """Every text of the catalogue with the name it is kept under."""

    def walk(name: str, value: object) -> Iterator[tuple[str, str]]:
        if isinstance(value, str):
            yield name, value
        elif isinstance(value, Choice):
            yield name, value.label
        elif isinstance(value, dict):
            for key, inner in value.items():
                yield from walk(f"{name}[{key!r}]", inner)
        elif isinstance(value, tuple | list | frozenset):
            for index, inner in enumerate(value):
                yield from walk(f"{name}[{index}]", inner)

    for name, value in vars(say).items():
        if name.isupper():
            yield from walk(name, value)


def vietnamese_outside_the_catalogue() -> list[tuple[str, str]]:
    """Vietnamese string literals in the code (docstrings and ``re`` patterns aside), by file."""
    found: list[tuple[str, str]] = []
    for package in ("bot", "handlers", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name == "handlers/messages.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            patterns = {
                id(inner)
                for node in ast.walk(tree)
                if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                for inner in ast.walk(node)
            }
            docstrings = {
                id(node.body[0].value)
                for node in ast.walk(tree)
                if isinstance(
                    node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
                )
                and node.body
                and isinstance(node.body[0], ast.Expr)
                and isinstance(node.body[0].value, ast.Constant)
            }
            found += [
                (name, node.value)
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings | patterns
                and VIETNAMESE.search(node.value)
            ]
    return found


def test_the_catalogue_calls_the_person_thay_co_and_nothing_else() -> None:
    texts = dict(catalogue_texts())
    assert len(texts) > 150  # the whole catalogue was read, not a corner of it
    other = {name: text for name, text in texts.items() if OTHER_ADDRESS.search(text)}
    capital = {name: text for name, text in texts.items() if "Thầy/Cô" in text}
    assert other == {}
    assert capital == {}  # "thầy/cô", or "Thầy/cô" at the start of a sentence


def test_the_catalogue_never_says_press() -> None:
    pressing = {
        name: text
        for name, text in catalogue_texts()
        if any(word in text.lower() for word in PRESS)
    }
    assert pressing == {}


def test_no_code_outside_the_catalogue_says_anything_in_vietnamese() -> None:
    found = vietnamese_outside_the_catalogue()
    assert set(found) - READ_NOT_SAID == set()
    assert set(found) >= READ_NOT_SAID  # each exception is still needed


def test_awards_and_funding_are_asked_what_they_count(app: App) -> None:
    campaign = app.engine.campaign
    runs = {
        q.group.number: ask(campaign, q).text
        for q in plan(campaign.form)
        if q.kind is Kind.RUN and q.group is not None
    }
    assert say.ASK_RUN_DEFAULT in runs["6"]
    for number, counted in (("9", "khen thưởng"), ("10", "kinh phí")):
        question = runs[number].splitlines()[1]  # after the group's printed label
        assert counted in question
        assert "hoạt động" not in question and say.ASK_RUN_DEFAULT not in runs[number]


def test_every_narrative_question_says_it_may_be_skipped(app: App) -> None:
    campaign = app.engine.campaign
    narratives = [q for q in plan(campaign.form) if q.kind is Kind.NARRATIVE]
    assert len(narratives) == 3
    for question in narratives:
        reply = ask(campaign, question)
        assert "“Bỏ qua”" in reply.text
        assert say.SKIP in reply.actions


async def test_on_the_terminal_and_zalo_no_reply_says_press(app: App, chat: MemoryChat) -> None:
    """A whole report typed as on Zalo, slips included; every reply is read as Zalo shows it."""
    script, _ = walk_answers(app.engine.campaign, run_every_group=False)
    await chat.send("?")
    await chat.send("xin chào")  # not an answer: a correction with the same question
    for answer in script:
        await chat.send(answer)
    await chat.send("hủy")
    await chat.send("tiếp tục")
    await chat.send_file(b"")  # an empty file: refused, with what to send instead
    for seed in (1, 2, 3):
        await chat.send_file(photo(seed))
    await chat.send("xong")
    for _ in range(3):
        await chat.send("bỏ qua")
    await chat.send("sửa 9")
    await chat.send("2")  # "Không", by its number
    await chat.send("gửi báo cáo")
    assert "Số tiếp nhận" in "\n".join(reply.text for reply in chat.replies)

    shown = [render(reply) for reply in chat.replies]
    assert len(shown) > len(script)
    said_press = [text for text in shown if any(word in text.lower() for word in PRESS)]
    assert said_press == []
    assert any(say.TEXT_NUMBERED_HINT.format(numbers="1 hoặc 2") in text for text in shown)


def test_a_text_platform_asks_for_the_number_to_type() -> None:
    reply = Reply("Chọn:", choices=(say.YES, say.NO, say.ALL))
    assert render(reply).splitlines()[-1] == "Gõ số 1, 2 hoặc 3 để chọn."


def test_every_data_file_problem_has_its_words() -> None:
    source = (ROOT / "bot" / "domain" / "loader.py").read_text(encoding="utf-8")
    reasons = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else None
        name = node.func.id if isinstance(node.func, ast.Name) else name
        at = {"error": 1, "DataFileError": 3}.get(name or "")
        if at is not None and len(node.args) > at and isinstance(node.args[at], ast.Constant):
            reasons.add(node.args[at].value)
    assert len(reasons) > 40
    assert reasons == set(say.DATA_FILE_PROBLEMS)


def test_a_mistake_in_a_data_file_is_told_in_vietnamese(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "bot" / "data", data)
    campaign = data / "campaigns" / "2023.toml"
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(text.replace("min_photos =", "min_photo ="), encoding="utf-8")
    config = tmp_path / "tuanle.toml"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/t.sqlite3"\n'
        f'[campaign]\ndata_dir = "{data}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "units", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    line = text[: text.index("min_photos =")].count("\n") + 1
    assert done.stderr.strip() == (
        f"tuanle: {campaign}, dòng {line}: evidence.min_photo: "
        "không có trường này; các trường hợp lệ: min_photos, max_photos, accept_pdf, source"
        " (có phải “min_photos”?)"
    )
