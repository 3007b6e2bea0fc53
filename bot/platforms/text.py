"""Replies as plain text, for platforms without buttons (the terminal, Zalo).

Choices become numbered lines the person answers by number or by their words; the ways around
a question (back, skip, review, cancel) become one short hint line. Long texts are split at
line breaks under the platform's limit.
"""

from __future__ import annotations

from bot.domain.chat import Reply
from handlers import messages as say


def render(reply: Reply) -> str:
    """The reply with its choices numbered and its actions as a hint line."""
    lines = [reply.text]
    if reply.choices:
        lines.append("")
        lines += [f"{n}. {choice.label}" for n, choice in enumerate(reply.choices, start=1)]
        numbers = [str(n) for n in range(1, len(reply.choices) + 1)]
        spoken = (
            numbers[0]
            if len(numbers) == 1
            else say.TEXT_OR.join((", ".join(numbers[:-1]), numbers[-1]))
        )
        lines.append(say.TEXT_NUMBERED_HINT.format(numbers=spoken))
    if reply.actions:
        lines.append("(" + " · ".join(a.label.lower() for a in reply.actions) + ")")
    return "\n".join(lines)


def split(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line breaks where possible."""
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            pieces.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def text_pieces(reply: Reply, limit: int) -> list[str]:
    """The pieces of a reply's text; none when a reply of files only has no text."""
    if reply.files and not reply.text.strip():
        return []
    return split(reply.text, limit)
