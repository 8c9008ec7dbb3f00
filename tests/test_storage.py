"""Storage: opening, pragmas, migrations, backup, users.

The other topics: ``test_storage_profiles.py``, ``test_storage_due.py`` (due for alerts, sent
offers), ``test_storage_records.py`` (favourites, stats, GDPR), ``test_storage_concurrency.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from storage import LATEST_SCHEMA_VERSION, SchemaTooNewError, Storage, StorageError
from storage.backends import parse_target
from storage.schema import DATA_TABLES, metadata
from tests import helpers_storage
from tests.helpers_storage import add_user

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

# The storage fixtures, parametrized over both backends (tests/helpers_storage.py).
backend = helpers_storage.backend
fresh_location = helpers_storage.fresh_location
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage


async def run_sql(location: str | Path, *statements: str) -> None:
    """Run statements outside Storage (another program touching the database)."""
    target = parse_target(location)
    engine = create_async_engine(target.url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


# ---------------------------------------------------------------- open / pragmas / migrations


async def test_sqlite_open_sets_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    async with Storage.open(tmp_path / "sub" / "dir" / "db.sqlite3") as s:
        assert s.backend == "sqlite"
        assert await s._fetchone("PRAGMA journal_mode") == ("wal",)
        assert await s._fetchone("PRAGMA foreign_keys") == (1,)
        assert (await s._fetchone("PRAGMA busy_timeout"))[0] >= 1000
        assert (await s._fetchone("PRAGMA synchronous"))[0] == 2  # FULL
        assert await s.schema_version() == LATEST_SCHEMA_VERSION
        assert await s.integrity_check() == "ok"
    assert (tmp_path / "sub" / "dir" / "db.sqlite3").exists()


async def test_postgres_open_creates_the_schema(backend: str, fresh_location: str | Path) -> None:
    async with Storage.open(fresh_location) as s:
        assert s.backend == backend
        assert await s.schema_version() == LATEST_SCHEMA_VERSION
        assert await s.integrity_check() == "ok"
        assert {t.name for t in DATA_TABLES} | {"schema_version"} <= await s.table_names()
        if backend == "postgresql":
            assert "@" not in s.display or ":***@" in s.display  # never the password
            with pytest.raises(StorageError, match="pg_dump"):
                await s.backup("never.sqlite3")


async def test_await_form_and_close_is_idempotent(location: str | Path) -> None:
    s = await Storage.open(location)
    await s.close()
    await s.close()
    with pytest.raises(StorageError):
        await s.get_profile(1)


async def test_memory_database_and_await_then_async_with() -> None:
    async with await Storage.open(":memory:") as s:
        await s.upsert_user(1, 1)
        assert await s.get_user(1) is not None
    assert s.closed
    with pytest.raises(ValueError, match="synchronous"):
        await Storage.open(":memory:", synchronous="OFF")


async def test_reopen_does_not_rerun_migrations(fresh_location: str | Path) -> None:
    async with Storage.open(fresh_location) as s:
        await add_user(s, 7, skills=("cuisine",))
        first = await s._fetchall("SELECT version, applied_at FROM schema_version")
    async with Storage.open(fresh_location) as s:
        assert await s._fetchall("SELECT version, applied_at FROM schema_version") == first
        profile = await s.get_profile(7)
        assert profile is not None and profile.skills == ("cuisine",)


async def test_newer_schema_is_refused_with_clear_error(fresh_location: str | Path) -> None:
    async with Storage.open(fresh_location):
        pass
    await run_sql(
        fresh_location,
        "INSERT INTO schema_version (version, name, applied_at)"  # noqa: S608 - our constant
        f" VALUES ({LATEST_SCHEMA_VERSION + 1}, 'future', 0)",
    )
    with pytest.raises(SchemaTooNewError, match=r"newer than the \d+ this version"):
        await Storage.open(fresh_location)


async def test_older_database_is_migrated(fresh_location: str | Path) -> None:
    """A version-0 database (someone else's, with a table of theirs) gets the whole schema."""
    await run_sql(fresh_location, "CREATE TABLE unrelated (x INTEGER)")
    async with Storage.open(fresh_location) as s:
        assert await s.schema_version() == LATEST_SCHEMA_VERSION
        names = await s.table_names()
        assert {"users", "profiles", "sent_offers", "favourites", "unrelated"} <= names


async def test_failed_migration_leaves_no_trace(
    backend: str, fresh_location: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A migration that fails half-way is rolled back whole (tables and version row)."""
    import storage.migrator as migrator

    real = migrator.load_migrations(backend)  # type: ignore[arg-type]
    broken = migrator.Migration(
        len(real) + 1, "broken", "CREATE TABLE half (x INTEGER);\nSELECT * FROM no_such_table;\n"
    )
    monkeypatch.setattr(migrator, "load_migrations", lambda backend: [*real, broken])
    with pytest.raises(DBAPIError, match="no_such_table"):
        await Storage.open(fresh_location)
    monkeypatch.setattr(migrator, "load_migrations", lambda backend: real)
    async with Storage.open(fresh_location) as s:
        assert await s.schema_version() == len(real)
        assert "half" not in await s.table_names()


async def test_declared_tables_match_the_migrated_schema(storage: Storage) -> None:
    """storage/schema.py (what queries use) and the frozen migrations (what exists) agree."""

    def reflect(sync_conn: Any) -> dict[str, dict[str, bool]]:
        inspector = inspect(sync_conn)
        return {
            name: {col["name"]: bool(col["nullable"]) for col in inspector.get_columns(name)}
            for name in metadata.tables
        }

    async with storage._read_snapshot() as db:
        found = await db.run_sync(reflect)
    for table in metadata.sorted_tables:
        assert set(found[table.name]) == set(table.columns.keys()), table.name
        for column in table.columns:
            if not column.primary_key:
                assert found[table.name][column.name] == column.nullable, column


def test_split_sql_keeps_trigger_bodies_whole() -> None:
    from storage.migrator import split_sql

    script = (
        "-- comment; with semicolon\nCREATE TABLE a (x);\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n"
    )
    statements = split_sql(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")


async def test_online_backup_is_a_complete_database(tmp_path: Path) -> None:
    async with Storage.open(tmp_path / "live.sqlite3") as live:
        await add_user(live, 1, skills=("cuisine 😀",))
        await live.mark_sent(1, ["A1"])
        await live.backup(tmp_path / "copy.sqlite3")
        with pytest.raises(FileExistsError):
            await live.backup(tmp_path / "copy.sqlite3")
    async with Storage.open(tmp_path / "copy.sqlite3") as copy:
        assert await copy.integrity_check() == "ok"
        profile = await copy.get_profile(1)
        assert profile is not None and profile.skills == ("cuisine 😀",)
        assert await copy.filter_unsent(1, ["A1", "B2"]) == ["B2"]


# ---------------------------------------------------------------- users


async def test_upsert_user_creates_then_touches_last_seen_and_unblocks(storage: Storage) -> None:
    created = await storage.upsert_user(5, 5, "Léa", "fr", at=NOW)
    assert created.created_at == created.last_seen_at == NOW and not created.blocked
    assert await storage.mark_blocked(5, at=NOW + timedelta(minutes=1))
    assert not await storage.mark_blocked(5)  # already blocked: nothing changes
    blocked = await storage.get_user(5)
    assert blocked is not None and blocked.blocked
    later = await storage.upsert_user(5, 5, "Léa M.", "fr", at=NOW + timedelta(hours=1))
    assert later.created_at == NOW
    assert later.last_seen_at == NOW + timedelta(hours=1)
    assert later.first_name == "Léa M." and not later.blocked
    assert await storage.get_users([5, 6]) == {5: later}


async def test_user_validation(storage: Storage) -> None:
    with pytest.raises(ValueError, match="user_id"):
        await storage.upsert_user(0, 0)
    with pytest.raises(TypeError, match="user_id"):
        await storage.upsert_user(True, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="first_name is 300 characters"):
        await storage.upsert_user(1, 1, "x" * 300)
    with pytest.raises(ValueError, match="timezone-aware"):
        await storage.upsert_user(1, 1, at=datetime(2026, 1, 1))
