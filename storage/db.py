"""Connection core of :class:`storage.Storage`: opening, PRAGMAs, migrations, transactions.

:class:`Database` owns the one aiosqlite connection and its lock; each repository
(``storage/users.py``, ``profiles.py``, …) subclasses it and runs its queries through
:meth:`Database._transaction`, :meth:`Database._fetchall` and :meth:`Database._read_snapshot`.
Migrations are the numbered ``storage/migrations/NNNN_name.sql`` files.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import aiosqlite

from storage.clock import _now
from storage.errors import SchemaTooNewError, StorageError, UnknownUserError

log = logging.getLogger(__name__)

MIN_SQLITE_VERSION = (3, 37, 0)  # STRICT tables (3.37), RETURNING (3.35)
DEFAULT_BUSY_TIMEOUT_S = 10.0

_MIGRATION_NAME_RE = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """The numbered ``storage/migrations/NNNN_name.sql`` files, in order, checked contiguous."""
    migrations: list[Migration] = []
    folder = resources.files("storage").joinpath("migrations")
    for entry in folder.iterdir():
        match = _MIGRATION_NAME_RE.fullmatch(entry.name)
        if match:
            migrations.append(
                Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8"))
            )
    migrations.sort(key=lambda m: m.version)
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise StorageError(f"migration files are not numbered 1..n: missing {expected:04d}")
    return migrations


def split_sql(script: str) -> list[str]:
    """Split a script into statements (``executescript`` would COMMIT our transaction)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if statement and statement != ";":
                statements.append(statement)
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise StorageError(f"incomplete SQL statement at end of migration: {buffer.strip()[:80]}")
    return statements


LATEST_SCHEMA_VERSION = len(load_migrations())


DatabaseT = TypeVar("DatabaseT", bound="Database")


class _Opener(Generic[DatabaseT]):
    """``Storage.open(path)`` result: awaitable, and usable as ``async with``."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._storage: DatabaseT | None = None

    def __await__(self) -> Generator[Any, None, DatabaseT]:
        return self._factory().__await__()

    async def __aenter__(self) -> DatabaseT:
        self._storage = await self._factory()
        return self._storage

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._storage is not None:
            await self._storage.close()


class Database:
    """One SQLite connection and its lock; the plumbing every repository runs its SQL through."""

    def __init__(self, connection: aiosqlite.Connection, path: str) -> None:
        self._db = connection
        self.path = path
        self._lock = asyncio.Lock()
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        synchronous: str = "FULL",
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> _Opener[Self]:
        """Open (creating if needed) and migrate the database at ``path``.

        ``synchronous``: ``FULL`` (default) fsyncs the WAL at every commit, so a committed
        change survives a power cut; ``NORMAL`` is also corruption-free in WAL mode but may lose
        the last commits on power loss (never on a process crash). See docs/storage.md.
        """
        return _Opener(lambda: cls._open(path, synchronous=synchronous, busy_timeout=busy_timeout))

    @classmethod
    async def _open(
        cls, path: str | os.PathLike[str], *, synchronous: str, busy_timeout: float
    ) -> Self:
        if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:
            raise StorageError(
                f"SQLite {sqlite3.sqlite_version} is too old; "
                f"ft-job-bot needs {'.'.join(map(str, MIN_SQLITE_VERSION))} or newer"
            )
        if synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
            raise ValueError("synchronous must be FULL, NORMAL or EXTRA")
        location = os.fspath(path)
        if location != ":memory:" and not location.startswith("file:"):
            Path(location).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(location, isolation_level=None, timeout=busy_timeout)
        storage = cls(connection, location)
        try:
            await storage._configure(synchronous.upper(), busy_timeout)
            await storage._migrate()
        except BaseException:
            await connection.close()
            raise
        return storage

    async def _configure(self, synchronous: str, busy_timeout: float) -> None:
        db = self._db
        await db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        rows = await db.execute_fetchall("PRAGMA journal_mode = WAL")
        mode = next(iter(rows))[0]
        if mode != "wal" and self.path != ":memory:":
            raise StorageError(f"could not enable WAL journal mode on {self.path} (got {mode})")
        await db.execute(f"PRAGMA synchronous = {synchronous}")
        await db.execute("PRAGMA foreign_keys = ON")
        await db.execute("PRAGMA temp_store = MEMORY")

    async def _migrate(self) -> None:
        migrations = load_migrations()
        latest = len(migrations)
        async with self._transaction() as db:
            # Creating the bookkeeping table is itself transactional: two processes opening a
            # fresh file at once serialise on BEGIN IMMEDIATE and the second sees the first's work.
            await db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL"
                ") STRICT"
            )
            rows = await db.execute_fetchall("SELECT coalesce(max(version), 0) FROM schema_version")
            current = next(iter(rows))[0]
        if current > latest:
            raise SchemaTooNewError(
                f"database {self.path} has schema version {current}, newer than the {latest} this "
                "version of ft-job-bot knows; upgrade ft-job-bot or point DATABASE_PATH elsewhere"
            )
        for migration in migrations[current:]:
            async with self._transaction() as db:
                # Re-check inside the write lock: another process may have migrated meanwhile.
                rows = await db.execute_fetchall(
                    "SELECT 1 FROM schema_version WHERE version = ?", (migration.version,)
                )
                if rows:
                    continue
                for statement in split_sql(migration.sql):
                    await db.execute(statement)
                await db.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, int(_now().timestamp())),
                )
                await db.execute(f"PRAGMA user_version = {migration.version}")
            log.info("storage: applied migration %04d_%s", migration.version, migration.name)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._lock:
            try:
                await self._db.execute("PRAGMA optimize")
            finally:
                await self._db.close()

    @property
    def closed(self) -> bool:
        return self._closed

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ plumbing

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` under the lock; rolled back on any exception.

        The rollback is queued on aiosqlite's worker thread before the lock is released, and that
        thread runs calls in order, so even a cancelled task cannot leave a transaction open
        for the next one.
        """
        if self._closed:
            raise StorageError("storage is closed")
        async with self._lock:
            try:
                # Inside the try: if the task is cancelled while BEGIN is queued, BEGIN still
                # runs on the worker thread, and the rollback queued below undoes it.
                await self._db.execute("BEGIN IMMEDIATE")
                yield self._db
            except BaseException:
                await self._db.rollback()
                raise
            try:
                await self._db.commit()
            except BaseException:
                await self._db.rollback()
                raise

    async def _fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        if self._closed:
            raise StorageError("storage is closed")
        async with self._lock:
            return list(await self._db.execute_fetchall(sql, params))

    async def _fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        rows = await self._fetchall(sql, params)
        return rows[0] if rows else None

    @asynccontextmanager
    async def _read_snapshot(self) -> AsyncIterator[aiosqlite.Connection]:
        """A deferred read transaction under the lock: several SELECTs see one snapshot."""
        if self._closed:
            raise StorageError("storage is closed")
        async with self._lock:
            try:
                await self._db.execute("BEGIN")
                yield self._db
            finally:
                await self._db.rollback()

    async def schema_version(self) -> int:
        row = await self._fetchone("SELECT coalesce(max(version), 0) FROM schema_version")
        return int(row[0])

    async def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` result (``"ok"`` when the file is sound)."""
        rows = await self._fetchall("PRAGMA integrity_check")
        return "\n".join(str(r[0]) for r in rows)

    async def backup(self, target_path: str | os.PathLike[str]) -> None:
        """Write a consistent copy of the database to ``target_path`` while the bot runs.

        Uses SQLite's online backup API (a plain file copy of a WAL database can miss the
        pages still in the ``-wal`` file). The copy is a normal database: ``Storage.open`` it.
        """
        target = os.fspath(target_path)
        if os.path.exists(target):  # noqa: ASYNC240 - one stat before a long operation
            raise FileExistsError(f"{target} exists; back up to a new file")
        if self._closed:
            raise StorageError("storage is closed")
        destination = await aiosqlite.connect(target)
        try:
            async with self._lock:
                await self._db.backup(destination)
        finally:
            await destination.close()

    @staticmethod
    def _raise_unknown_user(error: sqlite3.IntegrityError, user_id: int) -> None:
        if "FOREIGN KEY" in str(error):
            raise UnknownUserError(f"unknown user {user_id}: call upsert_user first") from error
