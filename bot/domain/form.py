"""The data template ("Mẫu tổng hợp số liệu") as plain types.

A form is loaded from a data file (``bot/data/forms/*.toml``) and never written in code. It is
an ordered list of groups; each group has a row of its own and sub-rows. A row asks measures
(a count of classes or contests, a count of people, a number of pieces, books, đồng, or free
text), or is *derived*: a group row that sums its sub-rows, or a row that counts the units that
held the opening ceremony. Derived rows are never asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class MeasureKind(StrEnum):
    """What a measure holds and therefore how an answer to it is parsed."""

    COUNT = "count"  # a whole number: classes, contests, people, books, pieces
    MONEY = "money"  # a whole number of đồng; "5 triệu" and "1,5tr" are accepted
    TEXT = "text"  # free text, optional


class Column(StrEnum):
    """The column of the printed template a measure lands in."""

    QUANTITY = "quantity"  # "Số lớp/số cuộc thi"
    PEOPLE = "people"  # "Số người"
    NOTE = "note"  # "Ghi chú"


class Derivation(StrEnum):
    """How a derived row gets its value."""

    SUM_CHILDREN = "sum_children"  # the sum of the same measure over the group's sub-rows
    OPENING_HELD = "opening_held"  # 1 per unit (of the row's unit kinds) that held the opening


@dataclass(frozen=True, slots=True)
class Measure:
    """One number (or text) a row asks for."""

    key: str  # "quantity", "people", "amount", "text"
    label: str  # how the bot names it to a teacher: "số lớp", "số người"
    kind: MeasureKind
    column: Column
    unit: str  # unit of measure as spoken: "lớp", "người", "quyển", "đồng"
    maximum: int = 1_000_000


@dataclass(frozen=True, slots=True)
class Item:
    """A row of the template: a group row or one of its sub-rows."""

    code: str  # "1", "1.3", "7.2": stable across years where the row is the same
    label: str  # as printed in the seed
    unit_label: str  # the "Đơn vị" column as printed ("lớp/người", "Số cuộc/người")
    measures: tuple[Measure, ...]
    derivation: Derivation | None = None
    unit_kinds: tuple[str, ...] = ()  # for OPENING_HELD: which unit kinds this row counts
    # A group row whose people total the seed prints on a line of its own (group 1: "Tổng số
    # người tham gia, trong đó:"); "" when its people stand beside its quantity.
    people_label: str = ""

    @property
    def asked(self) -> bool:
        """True when a teacher answers this row (it is not derived and has measures)."""
        return self.derivation is None and bool(self.measures)


@dataclass(frozen=True, slots=True)
class Group:
    """A numbered activity group (1–11) with its own row and its sub-rows."""

    number: str
    row: Item
    children: tuple[Item, ...] = ()
    ask_if_run: bool = True  # ask "did your unit run this?" before the sub-rows
    ask: str = ""  # that yes/no question in the group's own words; "" for the generic one
    # Worked out once: the walk, the totals and every reminder's "còn thiếu" ask for it per
    # report (5,000 reports of a deadline-day tick asked it a hundred thousand times).
    _asked: tuple[Item, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        asked = tuple(item for item in (self.row, *self.children) if item.asked)
        object.__setattr__(self, "_asked", asked)

    @property
    def asked_items(self) -> tuple[Item, ...]:
        """The rows a teacher is asked in this group, in order."""
        return self._asked


@dataclass(frozen=True, slots=True)
class NarrativeQuestion:
    """An optional free-text question of the report outline (Phụ lục, part II)."""

    key: str
    label: str  # as printed in the outline
    prompt: str  # what the bot asks


@dataclass(frozen=True, slots=True)
class Form:
    """A whole template: groups in order, then the outline's narrative questions."""

    code: str
    title: str
    source: str  # the seed it is taken from
    groups: tuple[Group, ...]
    narrative: tuple[NarrativeQuestion, ...] = field(default=())

    def items(self) -> tuple[Item, ...]:
        """Every row, group rows and sub-rows, in printed order."""
        return tuple(item for g in self.groups for item in (g.row, *g.children))

    def item(self, code: str) -> Item:
        """The row with this code; KeyError if there is none."""
        for candidate in self.items():
            if candidate.code == code:
                return candidate
        raise KeyError(code)

    def group_of(self, code: str) -> Group:
        """The group a row belongs to."""
        for group in self.groups:
            if group.row.code == code or any(c.code == code for c in group.children):
                return group
        raise KeyError(code)
