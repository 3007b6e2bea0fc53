"""Masks secrets in any text before it is logged or stored.

Tokens travel inside URLs (Telegram's and Zalo's Bot APIs put the token in the path, Telegram's
file URLs too), and errors of HTTP libraries quote the URL; a database URL carries its password.
So the bot never relies on each call site being careful: every log event and every stored error
text passes through one ``Redactor``, which replaces each configured secret, however short (as
written and as URL-encoded; one of 1 or 2 characters only where it stands alone), and anything
shaped like a Telegram bot token or a ``/bot<token>/`` URL segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, quote_plus, unquote, urlsplit

if TYPE_CHECKING:
    from bot.config import Settings

MASK: Final = "***"
# A Telegram bot token: the bot's numeric id, a colon, 35 characters (30+ to be safe).
_TOKEN_SHAPE: Final = re.compile(r"\d{3,}:[A-Za-z0-9_-]{30,}")
# A Bot API path segment, /bot<id>:<secret>/ (also in file URLs), whatever the secret looks like.
_BOT_SEGMENT: Final = re.compile(r"/bot[^/\s\"'?#:%]*(?::|%3[Aa])[^/\s\"'?#]*(?=/)")
# What different encoders leave unescaped: nothing, a path's "/", a URL path's ":@", and
# everything RFC 3986 allows in a path segment (yarl, aiohttp).
_URL_SAFE_SETS: Final = ("", "/", "/:@", "/:@!$&'()*+,;=")
# A configured secret is masked whatever its length, but one of 1 or 2 characters ("pw", "7")
# only where it stands alone (between characters that are not letters or digits, as in a URL's
# "user:pw@"): masked inside words it would blank every "a" and "7" of the log.
_ALONE_UNDER: Final = 3
_ALONE: Final = "(?<![A-Za-z0-9]){}(?![A-Za-z0-9])"


class Redactor:
    """A callable that masks the secrets it was given, and token-shaped text, in any text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            forms.add(secret)
            forms.add(quote_plus(secret))
            forms.update(quote(secret, safe=safe) for safe in _URL_SAFE_SETS)
        # Longest first, so a secret that contains another is masked whole; case-insensitive,
        # since encoders differ on %2b and %2B (masking a little more is harmless).
        self._forms = sorted(forms, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(_alternative(form) for form in self._forms), re.IGNORECASE)
            if self._forms
            else None
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Redactor:
        """Every secret the settings hold: tokens, webhook secrets, the database password."""
        secrets = [
            settings.telegram.token.get_secret_value(),
            settings.telegram.webhook_secret.get_secret_value(),
            settings.zalo.token.get_secret_value(),
            settings.zalo.webhook_secret.get_secret_value(),
        ]
        secrets.extend(database_password(settings.database.url))
        return cls(secrets)

    def __call__(self, text: str) -> str:
        """``text`` with every secret and token-shaped part replaced by ***."""
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        text = _BOT_SEGMENT.sub("/bot" + MASK, text)
        return _TOKEN_SHAPE.sub(MASK, text)

    def value(self, value: Any) -> Any:
        """A log value with its secrets masked: text, containers and objects' text alike."""
        if isinstance(value, str):
            return self(value)
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, Mapping):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self.value(item) for item in value]
        text = str(value)  # an exception, a URL object, a path: logged as its text anyway
        masked = self(text)
        return value if masked == text else masked

    def processor(
        self, _logger: Any, _method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        """A structlog processor: masks every value of the event, exceptions' text included."""
        for key, value in event.items():
            event[key] = self.value(value)
        return event


def _alternative(form: str) -> str:
    """The pattern of one form of a secret: anywhere, or, when very short, only standing alone."""
    escaped = re.escape(form)
    return _ALONE.format(escaped) if len(form) < _ALONE_UNDER else escaped


def database_password(url: str) -> list[str]:
    """The password written in a database URL, raw and decoded; none for SQLite."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return []
    return [password, unquote(password)] if password else []
