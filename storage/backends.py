"""Where the data lives: a SQLite file (the zero-setup default) or a PostgreSQL URL.

``DATABASE_URL=postgresql://user:password@host:5432/db`` selects PostgreSQL (driven by asyncpg);
anything else given to :meth:`storage.Storage.open` is a SQLite path (driven by aiosqlite). Both
go through one SQLAlchemy async engine, so the repositories have one code path.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from storage.errors import StorageError, StorageUnavailableError

Backend = Literal["sqlite", "postgresql"]

_POSTGRES_URL_RE = re.compile(r"^postgres(?:ql)?(?:\+asyncpg)?://", re.IGNORECASE)
POSTGRES_CONNECT_TIMEOUT_S = 10.0
# Prepared statements kept per connection (asyncpg; SQLAlchemy's default is 100). An expanding
# IN list is one SQL text per list length, so a cycle's statements overflowed 100 and were
# prepared again (~3.6 % of a worker's CPU).
POSTGRES_STATEMENT_CACHE = 1000


def is_postgres_url(location: object) -> bool:
    return isinstance(location, str) and bool(_POSTGRES_URL_RE.match(location))


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed storage location: the backend, its SQLAlchemy URL and a printable form."""

    backend: Backend
    url: URL
    # Printable (no password): what error messages and `ft-bot check` show.
    display: str
    sqlite_path: str | None = None


def parse_target(location: str | os.PathLike[str]) -> Target:
    """A PostgreSQL URL (``postgresql://…``) or a SQLite path (``:memory:`` included)."""
    if is_postgres_url(location):
        assert isinstance(location, str)
        try:
            url = make_url(location)
        except ArgumentError:
            raise StorageError("DATABASE_URL is not a valid postgresql:// URL") from None
        url = url.set(drivername="postgresql+asyncpg")
        if not url.database:
            raise StorageError(
                f"DATABASE_URL {url.render_as_string(hide_password=True)} names no database"
            )
        return Target("postgresql", url, url.render_as_string(hide_password=True))
    path = os.fspath(location)
    if path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    url = URL.create("sqlite+aiosqlite", database=path)
    if path.startswith("file:"):
        url = url.update_query_dict({"uri": "true"})
    return Target("sqlite", url, path, sqlite_path=path)


def connection_failure(target: Target, error: BaseException) -> StorageUnavailableError:
    """One clear line for "cannot reach / log in to the database", never the password."""
    cause = getattr(error, "orig", None) or error
    reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    if isinstance(cause, OSError) and not isinstance(cause, TimeoutError):
        reason = f"connection refused or host unreachable ({reason})"
    elif isinstance(cause, TimeoutError):
        reason = f"no answer within {POSTGRES_CONNECT_TIMEOUT_S:.0f} s"
    password = target.url.password
    if password:
        reason = reason.replace(str(password), "***")
    where = f"{target.url.host or 'localhost'}:{target.url.port or 5432}/{target.url.database}"
    return StorageUnavailableError(
        f"cannot connect to PostgreSQL at {where} as {target.url.username or '(default user)'}: "
        f"{reason}"
    )
