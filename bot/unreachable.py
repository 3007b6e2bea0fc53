"""Tells a database that cannot be reached apart from other faults, in the admin's words.

At start every command opens the database first; when the server is down, the name or port is
wrong, the database does not exist or the login is refused, the driver raises its own errors
(asyncpg's, or plain socket errors, unwrapped by SQLAlchemy). The admin gets one line of the
catalogue naming the host, port and database (never the password) instead of a traceback.
"""

from __future__ import annotations

import errno
import socket

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from handlers import messages as say

# asyncpg's errors of the connection itself, by name (no import: an optional driver).
_ASYNCPG_REASONS = {
    "InvalidCatalogNameError": "no_database",
    "InvalidPasswordError": "login",
    "InvalidAuthorizationSpecificationError": "login",
    "CannotConnectNowError": "busy",
    "TooManyConnectionsError": "busy",
}
_NETWORK_ERRNOS = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH})


class DatabaseUnreachable(Exception):
    """The database could not be opened; ``str()`` is the catalogue's text for the admin."""


def unreachable_reason(error: BaseException) -> str | None:
    """Why the database could not be reached (a key of CLI_DATABASE_REASONS), or None."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        reason = _reason_of(current)
        if reason is not None:
            return reason
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return None


def _reason_of(error: BaseException) -> str | None:
    kind = type(error)
    if kind.__module__.startswith("asyncpg"):
        if kind.__name__ in _ASYNCPG_REASONS:
            return _ASYNCPG_REASONS[kind.__name__]
        return "refused" if "Connection" in kind.__name__ else None
    if isinstance(error, socket.gaierror):
        return "unknown_host"
    if isinstance(error, ConnectionError | TimeoutError):
        return "refused"
    if isinstance(error, OSError):
        # A Unix socket that is not there raises FileNotFoundError without a file name.
        missing_socket = isinstance(error, FileNotFoundError) and error.filename is None
        return "refused" if error.errno in _NETWORK_ERRNOS or missing_socket else None
    return None


def describe_unreachable(url: str, reason: str) -> str:
    """The admin's line: which database on which host and port, and why; no password."""
    try:
        parts = make_url(url)
    except ArgumentError:
        parts = None
    database = (parts.database if parts else None) or "?"
    host = (parts.host if parts else None) or (parts.query.get("host") if parts else None)
    return say.CLI_DATABASE_UNREACHABLE.format(
        database=database,
        host=host or "localhost",
        port=(parts.port if parts else None) or 5432,
        reason=say.CLI_DATABASE_REASONS[reason].format(database=database),
    )
