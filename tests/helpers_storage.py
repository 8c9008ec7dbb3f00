"""Shared helpers and fixtures for the storage tests (imported explicitly).

The fixtures run every storage test on both backends: ``backend`` is parametrized ``sqlite`` /
``postgresql``. PostgreSQL tests share the session's one server (``tests/conftest_postgres.py``)
and one database, emptied with a TRUNCATE before each test; tests about creating or migrating a
database get a fresh one (``fresh_location``).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from storage import Storage
from storage.schema import DATA_TABLES

PARIS = ZoneInfo("Europe/Paris")


def paris(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    """An aware Europe/Paris instant (``fold=1`` picks the second of a repeated hour)."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS, fold=fold)


async def open_storage(tmp_path: Path, name: str = "bot.sqlite3") -> Storage:
    return await Storage.open(tmp_path / name)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def shared_postgres_url(postgres_server: object) -> str:
    """One database for the PostgreSQL storage tests (emptied before each test).

    Each test module that imports this fixture gets its own instance, hence the unique name.
    """
    name = f"storage_{secrets.token_hex(4)}"
    return postgres_server.create_database(name)  # type: ignore[attr-defined,no-any-return]


async def truncate_all(storage: Storage) -> None:
    """Empty every data table (not schema_version) and restart the id sequences."""
    names = ", ".join(table.name for table in DATA_TABLES)
    async with storage._transaction() as db:
        await db.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))


@pytest.fixture
async def location(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """An empty, migrated-or-not database: a new SQLite file, or the shared PostgreSQL database
    emptied."""
    if backend == "sqlite":
        return tmp_path / "bot.sqlite3"
    url = str(request.getfixturevalue("shared_postgres_url"))
    async with Storage.open(url) as storage:
        await truncate_all(storage)
    return url


@pytest.fixture
def fresh_location(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """A database never opened before: a new SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        return tmp_path / "bot.sqlite3"
    return str(request.getfixturevalue("postgres_database_url"))


@pytest.fixture
async def storage(location: str | Path) -> AsyncIterator[Storage]:
    async with Storage.open(location) as opened:
        yield opened


async def add_user(storage: Storage, user_id: int, **profile_fields: object) -> None:
    """A user with a default profile, optionally with some profile fields set."""
    await storage.upsert_user(user_id, user_id, f"user{user_id}", "fr")
    profile = await storage.modify_profile(user_id, lambda p: p.replace(**profile_fields))
    assert profile.user_id == user_id


# ---------------------------------------------------------------- crash-safety writer
# Run as ``python -m tests.helpers_storage DB_PATH``: writes batches forever, printing
# ``committed <i>`` after each commit, until the test kills it with SIGKILL.

BATCH_SIZE = 50
CRASH_USERS = 20


async def crash_writer(path: str) -> None:
    import sys

    from sqlalchemy import insert

    from storage import TargetJob
    from storage.schema import sent_offers

    storage = await Storage.open(path)
    print("open", flush=True)
    row = await storage._fetchone(
        "SELECT coalesce(max(CAST(substr(offer_id, 2, length(offer_id) - 3) AS INTEGER)), 0) "
        "FROM sent_offers WHERE offer_id LIKE 'M%x0'"
    )
    i = int(row[0]) + 1 if row else 1
    while True:
        uid = i % CRASH_USERS + 1
        await storage.upsert_user(uid, uid, f"user{uid}", "fr")
        # Many statements in one transaction: the kill often lands between two of them.
        async with storage._transaction() as db:
            for k in range(BATCH_SIZE):
                await db.execute(
                    insert(sent_offers).values(user_id=uid, offer_id=f"M{i}x{k}", sent_at=i)
                )
        await storage.modify_profile(
            uid,
            lambda p, i=i: p.replace(
                skills=(*p.skills, f"batch {i} 😀")[-30:],
                target_jobs=(TargetJob("G1603", f"label {i}"),),
            ),
        )
        await storage.mark_sent(uid, [f"S{i}x{k}" for k in range(BATCH_SIZE)])
        sys.stdout.write(f"committed {i}\n")
        sys.stdout.flush()
        i += 1


if __name__ == "__main__":
    import asyncio
    import sys

    asyncio.run(crash_writer(sys.argv[1]))
