"""Versioned schema migrations for both backends.

Each backend has its numbered files, ``storage/migrations/sqlite/NNNN_name.sql`` and
``storage/migrations/postgresql/NNNN_name.sql``, the same numbers and names on both sides (a
change ships as one pair). They are frozen DDL: a released migration never changes, so a
database created by any earlier version migrates forward to the same schema as a fresh one.
Each migration runs in one transaction together with its ``schema_version`` row (PostgreSQL and
SQLite both have transactional DDL), so a crash mid-migration leaves the previous version intact.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select

from storage.backends import Backend
from storage.clock import _now
from storage.errors import SchemaTooNewError, StorageError
from storage.schema import schema_version

if TYPE_CHECKING:
    from storage.db import Database

log = logging.getLogger(__name__)

BACKENDS: tuple[Backend, ...] = ("sqlite", "postgresql")
_MIGRATION_NAME_RE = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")

# The bookkeeping table itself, created before anything else (idempotent).
_SCHEMA_VERSION_DDL: dict[Backend, str] = {
    "sqlite": (
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL"
        ") STRICT"
    ),
    "postgresql": (
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
    ),
}
# Serialises migrating processes on PostgreSQL (SQLite has BEGIN IMMEDIATE): an arbitrary key.
_MIGRATION_LOCK_KEY = 0x46_54_42_4F_54  # "FTBOT"


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(backend: Backend = "sqlite") -> list[Migration]:
    """The backend's numbered migration files, in order, checked contiguous."""
    migrations: list[Migration] = []
    folder = resources.files("storage").joinpath("migrations").joinpath(backend)
    for entry in folder.iterdir():
        match = _MIGRATION_NAME_RE.fullmatch(entry.name)
        if match:
            migrations.append(
                Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8"))
            )
    migrations.sort(key=lambda m: m.version)
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise StorageError(
                f"{backend} migration files are not numbered 1..n: missing {expected:04d}"
            )
    return migrations


def split_sql(script: str) -> list[str]:
    """Split a script into statements (drivers run one statement per call).

    ``sqlite3.complete_statement`` knows comments, quotes and trigger bodies; our PostgreSQL
    migrations use no dollar-quoted bodies, so it splits them correctly too.
    """
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


def _latest_version() -> int:
    counts = {backend: len(load_migrations(backend)) for backend in BACKENDS}
    if len(set(counts.values())) != 1:
        raise StorageError(f"the backends' migrations are out of step: {counts}")
    return counts["sqlite"]


LATEST_SCHEMA_VERSION = _latest_version()


async def migrate(database: Database) -> None:
    """Bring ``database`` to the latest schema; refuse a database from a newer program."""
    backend = database.backend
    migrations = load_migrations(backend)
    latest = len(migrations)
    async with database._transaction() as db:
        # Creating the bookkeeping table is itself transactional: two processes opening a fresh
        # database at once serialise (BEGIN IMMEDIATE, advisory lock) and the second sees the
        # first's work.
        if backend == "postgresql":
            await db.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK_KEY)))
        await db.exec_driver_sql(_SCHEMA_VERSION_DDL[backend])
        current = (
            await db.execute(select(func.coalesce(func.max(schema_version.c.version), 0)))
        ).scalar_one()
    if current > latest:
        raise SchemaTooNewError(
            f"database {database.display} has schema version {current}, newer than the "
            f"{latest} this version of ft-job-bot knows; upgrade ft-job-bot or point the "
            "bot at another database"
        )
    for migration in migrations[current:]:
        async with database._transaction() as db:
            if backend == "postgresql":
                await db.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK_KEY)))
            # Re-check inside the write lock: another process may have migrated meanwhile.
            done = await db.execute(
                select(schema_version.c.version).where(
                    schema_version.c.version == migration.version
                )
            )
            if done.first() is not None:
                continue
            for statement in split_sql(migration.sql):
                await db.exec_driver_sql(statement)
            await db.execute(
                insert(schema_version).values(
                    version=migration.version,
                    name=migration.name,
                    applied_at=int(_now().timestamp()),
                )
            )
            if backend == "sqlite":
                await db.exec_driver_sql(f"PRAGMA user_version = {migration.version}")
        log.info("storage: applied migration %04d_%s", migration.version, migration.name)
