"""Load forms and campaigns from their TOML data files (``bot/data``).

The data files are edited by people, not programs, so every mistake is reported as a
:class:`DataFileError` that names the file, the line and the field, for example::

    bot/data/campaigns/2025.toml:52: deadlines[1].before: expected a date like 2025-10-15 ...

Field paths count entries from 0: ``deadlines[1]`` is the second ``[[deadlines]]`` table.
``tomllib`` keeps no positions, so a small scanner over the raw text (:class:`_Locator`) finds the
line of a key inside the Nth ``[[table]]``, falling back to the table's header line when the key
is missing.

Only the standard library and the domain types are used here.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from bot.domain.campaign import Campaign, Deadline, EvidenceRule, Level
from bot.domain.form import (
    Column,
    Derivation,
    Form,
    Group,
    Item,
    Measure,
    MeasureKind,
    NarrativeQuestion,
)

__all__ = [
    "MEASURE_KEYS",
    "UNIT_KINDS",
    "DataFileError",
    "default_data_dir",
    "load_campaign",
    "load_campaigns",
    "load_form",
]

UNIT_KINDS: tuple[str, ...] = ("school", "centre", "commune", "district", "province")
"""The kinds of reporting unit a row may count (``unit_kinds`` of an ``opening_held`` row)."""

MEASURE_KEYS: tuple[str, ...] = ("quantity", "people", "amount", "text")
"""What a measure's answer is stored under on a row."""

_E = TypeVar("_E", bound=StrEnum)
_PathPart = str | int
_FieldPath = tuple[_PathPart, ...]


class DataFileError(ValueError):
    """A data file is wrong at a line and a field, for a reason named by a code.

    The domain says nothing itself: ``reason`` picks the text in handlers/messages.py
    (``DATA_FILE_PROBLEMS``) and ``params`` fill it; a ``suggestion`` param is the close match
    of a typo. ``str(err)`` is ``f"{path}:{line}: {field}: {reason}"`` plus the params, for logs.
    """

    def __init__(
        self,
        path: Path,
        line: int,
        field: str,
        reason: str,
        params: Mapping[str, str] | None = None,
    ) -> None:
        self.params: dict[str, str] = dict(params or {})
        detail = "; ".join(f"{key}={value}" for key, value in self.params.items())
        super().__init__(f"{path}:{line}: {field}: {reason}" + (f" ({detail})" if detail else ""))
        self.path = path
        self.line = line
        self.field = field
        self.reason = reason

    def __reduce__(
        self,
    ) -> tuple[type[DataFileError], tuple[Path, int, str, str, dict[str, str]]]:
        return (DataFileError, (self.path, self.line, self.field, self.reason, self.params))


def default_data_dir() -> Path:
    """The data shipped with the package: ``bot/data`` (``campaigns/`` and ``forms/``)."""
    return Path(__file__).resolve().parent.parent / "data"


# ---------------------------------------------------------------------------------------------
# Locating a field's line in the raw text


def _format_field(path: _FieldPath) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(top level)"


_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_KEY_RE = re.compile(rf"\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
_ARRAY_HEADER_RE = re.compile(
    rf"\s*\[\[\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*\]\]\s*(?:#.*)?$"
)
_TABLE_HEADER_RE = re.compile(rf"\s*\[\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*\]\s*(?:#.*)?$")
_BARE_WORD_RE = re.compile(r"\s*([A-Za-z0-9_.-]+)")
_TOML_POSITION_RE = re.compile(r"\s*\(at line (\d+), column \d+\)$|\s*\(at end of document\)$")


def _key_parts(text: str) -> tuple[str, ...]:
    parts = re.findall(_KEY_PART, text)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


@dataclass(slots=True)
class _Section:
    """A table of the file: the top level, a ``[table]`` or the Nth ``[[array]]`` entry."""

    path: _FieldPath  # (), ("evidence",), ("groups", 3, "children", 1)
    header_line: int
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)  # dotted key -> (first, last)


class _ValueScanner:
    """Tracks whether a value continues on the next line (open string or bracket)."""

    def __init__(self) -> None:
        self.delimiter: str | None = None  # an open multi-line string's quotes
        self.depth = 0  # open [ and {

    @property
    def closed(self) -> bool:
        return self.delimiter is None and self.depth == 0

    def feed(self, text: str) -> None:
        i = 0
        while i < len(text):
            if self.delimiter is not None:
                end = text.find(self.delimiter, i)
                if end < 0:
                    return
                i = end + 3
                self.delimiter = None
                continue
            char = text[i]
            if char == "#":
                return
            if text.startswith('"""', i) or text.startswith("'''", i):
                self.delimiter = text[i : i + 3]
                i += 3
            elif char == '"':
                i += 1
                while i < len(text) and text[i] != '"':
                    i += 2 if text[i] == "\\" else 1
                i += 1
            elif char == "'":
                end = text.find("'", i + 1)
                i = len(text) if end < 0 else end + 1
            else:
                if char in "[{":
                    self.depth += 1
                elif char in "]}":
                    self.depth = max(0, self.depth - 1)
                i += 1


class _Locator:
    """Finds the line of a field path in a TOML text; tolerant of text tomllib rejects."""

    def __init__(self, text: str) -> None:
        self.line_count = max(1, len(text.splitlines()))
        self.sections: list[_Section] = [_Section((), 1)]
        arrays: dict[_FieldPath, int] = {}  # an array of tables' concrete path -> its last index
        scanner = _ValueScanner()
        section = self.sections[0]
        open_key: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if not scanner.closed:
                scanner.feed(line)
                if scanner.closed and open_key is not None:
                    section.keys[open_key] = (section.keys[open_key][0], number)
                    open_key = None
                continue
            if match := _ARRAY_HEADER_RE.match(line):
                parts = _key_parts(match.group(1))
                parent = self._resolve(parts[:-1], arrays)
                array = (*parent, parts[-1])
                arrays[array] = arrays.get(array, -1) + 1
                section = _Section((*array, arrays[array]), number)
                self.sections.append(section)
            elif match := _TABLE_HEADER_RE.match(line):
                section = _Section(self._resolve(_key_parts(match.group(1)), arrays), number)
                self.sections.append(section)
            elif match := _KEY_RE.match(line):
                key = ".".join(_key_parts(match.group(1)))
                section.keys.setdefault(key, (number, number))
                scanner.feed(line[match.end() :])
                open_key = None if scanner.closed else key
        if open_key is not None:  # a string or array never closed: it runs to the end
            section.keys[open_key] = (section.keys[open_key][0], self.line_count)

    @staticmethod
    def _resolve(parts: Iterable[str], arrays: Mapping[_FieldPath, int]) -> _FieldPath:
        concrete: list[_PathPart] = []
        for part in parts:
            concrete.append(part)
            index = arrays.get(tuple(concrete))
            if index is not None:
                concrete.append(index)
        return tuple(concrete)

    def line_of(self, path: _FieldPath) -> int:
        """The line of the key at ``path``, else of the table it belongs in."""
        best = self.sections[0]
        for section in self.sections:
            size = len(section.path)
            if path[:size] == section.path and size > len(best.path):
                best = section
        rest = path[len(best.path) :]
        names: list[str] = []
        for part in rest:
            if isinstance(part, int):
                break
            names.append(part)
        for size in range(len(names), 0, -1):
            found = best.keys.get(".".join(names[:size]))
            if found is not None:
                return found[0]
        if rest:  # an implicit table such as [measures] in [measures.classes]: its first header
            for section in self.sections:
                if section.path[: len(path)] == path:
                    return section.header_line
        return best.header_line

    def field_at(self, line: int, text: str) -> _FieldPath:
        """The field a line belongs to (for syntax errors, where tomllib gives only a line)."""
        section = self.sections[0]
        for candidate in self.sections:
            if candidate.header_line <= line:
                section = candidate
        for key, (first, last) in section.keys.items():
            if first <= line <= last:
                return (*section.path, *key.split("."))
        lines = text.splitlines()
        content = lines[line - 1] if 0 < line <= len(lines) else ""
        if content.lstrip().startswith("["):  # a broken table header: name the table
            return _key_parts(content.lstrip().lstrip("[").split("]")[0]) or section.path
        word = _BARE_WORD_RE.match(content)
        if word is None or line == section.header_line:
            return section.path
        return (*section.path, *word.group(1).split("."))  # a key whose "=" is missing


# ---------------------------------------------------------------------------------------------
# Reading typed values with their paths


def _describe(value: object) -> str:
    """The value as TOML writes it, so the message needs no words: true, 5, "abc", [...]."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[...]"
    if isinstance(value, dict):
        return "{...}"
    return type(value).__name__


def _nfc(text: str) -> str:
    """Text pasted from a PDF often carries decomposed accents; store what a phone types."""
    return unicodedata.normalize("NFC", text)


def _one_of(value: str, allowed: Iterable[str]) -> dict[str, str]:
    """The params of an "unknown_value" error: the value, the choices, a close match."""
    choices = list(allowed)
    close = difflib.get_close_matches(value, choices, n=1)
    return {
        "value": value,
        "expected": ", ".join(choices),
        "suggestion": close[0] if close else "",
    }


class _Source:
    """One data file: its path and a locator over its text."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.locator = _Locator(text)

    def error(self, path: _FieldPath, reason: str, params: Mapping[str, str]) -> DataFileError:
        line = self.locator.line_of(path)
        return DataFileError(self.path, line, _format_field(path), reason, params)


@dataclass(frozen=True, slots=True)
class _Table:
    """A TOML table with its path, reading each field with its type checked."""

    source: _Source
    data: Mapping[str, object]
    path: _FieldPath

    def error(
        self, at: _PathPart | _FieldPath | None, reason: str, /, **params: str
    ) -> DataFileError:
        if at is None:
            where: _FieldPath = ()
        elif isinstance(at, tuple):
            where = at
        else:
            where = (at,)
        return self.source.error((*self.path, *where), reason, params)

    def only(self, *allowed: str) -> None:
        """Refuse keys this table does not know: a typo must not pass silently."""
        for key in self.data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                suggestion = close[0] if close else ""
                expected = ", ".join(allowed)
                raise self.error(key, "unknown_field", expected=expected, suggestion=suggestion)

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str) -> object:
        if key not in self.data:
            raise self.error(key, "missing")
        return self.data[key]

    def string(self, key: str, *, default: str | None = None, empty: bool = False) -> str:
        if default is not None and key not in self.data:
            return default
        value = self._get(key)
        if not isinstance(value, str):
            raise self.error(key, "expected_string", got=_describe(value))
        if not empty and not value.strip():
            raise self.error(key, "empty")
        if value != value.strip():
            raise self.error(key, "spaces")
        return _nfc(value)

    def integer(self, key: str) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, "expected_integer", got=_describe(value))
        return value

    def boolean(self, key: str, *, default: bool | None = None) -> bool:
        if default is not None and key not in self.data:
            return default
        value = self._get(key)
        if not isinstance(value, bool):
            raise self.error(key, "expected_boolean", got=_describe(value))
        return value

    def day(self, key: str) -> date:
        value = self._get(key)
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.error(key, "expected_date", got=_describe(value))
        return value

    def strings(self, key: str, *, empty_list: bool = True) -> tuple[str, ...]:
        value = self._get(key)
        if not isinstance(value, list):
            raise self.error(key, "expected_strings", got=_describe(value))
        result: list[str] = []
        for index, element in enumerate(value):
            if not isinstance(element, str) or not element.strip():
                raise self.error((key, index), "expected_string", got=_describe(element))
            result.append(_nfc(element))
        if not empty_list and not result:
            raise self.error(key, "empty_list")
        return tuple(result)

    def choice(self, key: str, enum: type[_E]) -> _E:
        text = self.string(key)
        try:
            return enum(text)
        except ValueError:
            raise self.error(
                key, "unknown_value", **_one_of(text, (str(m) for m in enum))
            ) from None

    def table(self, key: str) -> _Table:
        value = self._get(key)
        if not isinstance(value, dict):
            raise self.error(key, "expected_table", key=key, got=_describe(value))
        return _Table(self.source, value, (*self.path, key))

    def tables(self, key: str, *, required: bool = False) -> tuple[_Table, ...]:
        if not required and key not in self.data:
            return ()
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, "expected_tables", key=key, got=_describe(value))
        if required and not value:
            raise self.error(key, "tables_required", key=key)
        return tuple(_Table(self.source, v, (*self.path, key, i)) for i, v in enumerate(value))


def _read(path: Path) -> _Table:
    """Parse one TOML file; a syntax error becomes a DataFileError with its line."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataFileError(path, line, "(file)", "not_utf8") from None
    text = text.removeprefix("\ufeff")  # a byte-order mark some Windows editors add
    source = _Source(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        position = _TOML_POSITION_RE.search(message)
        if position is None:
            line = 1
        elif position.group(1) is None:
            line = source.locator.line_count
        else:
            line = int(position.group(1))
        problem = _TOML_POSITION_RE.sub("", message)
        at = source.locator.field_at(line, text)
        raise DataFileError(
            path, line, _format_field(at), "toml_syntax", {"detail": problem}
        ) from None
    return _Table(source, data, ())


# ---------------------------------------------------------------------------------------------
# Forms


_GROUP_CODE_RE = re.compile(r"[1-9][0-9]*")


def _measure(table: _Table) -> Measure:
    table.only("key", "label", "kind", "column", "unit", "maximum")
    key = table.string("key")
    if key not in MEASURE_KEYS:
        raise table.error("key", "unknown_value", **_one_of(key, MEASURE_KEYS))
    label = table.string("label")
    kind = table.choice("kind", MeasureKind)
    column = table.choice("column", Column)
    unit = table.string("unit", empty=kind is MeasureKind.TEXT)
    if (kind is MeasureKind.TEXT) != (column is Column.NOTE):
        raise table.error("column", "text_column")
    if not table.has("maximum"):
        return Measure(key=key, label=label, kind=kind, column=column, unit=unit)
    maximum = table.integer("maximum")
    if maximum <= 0:
        raise table.error("maximum", "not_positive", got=str(maximum))
    return Measure(key=key, label=label, kind=kind, column=column, unit=unit, maximum=maximum)


def _measures(root: _Table) -> dict[str, Measure]:
    if not root.has("measures"):
        return {}
    table = root.table("measures")
    return {name: _measure(table.table(name)) for name in table.data}


_ITEM_KEYS = ("code", "label", "unit_label", "measures", "derivation", "unit_kinds")


def _item(table: _Table, presets: Mapping[str, Measure], *, group_row: bool) -> Item:
    """A row's own fields (group-only fields are checked by the caller)."""
    code = table.string("code")
    label = table.string("label")
    unit_label = table.string("unit_label", default="", empty=True)
    names = table.strings("measures")
    measures: list[Measure] = []
    for index, name in enumerate(names):
        measure = presets.get(name)
        if measure is None:
            known = ", ".join(presets) or "none"
            raise table.error(("measures", index), "no_measure", name=name, known=known)
        if any(m.key == measure.key for m in measures):
            raise table.error(("measures", index), "measure_key_twice", key=measure.key)
        measures.append(measure)
    derivation = table.choice("derivation", Derivation) if table.has("derivation") else None
    unit_kinds: tuple[str, ...] = ()
    if table.has("unit_kinds"):
        unit_kinds = table.strings("unit_kinds", empty_list=False)
        for index, kind in enumerate(unit_kinds):
            if kind not in UNIT_KINDS:
                raise table.error(
                    ("unit_kinds", index), "unknown_value", **_one_of(kind, UNIT_KINDS)
                )
        if derivation is not Derivation.OPENING_HELD:
            raise table.error("unit_kinds", "unit_kinds_without_opening")
    if derivation is Derivation.OPENING_HELD and not unit_kinds:
        raise table.error("unit_kinds", "opening_needs_kinds")
    if derivation is Derivation.SUM_CHILDREN and not group_row:
        raise table.error("derivation", "sum_on_sub_row")
    if derivation is not None and not measures:
        raise table.error("measures", "derived_needs_measure")
    if derivation is not None and any(m.kind is MeasureKind.TEXT for m in measures):
        raise table.error("measures", "derived_text")
    people_label = ""
    if table.has("people_label"):  # only a group row has it: sub-rows refuse the key
        people_label = table.string("people_label")
        if not any(m.column is Column.PEOPLE for m in measures):
            raise table.error("people_label", "people_label_without_people")
    return Item(
        code=code,
        label=label,
        unit_label=unit_label,
        measures=tuple(measures),
        derivation=derivation,
        unit_kinds=unit_kinds,
        people_label=people_label,
    )


def _group(table: _Table, presets: Mapping[str, Measure], codes: dict[str, _FieldPath]) -> Group:
    table.only(*_ITEM_KEYS, "people_label", "ask_if_run", "ask", "children")
    row = _item(table, presets, group_row=True)
    if not _GROUP_CODE_RE.fullmatch(row.code):
        raise table.error("code", "group_code", got=row.code)
    _claim(table, row.code, codes)
    children: list[Item] = []
    child_code = re.compile(rf"{re.escape(row.code)}\.[1-9][0-9]*")
    for child_table in table.tables("children"):
        child_table.only(*_ITEM_KEYS)
        child = _item(child_table, presets, group_row=False)
        if not child_code.fullmatch(child.code):
            raise child_table.error("code", "child_code", group=row.code, got=child.code)
        _claim(child_table, child.code, codes)
        children.append(child)
    if row.derivation is Derivation.SUM_CHILDREN:
        if not children:
            raise table.error("derivation", "sum_needs_children")
        for index, measure in enumerate(row.measures):
            same = [m for c in children for m in c.measures if m.key == measure.key]
            if not same:
                raise table.error(("measures", index), "nothing_to_sum", key=measure.key)
            if any(m.kind is not measure.kind for m in same):
                raise table.error(("measures", index), "sum_kinds_differ", key=measure.key)
    group = Group(
        number=row.code,
        row=row,
        children=tuple(children),
        ask_if_run=table.boolean("ask_if_run", default=True),
        ask=table.string("ask") if table.has("ask") else "",
    )
    if group.ask and not group.ask_if_run:
        raise table.error("ask", "ask_without_run")
    if group.ask_if_run and not any(child.asked for child in group.children):
        raise table.error("ask_if_run", "run_needs_children")
    return group


def _claim(table: _Table, code: str, codes: dict[str, _FieldPath]) -> None:
    first = codes.get(code)
    if first is not None:
        line = table.source.locator.line_of(first)
        raise table.error("code", "code_twice", code=code, line=str(line))
    codes[code] = (*table.path, "code")


def _narrative(root: _Table) -> tuple[NarrativeQuestion, ...]:
    questions: list[NarrativeQuestion] = []
    for table in root.tables("narrative"):
        table.only("key", "label", "prompt")
        question = NarrativeQuestion(
            key=table.string("key"), label=table.string("label"), prompt=table.string("prompt")
        )
        if any(q.key == question.key for q in questions):
            raise table.error("key", "key_twice", key=question.key)
        questions.append(question)
    return tuple(questions)


def load_form(path: Path) -> Form:
    """Read and check a form file (``bot/data/forms/<code>.toml``)."""
    root = _read(path)
    root.only("code", "title", "source", "measures", "groups", "narrative")
    code = root.string("code")
    if code != path.stem:
        raise root.error("code", "form_code", expected=path.stem, got=code)
    title = root.string("title")
    source = root.string("source")
    presets = _measures(root)
    codes: dict[str, _FieldPath] = {}
    groups = tuple(_group(t, presets, codes) for t in root.tables("groups", required=True))
    return Form(code=code, title=title, source=source, groups=groups, narrative=_narrative(root))


# ---------------------------------------------------------------------------------------------
# Campaigns


def _evidence(table: _Table) -> EvidenceRule:
    table.only("min_photos", "max_photos", "accept_pdf", "source")
    min_photos = table.integer("min_photos")
    if min_photos < 1:
        raise table.error("min_photos", "at_least_one", got=str(min_photos))
    max_photos = table.integer("max_photos")
    if max_photos < min_photos:
        raise table.error("max_photos", "max_below_min", min=str(min_photos))
    return EvidenceRule(
        min_photos=min_photos,
        max_photos=max_photos,
        accept_pdf=table.boolean("accept_pdf"),
        source=table.string("source"),
    )


def _deadlines(root: _Table, week_end: date) -> tuple[Deadline, ...]:
    deadlines: list[tuple[_Table, Deadline]] = []
    for table in root.tables("deadlines"):
        table.only("level", "before", "to", "source")
        deadline = Deadline(
            level=table.choice("level", Level),
            before=table.day("before"),
            to=table.string("to"),
            source=table.string("source"),
        )
        if any(d.level is deadline.level for _, d in deadlines):
            raise table.error("level", "deadline_twice", level=str(deadline.level))
        if deadline.before <= week_end:
            raise table.error("before", "deadline_in_week", week_end=week_end.isoformat())
        deadlines.append((table, deadline))
    chain = list(Level)
    for table, deadline in deadlines:
        for _, lower in deadlines:
            below = chain.index(lower.level) < chain.index(deadline.level)
            if below and lower.before > deadline.before:
                raise table.error(
                    "before",
                    "deadline_order",
                    before=deadline.before.isoformat(),
                    lower_level=str(lower.level),
                    lower_before=lower.before.isoformat(),
                )
    return tuple(d for _, d in deadlines)


def _load_campaign(path: Path, forms_dir: Path, forms: dict[str, Form]) -> Campaign:
    root = _read(path)
    root.only(
        "year",
        "theme",
        "week_start",
        "week_end",
        "opening_day",
        "form",
        "sources",
        "evidence",
        "deadlines",
    )
    year = root.integer("year")
    if path.stem.isdigit() and int(path.stem) != year:
        raise root.error("year", "year_mismatch", name=path.name, stem=path.stem, year=str(year))
    theme = root.string("theme")
    week_start = root.day("week_start")
    week_end = root.day("week_end")
    opening_day = root.day("opening_day")
    if week_start.year != year:
        raise root.error(
            "week_start", "week_start_year", week_start=week_start.isoformat(), year=str(year)
        )
    if week_end < week_start:
        raise root.error(
            "week_end",
            "week_end_before",
            week_end=week_end.isoformat(),
            week_start=week_start.isoformat(),
        )
    if not week_start <= opening_day <= week_end:
        raise root.error(
            "opening_day",
            "opening_outside",
            opening=opening_day.isoformat(),
            start=week_start.isoformat(),
            end=week_end.isoformat(),
        )
    form_code = root.string("form")
    form = forms.get(form_code)
    if form is None:
        form_path = forms_dir / f"{form_code}.toml"
        if not form_path.is_file():
            raise root.error("form", "no_form_file", path=str(form_path))
        form = forms[form_code] = load_form(form_path)
    sources = root.strings("sources", empty_list=False)
    if len(set(sources)) != len(sources):
        raise root.error("sources", "source_twice")
    return Campaign(
        year=year,
        theme=theme,
        week_start=week_start,
        week_end=week_end,
        opening_day=opening_day,
        deadlines=_deadlines(root, week_end),
        evidence=_evidence(root.table("evidence")),
        form=form,
        sources=sources,
    )


def load_campaign(path: Path, forms_dir: Path) -> Campaign:
    """Read and check a campaign file; its form is read from ``forms_dir/<form>.toml``."""
    return _load_campaign(path, forms_dir, {})


def load_campaigns(data_dir: Path | None = None) -> dict[int, Campaign]:
    """Every ``<data_dir>/campaigns/*.toml`` by year (default: the package's ``bot/data``)."""
    base = default_data_dir() if data_dir is None else data_dir
    forms: dict[str, Form] = {}
    campaigns: dict[int, Campaign] = {}
    first_file: dict[int, Path] = {}
    for path in sorted((base / "campaigns").glob("*.toml")):
        campaign = _load_campaign(path, base / "forms", forms)
        if campaign.year in campaigns:
            raise _read(path).error(
                "year", "year_twice", year=str(campaign.year), other=str(first_file[campaign.year])
            )
        campaigns[campaign.year] = campaign
        first_file[campaign.year] = path
    return dict(sorted(campaigns.items()))
