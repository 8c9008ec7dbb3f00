"""Connection core of :class:`storage.Storage`: opening, engine, transactions, snapshots.

:class:`Database` owns one SQLAlchemy async engine, over aiosqlite (SQLite file) or asyncpg
(PostgreSQL URL, see ``storage/backends.py``). Each repository (``storage/users.py``,
``profiles.py``, …) subclasses it and runs SQLAlchemy Core statements built from
``storage/schema.py`` through :meth:`Database._transaction`, :meth:`Database._fetchall` and
:meth:`Database._read_snapshot`, the same code for both backends. Whole-database checks and the
SQLite backup are in ``storage/maintenance.py``.

SQLite keeps the guarantees of the aiosqlite-only version: one connection per ``Storage`` plus an
asyncio lock; WAL, ``synchronous=FULL``, ``foreign_keys=ON``, ``busy_timeout``; every change in
``BEGIN IMMEDIATE … COMMIT`` issued by us (the driver runs in autocommit mode so that it never
opens or commits a transaction behind our back).

PostgreSQL uses a connection pool; every change runs in one READ COMMITTED transaction and
read-modify-write paths take row locks (``FOR NO KEY UPDATE``; SQLite ignores the clause, its
lock is the whole database).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import aiosqlite
from sqlalchemy import Executable, Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage.backends import (
    POSTGRES_CONNECT_TIMEOUT_S,
    POSTGRES_STATEMENT_CACHE,
    Target,
    connection_failure,
    parse_target,
)
from storage.connection import ShieldedConnection, StatementRunner
from storage.errors import StorageError, UnknownUserError
from storage.migrator import LATEST_SCHEMA_VERSION, migrate

log = logging.getLogger(__name__)

MIN_SQLITE_VERSION = (3, 37, 0)  # STRICT tables (3.37), RETURNING (3.35)
DEFAULT_BUSY_TIMEOUT_S = 10.0
# Expanding IN lists are cut into chunks: SQLite and asyncpg both cap bound parameters (32 766).
IN_CHUNK = 5_000
# Connections per process on PostgreSQL (the bot's handlers and the alert cycle share them).
POSTGRES_POOL_SIZE = 5
POSTGRES_MAX_OVERFLOW = 10

__all__ = ["LATEST_SCHEMA_VERSION", "Database", "chunks"]

DatabaseT = TypeVar("DatabaseT", bound="Database")


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Opener(Generic[DatabaseT]):
    """``Storage.open(location)`` result: awaitable, and usable as ``async with``."""

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
    """One engine (SQLite: one connection and its lock); the plumbing every repository uses."""

    def __init__(self, engine: AsyncEngine, target: Target, *, synchronous: str = "FULL") -> None:
        self._engine = engine
        self._target = target
        self.backend = target.backend
        # A SQLite path (``:memory:`` included), or the PostgreSQL URL without its password.
        self.path = target.sqlite_path or target.display
        self.display = target.display
        self._synchronous = synchronous
        self._busy_timeout = DEFAULT_BUSY_TIMEOUT_S
        self._lock = asyncio.Lock()
        self._sqlite_conn: AsyncConnection | None = None
        # SQLite: [the aiosqlite connection under _sqlite_conn] (filled by the engine, see _open).
        self._sqlite_raw: list[aiosqlite.Connection] = []
        # SQLite file: a second, read-only connection for bulk reads (`_fetchall_bulk`).
        self._reader_lock = asyncio.Lock()
        self._reader_engine: AsyncEngine | None = None
        self._reader_conn: AsyncConnection | None = None
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(
        cls,
        location: str | os.PathLike[str],
        *,
        synchronous: str = "FULL",
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> _Opener[Self]:
        """Open (creating if needed) and migrate the database at ``location``.

        ``location``: a ``postgresql://user:password@host:port/db`` URL, or a SQLite path.
        ``synchronous`` (SQLite): ``FULL`` (default) fsyncs the WAL at every commit, so a
        committed change survives a power cut; ``NORMAL`` is also corruption-free in WAL mode
        but may lose the last commits on power loss (never on a process crash). See
        docs/storage.md. Connection failures raise :class:`StorageUnavailableError`.
        """
        return _Opener(
            lambda: cls._open(location, synchronous=synchronous, busy_timeout=busy_timeout)
        )

    @classmethod
    async def _open(
        cls, location: str | os.PathLike[str], *, synchronous: str, busy_timeout: float
    ) -> Self:
        if synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
            raise ValueError("synchronous must be FULL, NORMAL or EXTRA")
        target = parse_target(location)
        if target.backend == "sqlite":
            if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:  # checked before connecting
                raise StorageError(
                    f"SQLite {sqlite3.sqlite_version} is too old; "
                    f"ft-job-bot needs {'.'.join(map(str, MIN_SQLITE_VERSION))} or newer"
                )
            opened: list[aiosqlite.Connection] = []

            async def connect() -> aiosqlite.Connection:
                # We keep the aiosqlite connection: BEGIN/COMMIT go straight to it (one trip to
                # its worker thread each instead of four through a SQLAlchemy cursor).
                connection = await aiosqlite.connect(
                    target.sqlite_path or ":memory:",
                    isolation_level=None,
                    timeout=busy_timeout,
                    uri=(target.sqlite_path or "").startswith("file:"),
                )
                opened[:] = [connection]  # the engine's current connection, for _sqlite_raw
                return connection

            engine = create_async_engine(
                target.url,
                poolclass=NullPool,  # we hold our one connection ourselves
                isolation_level="AUTOCOMMIT",  # we issue BEGIN IMMEDIATE / COMMIT ourselves
                async_creator=connect,
            )
        else:
            engine = create_async_engine(
                target.url,
                pool_size=POSTGRES_POOL_SIZE,
                max_overflow=POSTGRES_MAX_OVERFLOW,
                # No pre-ping (one more round trip per query): after a server restart the first
                # query fails, SQLAlchemy then discards the whole pool and the next one reconnects.
                connect_args={
                    "timeout": POSTGRES_CONNECT_TIMEOUT_S,
                    "prepared_statement_cache_size": POSTGRES_STATEMENT_CACHE,
                },
            )
        storage = cls(engine, target, synchronous=synchronous.upper())
        storage._busy_timeout = busy_timeout
        if target.backend == "sqlite":
            storage._sqlite_raw = opened
        try:
            if target.backend == "sqlite":
                await storage._sqlite_connection()
            else:
                await storage._check_postgres()
            await migrate(storage)
        except BaseException:
            await storage._dispose()
            raise
        return storage

    async def _check_postgres(self) -> None:
        try:
            async with self._engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
        except (DBAPIError, OSError, TimeoutError) as error:
            raise connection_failure(self._target, error) from None

    async def _sqlite_connection(self) -> AsyncConnection:
        """The one SQLite connection, (re)opened and configured when needed.

        SQLAlchemy invalidates a connection after an error it cannot recover from (statements
        are shielded from cancellation, see ``storage/connection.py``): closing it rolled back
        anything open, and the next call reconnects.
        """
        conn = self._sqlite_conn
        if conn is not None and not conn.invalidated and not conn.closed:
            return conn
        if conn is not None:
            await conn.close()
        conn = await self._engine.connect()
        try:
            await self._configure_sqlite(conn)
        except BaseException:
            await conn.close()
            raise
        self._sqlite_conn = conn
        return conn

    async def _configure_sqlite(self, conn: AsyncConnection) -> None:
        await conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        mode = (await conn.exec_driver_sql("PRAGMA journal_mode = WAL")).scalar_one()
        if mode != "wal" and self.path != ":memory:":
            raise StorageError(f"could not enable WAL journal mode on {self.path} (got {mode})")
        await conn.exec_driver_sql(f"PRAGMA synchronous = {self._synchronous}")
        await conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        await conn.exec_driver_sql("PRAGMA temp_store = MEMORY")

    async def _dispose(self) -> None:
        try:
            if self._sqlite_conn is not None:
                conn, self._sqlite_conn = self._sqlite_conn, None
                await conn.close()
        finally:
            try:
                await self._dispose_reader()
            finally:
                await self._engine.dispose()

    async def _dispose_reader(self) -> None:
        try:
            if self._reader_conn is not None:
                conn, self._reader_conn = self._reader_conn, None
                await conn.close()
        finally:
            if self._reader_engine is not None:
                engine, self._reader_engine = self._reader_engine, None
                await engine.dispose()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._lock, self._reader_lock:
            try:
                if self._sqlite_conn is not None and not self._sqlite_conn.invalidated:
                    await self._sqlite_conn.exec_driver_sql("PRAGMA optimize")
            finally:
                await self._dispose()

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

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("storage is closed")

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[StatementRunner]:
        """One write transaction, committed at the end, rolled back on any exception.

        SQLite: ``BEGIN IMMEDIATE`` … ``COMMIT`` under the lock; on any exception (a cancelled
        task included) the statement in flight finishes, the transaction is rolled back on the
        same connection, and only then is the lock released (shielded from a second
        cancellation): no transaction is ever left open for the next caller. See
        ``storage/connection.py``. PostgreSQL: a pooled connection in a READ COMMITTED
        transaction.
        """
        self._check_open()
        if self.backend == "postgresql":
            async with self._engine.begin() as conn:
                session = ShieldedConnection(conn)
                try:
                    yield session
                except BaseException:
                    await asyncio.shield(session.settle())  # then begin() rolls back
                    raise
            return
        await self._lock.acquire()
        session: ShieldedConnection | None = None
        try:
            session = ShieldedConnection(await self._sqlite_connection())
            # Inside the try: if the task is cancelled while BEGIN is queued, BEGIN still runs
            # on the worker thread, and the rollback queued after it undoes it.
            await self._sqlite_raw[-1].execute("BEGIN IMMEDIATE")
            yield session
            await self._sqlite_raw[-1].commit()
        except BaseException:
            await asyncio.shield(self._sqlite_abort(session))
            raise
        self._lock.release()

    async def _sqlite_abort(self, session: ShieldedConnection | None) -> None:
        """Let the statement in flight finish, roll back, release the lock (in this order)."""
        try:
            if session is not None:
                await session.settle()
            conn = self._sqlite_conn
            # A connection SQLAlchemy closed has rolled back by closing.
            if conn is not None and not conn.invalidated and not conn.closed:
                await self._sqlite_raw[-1].rollback()  # a no-op outside a transaction
        finally:
            self._lock.release()

    @asynccontextmanager
    async def _read_snapshot(self) -> AsyncIterator[StatementRunner]:
        """A read-only transaction: several SELECTs see one snapshot."""
        self._check_open()
        if self.backend == "postgresql":
            async with self._engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="REPEATABLE READ")
                async with conn.begin():
                    session = ShieldedConnection(conn)
                    await session.exec_driver_sql("SET TRANSACTION READ ONLY")
                    try:
                        yield session
                    finally:
                        await asyncio.shield(session.settle())
            return
        await self._lock.acquire()
        session: ShieldedConnection | None = None
        try:
            session = ShieldedConnection(await self._sqlite_connection())
            await self._sqlite_raw[-1].execute("BEGIN")
            yield session
        finally:
            await asyncio.shield(self._sqlite_abort(session))

    async def _fetchall(
        self, statement: Executable | str, params: dict[str, Any] | None = None
    ) -> list[Row[Any]]:
        """Rows of one query (a plain string is SQL text with ``:name`` parameters)."""
        self._check_open()
        query = text(statement) if isinstance(statement, str) else statement
        if self.backend == "postgresql":
            async with self._engine.connect() as conn:
                return await self._fetch_shielded(ShieldedConnection(conn), query, params)
        async with self._lock:
            session = ShieldedConnection(await self._sqlite_connection())
            return await self._fetch_shielded(session, query, params)

    def _has_reader(self) -> bool:
        """A SQLite file (not ``:memory:``, whose second connection would be another database,
        nor a ``file:`` URI that may be one) can be read by a second connection."""
        path = self._target.sqlite_path
        return (
            self.backend == "sqlite"
            and bool(path)
            and path != ":memory:"
            and not (path.startswith("file:"))
        )

    async def _reader_connection(self) -> AsyncConnection:
        """The read-only SQLite connection, opened on first use (reopened after an error)."""
        conn = self._reader_conn
        if conn is not None and not conn.invalidated and not conn.closed:
            return conn
        if conn is not None:
            await conn.close()
        if self._reader_engine is None:
            path = self._target.sqlite_path or ""
            timeout = self._busy_timeout

            async def connect() -> aiosqlite.Connection:
                return await aiosqlite.connect(path, isolation_level=None, timeout=timeout)

            self._reader_engine = create_async_engine(
                self._target.url,
                poolclass=NullPool,
                isolation_level="AUTOCOMMIT",
                async_creator=connect,
            )
        conn = await self._reader_engine.connect()
        try:
            await conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            await conn.exec_driver_sql("PRAGMA query_only = ON")
            await conn.exec_driver_sql("PRAGMA temp_store = MEMORY")
        except BaseException:
            await conn.close()
            raise
        self._reader_conn = conn
        return conn

    async def _fetchall_bulk(
        self, statement: Executable | str, params: dict[str, Any] | None = None
    ) -> list[Row[Any]]:
        """Rows of one large read-only query (an alert cycle's reads of the offers table and of
        the offers already sent). On a SQLite file it runs on a second, read-only connection:
        WAL lets it read while the main connection writes, so the records of the digests being
        sent do not wait behind a long read (it sees every commit made before it starts).
        Elsewhere it is ``_fetchall``."""
        if not self._has_reader():
            return await self._fetchall(statement, params)
        self._check_open()
        query = text(statement) if isinstance(statement, str) else statement
        async with self._reader_lock:
            session = ShieldedConnection(await self._reader_connection())
            return await self._fetch_shielded(session, query, params)

    @staticmethod
    async def _fetch_shielded(
        session: ShieldedConnection, query: Executable, params: dict[str, Any] | None
    ) -> list[Row[Any]]:
        try:
            result = await session.execute(query, params or {})
        except BaseException:
            # The connection (SQLite: the lock) is handed on only once the statement is over.
            await asyncio.shield(session.settle())
            raise
        return list(result.all()) if result.returns_rows else []

    async def _fetchone(
        self, statement: Executable | str, params: dict[str, Any] | None = None
    ) -> Row[Any] | None:
        rows = await self._fetchall(statement, params)
        return rows[0] if rows else None

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert:
        """An INSERT with this backend's ``on_conflict_do_update`` / ``on_conflict_do_nothing``."""
        if self.backend == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    @staticmethod
    def _raise_unknown_user(error: IntegrityError, user_id: int) -> None:
        if "foreign key" in str(error.orig).lower():
            raise UnknownUserError(f"unknown user {user_id}: call upsert_user first") from error

    @staticmethod
    def _in_chunks(values: Iterable[Any]) -> Iterator[Sequence[Any]]:
        return chunks(list(values))
