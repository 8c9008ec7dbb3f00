"""Storage: schema, migrations, repository methods, validation, GDPR, concurrency."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time as time_module
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from storage import (
    LATEST_SCHEMA_VERSION,
    MAX_SKILL_LENGTH,
    AlertRun,
    FavouriteSnapshot,
    Profile,
    SchemaTooNewError,
    Storage,
    StorageError,
    TargetJob,
    UnknownUserError,
)
from storage.backends import parse_target
from storage.schema import (
    DATA_TABLES,
    metadata,
    ptb_chat_data,
    ptb_conversations,
    ptb_user_data,
    sent_offers,
)
from tests import helpers_storage
from tests.helpers_storage import add_user, paris

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


# ---------------------------------------------------------------- profiles


async def test_profile_defaults() -> None:
    p = Profile(user_id=3)
    assert p.alert_time == time(8, 0)
    assert p.alert_days == frozenset(range(7))
    assert p.alerts_enabled is True and p.radius_km == 10 and p.last_alert_at is None


async def test_profile_round_trip_every_field(storage: Storage) -> None:
    await storage.upsert_user(9, 9)
    profile = Profile(
        user_id=9,
        target_jobs=(TargetJob("G1603", "Personnel de cuisine"), TargetJob("K2204", "Nettoyage")),
        skills=("Cuisson", "Hygiène HACCP"),
        place_code="2A004",
        place_label="Ajaccio",
        radius_km=200,
        contract_types=("CDI", "CDD"),
        alert_time=time(23, 59),
        alert_days=frozenset({0, 6}),
        alerts_enabled=False,
        last_alert_at=NOW,
    )
    await storage.upsert_profile(profile)
    assert await storage.get_profile(9) == profile
    assert await storage.get_profile(10) is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"target_jobs": tuple(TargetJob(f"G160{i}", "x") for i in range(4))}, "at most 3"),
        ({"target_jobs": (TargetJob("G1603", "a"), TargetJob("G1603", "b"))}, "twice"),
        ({"skills": tuple(f"s{i}" for i in range(31))}, "at most 30 skills"),
        ({"skills": ("",)}, "skill must not be empty"),
        ({"skills": ("   ",)}, "skill must not be empty"),
        ({"skills": ("x" * 5000,)}, "5000 characters long; the limit is 100"),
        ({"radius_km": 201}, "between 0 and 200"),
        ({"radius_km": -1}, "between 0 and 200"),
        ({"place_code": "7511"}, "INSEE"),
        ({"place_code": "'); DROP TABLE users;--"}, "INSEE"),
        ({"contract_types": ("cdi",)}, "contract type"),
        ({"alert_time": time(8, 0, 30)}, "whole minute"),
        ({"alert_days": frozenset({7})}, "weekday"),
        ({"alert_days": frozenset()}, "at least one day"),
        ({"last_alert_at": datetime(2026, 1, 1)}, "timezone-aware"),
    ],
)
def test_profile_validation_is_clear(fields: dict, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        Profile(user_id=1, **fields)


def test_target_job_validation() -> None:
    with pytest.raises(ValueError, match="ROME code"):
        TargetJob("Z9999", "x")
    with pytest.raises(ValueError, match="label must not be empty"):
        TargetJob("G1603", "")


HOSTILE = [
    "'); DROP TABLE users;--",
    "Robert'); DELETE FROM profiles WHERE ('1'='1",
    "<b>x</b>",
    "<script>alert(1)</script> & &amp; <",
    "😀👩‍🍳🇫🇷 cuisinière",
    "x" * MAX_SKILL_LENGTH,
    "é" * MAX_SKILL_LENGTH,
    "a\nb\tc",
    "%s %d {0} ?",
]


async def test_hostile_text_is_stored_unchanged(storage: Storage) -> None:
    await storage.upsert_user(1, 1, HOSTILE[1], "fr")
    await storage.set_skills(1, HOSTILE)
    await storage.set_target_jobs(1, [TargetJob("G1603", HOSTILE[3])])
    await storage.set_place(1, "75115", HOSTILE[4], 5)
    await storage.add_favourite(
        1, FavouriteSnapshot("ABC123", HOSTILE[0], HOSTILE[2], HOSTILE[4], "https://x.fr/?a=1&b=<")
    )
    profile = await storage.get_profile(1)
    assert profile is not None
    assert profile.skills == tuple(HOSTILE)
    assert profile.target_jobs[0].label == HOSTILE[3]
    assert profile.place_label == HOSTILE[4]
    user = await storage.get_user(1)
    assert user is not None and user.first_name == HOSTILE[1]
    [fav] = await storage.list_favourites(1)
    assert (fav.title, fav.company, fav.place) == (HOSTILE[0], HOSTILE[2], HOSTILE[4])
    assert {"users", "profiles"} <= await storage.table_names()
    assert await storage.integrity_check() == "ok"


async def test_5000_character_strings_are_refused_clearly_not_truncated(storage: Storage) -> None:
    await storage.upsert_user(1, 1)
    await storage.set_skills(1, ["cuisine"])
    long_text = "é" * 5000
    with pytest.raises(ValueError, match="5000 characters long; the limit is 100"):
        await storage.set_skills(1, ["python", long_text])
    with pytest.raises(ValueError, match="5000 characters long"):
        await storage.upsert_user(1, 1, long_text)
    with pytest.raises(ValueError, match="5000 characters long"):
        await storage.add_favourite(1, FavouriteSnapshot("A1", long_text))
    profile = await storage.get_profile(1)
    assert profile is not None and profile.skills == ("cuisine",)  # the old value, untouched


async def test_profile_needs_a_user(storage: Storage) -> None:
    with pytest.raises(UnknownUserError, match="upsert_user"):
        await storage.set_skills(404, ["x"])
    with pytest.raises(UnknownUserError):
        await storage.upsert_profile(Profile(user_id=404))
    with pytest.raises(UnknownUserError):
        await storage.mark_sent(404, ["A1"])
    with pytest.raises(UnknownUserError):
        await storage.add_favourite(404, FavouriteSnapshot("A1", "t"))


async def test_partial_setters_keep_other_fields(storage: Storage) -> None:
    await add_user(storage, 2, skills=("a",), radius_km=30)
    await storage.set_alerts(2, False)
    await storage.set_contract_types(2, ["CDI"])
    profile = await storage.get_profile(2)
    assert profile is not None
    assert (profile.skills, profile.radius_km, profile.alerts_enabled) == (("a",), 30, False)
    assert profile.alert_time == time(8, 0) and profile.contract_types == ("CDI",)
    await storage.set_alerts(2, True, time(18, 45), {0, 2, 4})
    profile = await storage.get_profile(2)
    assert profile is not None
    assert profile.alert_time == time(18, 45) and profile.alert_days == frozenset({0, 2, 4})
    with pytest.raises(ValueError, match="at least one day"):
        await storage.set_alerts(2, True, days=[])


# ---------------------------------------------------------------- due_for_alerts


async def due_ids(storage: Storage, now: datetime) -> list[int]:
    due = [p.user_id for p in await storage.due_for_alerts(now)]
    # The planner's ids-only read gives the same users in the same order, every rule through.
    assert await storage.due_user_ids(now) == due
    return sorted(due)


async def test_due_for_alerts_basic_rules(storage: Storage) -> None:
    await add_user(storage, 1, alert_time=time(8, 0))
    await add_user(storage, 2, alert_time=time(9, 30))
    await add_user(storage, 3, alert_time=time(7, 0), alerts_enabled=False)
    await add_user(storage, 4, alert_time=time(7, 0))
    await storage.mark_blocked(4)
    await add_user(storage, 5, alert_time=time(6, 0), alert_days=frozenset({5, 6}))  # weekend
    wednesday = paris(2026, 11, 25, 7, 59)
    assert await due_ids(storage, wednesday) == []
    assert await due_ids(storage, paris(2026, 11, 25, 8, 0)) == [1]
    assert await due_ids(storage, paris(2026, 11, 25, 9, 30)) == [1, 2]
    await storage.mark_served(1, paris(2026, 11, 25, 9, 31))
    assert await due_ids(storage, paris(2026, 11, 25, 23, 59)) == [2]
    # Saturday: user 5 is due; blocked user 4 becomes due again once they write to the bot.
    assert await due_ids(storage, paris(2026, 11, 28, 8, 0)) == [1, 5]
    await storage.upsert_user(4, 4)
    assert await due_ids(storage, paris(2026, 11, 28, 8, 0)) == [1, 4, 5]


async def test_due_for_alerts_returns_full_profiles(storage: Storage) -> None:
    await add_user(
        storage,
        1,
        target_jobs=(TargetJob("G1603", "Cuisine"),),
        skills=("cuisson", "😀"),
        place_code="75056",
        contract_types=("CDI",),
    )
    [profile] = await storage.due_for_alerts(paris(2026, 11, 25, 12, 0))
    assert profile == await storage.get_profile(1)
    assert profile.target_jobs == (TargetJob("G1603", "Cuisine"),)


async def test_served_today_is_measured_from_local_midnight(storage: Storage) -> None:
    """Served at 08:00, moves the alert to 20:00 the same day: no second digest today."""
    await add_user(storage, 1, alert_time=time(8, 0))
    await storage.mark_served(1, paris(2026, 11, 25, 8, 0))
    await storage.set_alerts(1, True, time(20, 0))
    assert await due_ids(storage, paris(2026, 11, 25, 20, 0)) == []
    assert await due_ids(storage, paris(2026, 11, 26, 20, 0)) == [1]


async def test_due_across_midnight(storage: Storage) -> None:
    await add_user(storage, 1, alert_time=time(23, 59))
    await add_user(storage, 2, alert_time=time(0, 0))
    assert await due_ids(storage, paris(2026, 11, 25, 23, 59)) == [1, 2]
    await storage.mark_served_many([1, 2], paris(2026, 11, 25, 23, 59) + timedelta(seconds=30))
    assert await due_ids(storage, paris(2026, 11, 25, 23, 59)) == []
    # 00:00 the next day: a new day starts; user 2 is due, user 1 not before 23:59.
    assert await due_ids(storage, paris(2026, 11, 26, 0, 0)) == [2]
    assert await due_ids(storage, paris(2026, 11, 26, 23, 58)) == [2]
    assert await due_ids(storage, paris(2026, 11, 26, 23, 59)) == [1, 2]


async def test_mark_served_never_moves_back(storage: Storage) -> None:
    await add_user(storage, 1)
    await storage.mark_served(1, paris(2026, 11, 25, 9, 0))
    await storage.mark_served(1, paris(2026, 11, 24, 9, 0))  # a late, older record
    assert await due_ids(storage, paris(2026, 11, 25, 10, 0)) == []


async def test_due_across_spring_forward(storage: Storage) -> None:
    """29 March 2026, Paris: 02:00 CET jumps to 03:00 CEST; 02:30 never happens."""
    await add_user(storage, 1, alert_time=time(2, 30))
    await add_user(storage, 2, alert_time=time(8, 0))
    before_jump = datetime(2026, 3, 29, 0, 59, tzinfo=UTC)  # 01:59 CET
    after_jump = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert await due_ids(storage, before_jump) == []
    assert await due_ids(storage, after_jump) == [1]
    await storage.mark_served(1, after_jump)
    assert await due_ids(storage, datetime(2026, 3, 29, 5, 59, tzinfo=UTC)) == []  # 07:59 CEST
    assert await due_ids(storage, datetime(2026, 3, 29, 6, 0, tzinfo=UTC)) == [2]  # 08:00 CEST
    # Served on Saturday 28 at 23:30 CET (22:30 UTC) counts for Saturday, not Sunday.
    await add_user(storage, 3, alert_time=time(1, 0))
    await storage.mark_served(3, datetime(2026, 3, 28, 22, 30, tzinfo=UTC))
    assert 3 in await due_ids(storage, datetime(2026, 3, 29, 0, 0, tzinfo=UTC))  # 01:00 CET


async def test_due_across_fall_back(storage: Storage) -> None:
    """25 October 2026, Paris: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice."""
    await add_user(storage, 1, alert_time=time(2, 30))
    first = paris(2026, 10, 25, 2, 30, fold=0)
    second = paris(2026, 10, 25, 2, 30, fold=1)
    assert first.utcoffset() == timedelta(hours=2) and second.utcoffset() == timedelta(hours=1)
    assert await due_ids(storage, paris(2026, 10, 25, 2, 29)) == []
    assert await due_ids(storage, first) == [1]
    await storage.mark_served(1, first)
    assert await due_ids(storage, second) == []  # no second digest in the repeated hour
    assert await due_ids(storage, paris(2026, 10, 25, 23, 59)) == []
    assert await due_ids(storage, paris(2026, 10, 26, 2, 30)) == [1]


async def test_due_for_alerts_rejects_naive_now(storage: Storage) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await storage.due_for_alerts(datetime(2026, 1, 1, 8))


async def test_due_for_alerts_uses_the_index_without_sorting(storage: Storage) -> None:
    from storage.alert_delivery import due_query

    statement, params = due_query(1_700_000_000, 480, 4, None)
    sql = str(
        statement.params(**params).compile(
            dialect=storage._engine.dialect, compile_kwargs={"literal_binds": True}
        )
    )
    if storage.backend == "sqlite":
        rows = await storage._fetchall(f"EXPLAIN QUERY PLAN {sql}")
        plan = " | ".join(str(row[-1]) for row in rows)
        assert "USING INDEX profiles_due" in plan and "TEMP B-TREE" not in plan, plan
    else:
        async with storage._transaction() as db:
            # On an empty table a sequential scan is cheapest; what matters is that the
            # partial index can serve the query in its order.
            await db.exec_driver_sql("SET LOCAL enable_seqscan = off")
            rows = (await db.exec_driver_sql(f"EXPLAIN {sql}")).all()
        plan = " | ".join(str(row[0]) for row in rows)
        assert "profiles_due" in plan and "Sort" not in plan, plan


async def test_due_for_alerts_limit_serves_least_recently_served_first(storage: Storage) -> None:
    for uid in range(1, 6):
        await add_user(storage, uid, alert_time=time(7, 0))
    await storage.mark_served(3, paris(2026, 11, 23, 8, 0))
    await storage.mark_served(5, paris(2026, 11, 24, 8, 0))
    now = paris(2026, 11, 25, 8, 0)
    first = [p.user_id for p in await storage.due_for_alerts(now, limit=3)]
    assert sorted(first) == [1, 2, 4]  # never served before those served on 23 and 24
    assert await storage.due_user_ids(now, limit=3) == first
    await storage.mark_served_many(first, now)
    assert [p.user_id for p in await storage.due_for_alerts(now, limit=3)] == [3, 5]
    assert await storage.due_for_alerts(now, limit=0) == []


# ---------------------------------------------------------------- sent offers


async def test_filter_unsent_and_mark_sent_idempotent(storage: Storage) -> None:
    await add_user(storage, 1)
    await add_user(storage, 2)
    assert await storage.mark_sent(1, ["A1", "B2", "A1"], at=NOW) == 2
    assert await storage.mark_sent(1, ["B2", "C3"], at=NOW) == 1
    assert await storage.mark_sent(1, []) == 0
    assert await storage.filter_unsent(1, ["D4", "A1", "E5", "C3", "D4"]) == ["D4", "E5"]
    assert await storage.filter_unsent(2, ["A1", "B2"]) == ["A1", "B2"]  # per user
    assert await storage.filter_unsent(1, []) == []
    with pytest.raises(ValueError, match="not a valid offer id"):
        await storage.filter_unsent(1, ["'); DROP TABLE sent_offers;--"])
    with pytest.raises(ValueError, match="not a valid offer id"):
        await storage.mark_sent(1, ["ok1", ""])
    assert await storage.filter_unsent(1, ["ok1"]) == ["ok1"]  # the bad batch stored nothing


async def test_sent_among_many_tells_each_users_sent_offers_like_filter_unsent(
    storage: Storage,
) -> None:
    for uid in (1, 2, 3):
        await add_user(storage, uid)
    await storage.mark_sent(1, ["A1", "B2"], at=NOW)
    await storage.mark_sent(2, ["B2", "C-3_x"], at=NOW - timedelta(days=20))
    found = await storage.sent_among_many(
        {1: ["A1", "B2", "C3", "A1"], 2: ["A1", "B2", "C-3_x"], 3: ["A1"], 4: []}
    )
    assert found == {1: {"A1", "B2"}, 2: {"B2", "C-3_x"}, 3: set(), 4: set()}
    for uid in (1, 2):
        candidates = ["A1", "B2", "C3", "C-3_x"]
        unsent = await storage.filter_unsent(uid, candidates)
        assert [o for o in candidates if o not in found[uid]] == unsent
    assert await storage.sent_among_many({}) == {}
    # More pairs than one statement takes: the chunks add up.
    many = {uid: [f"X{uid}x{k}" for k in range(9_000)] for uid in (1, 2, 3)}
    await storage.mark_sent(2, many[2][::1000], at=NOW)
    found = await storage.sent_among_many(many)
    assert found == {1: set(), 2: set(many[2][::1000]), 3: set()}
    with pytest.raises(ValueError, match="not a valid offer id"):
        await storage.sent_among_many({1: ["'); DROP TABLE sent_offers;--"]})
    with pytest.raises(ValueError):
        await storage.sent_among_many({0: ["A1"]})


async def test_prune_sent_offers(storage: Storage) -> None:
    await add_user(storage, 1)
    await storage.mark_sent(1, ["OLD"], at=NOW - timedelta(days=40))
    await storage.mark_sent(1, ["NEW"], at=NOW)
    assert await storage.prune_sent_offers(NOW - timedelta(days=30)) == 1
    assert await storage.filter_unsent(1, ["OLD", "NEW"]) == ["OLD"]


# ---------------------------------------------------------------- favourites


async def test_favourites_are_per_user(storage: Storage) -> None:
    await add_user(storage, 1)
    await add_user(storage, 2)
    snap = FavouriteSnapshot("193XKZP", "Cuisinier H/F", "Le Bistrot", "75 - Paris", "https://x.fr")
    assert await storage.add_favourite(1, snap, at=NOW)
    assert not await storage.add_favourite(1, snap.__class__("193XKZP", "Chef"), at=NOW)
    await storage.add_favourite(1, FavouriteSnapshot("200ABCD", "Serveur"), at=NOW + timedelta(1))
    favs = await storage.list_favourites(1)
    assert [f.offer_id for f in favs] == ["200ABCD", "193XKZP"]
    assert favs[1].title == "Chef" and favs[1].saved_at == NOW  # snapshot refreshed, date kept
    assert await storage.list_favourites(1, limit=1) == favs[:1]
    assert await storage.is_favourite(1, "193XKZP")
    assert not await storage.remove_favourite(2, "193XKZP")  # not theirs
    assert await storage.list_favourites(2) == []
    assert len(await storage.list_favourites(1)) == 2
    assert await storage.remove_favourite(1, "193XKZP")
    assert not await storage.remove_favourite(1, "193XKZP")
    with pytest.raises(ValueError, match="http"):
        FavouriteSnapshot("A1", "t", url="javascript:alert(1)")


# ---------------------------------------------------------------- runs, errors, stats


async def test_stats(storage: Storage) -> None:
    now = paris(2026, 11, 25, 12, 0)
    await add_user(storage, 1)
    await add_user(storage, 2, alerts_enabled=False)
    await add_user(storage, 3)
    await storage.mark_blocked(3)
    await storage.upsert_user(4, 4)  # no profile yet
    await storage.mark_sent(1, ["A", "B"], at=paris(2026, 11, 25, 0, 0))
    await storage.mark_sent(1, ["C"], at=paris(2026, 11, 24, 23, 59))  # yesterday
    await storage.record_ft_error("offres_search", 500, at=now - timedelta(hours=1))
    await storage.record_ft_error("offres_search", None, at=now - timedelta(hours=2))
    await storage.record_ft_error("token", 401, at=now - timedelta(hours=23))
    await storage.record_ft_error("token", 401, at=now - timedelta(hours=25))
    run = AlertRun(
        started_at=now - timedelta(minutes=5),
        finished_at=now,
        users_due=3,
        users_served=2,
        offers_sent=7,
        ft_calls=4,
        ft_errors=1,
        outcome="partial",
        detail="1 group failed",
    )
    run_id = await storage.record_alert_run(run)
    stats = await storage.stats(now)
    assert stats["users"] == 4 and stats["blocked_users"] == 1 and stats["profiles"] == 3
    assert stats["alert_subscribers"] == 1
    assert stats["offers_sent_today"] == 2
    assert stats["ft_errors_24h"] == 3
    assert stats["ft_errors_24h_by_endpoint"] == {"offres_search": 2, "token": 1}
    assert stats["last_alert_run"]["id"] == run_id
    assert stats["last_alert_run"]["outcome"] == "partial"
    [stored] = await storage.last_alert_runs()
    assert stored == run.__class__(
        **{
            **run.to_json(),
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "id": run_id,
        }
    )
    json.dumps(stats)
    with pytest.raises(ValueError, match="outcome"):
        AlertRun(started_at=now, finished_at=now, outcome="meh")
    with pytest.raises(ValueError, match="before"):
        AlertRun(started_at=now, finished_at=now - timedelta(seconds=1))


async def test_ft_errors_are_pruned_after_30_days(storage: Storage) -> None:
    now = NOW
    await storage.record_ft_error("offres_search", 503, at=now - timedelta(days=31))
    await storage.record_ft_error("offres_search", 503, at=now)
    assert await storage._fetchone("SELECT count(*) FROM ft_errors") == (1,)


# ---------------------------------------------------------------- GDPR


async def _populate(storage: Storage, user_id: int) -> None:
    await add_user(storage, user_id, skills=("cuisine",), place_code="75115")
    await storage.mark_sent(user_id, ["A1", "B2"], at=NOW)
    await storage.add_favourite(user_id, FavouriteSnapshot("A1", "Chef"), at=NOW)
    async with storage._transaction() as db:
        await db.execute(
            insert(ptb_user_data).values(user_id=user_id, data=json.dumps({"step": "x"}))
        )
        await db.execute(insert(ptb_chat_data).values(chat_id=user_id, data="{}"))
        key = json.dumps([user_id, user_id], separators=(",", ":"))
        await db.execute(insert(ptb_conversations).values(name="onboarding", key=key, state="2"))
        # Another user's conversation whose key merely contains the digits: never theirs.
        other = json.dumps([user_id * 11, user_id * 11], separators=(",", ":"))
        await db.execute(insert(ptb_conversations).values(name="other", key=other, state="0"))


async def test_delete_user_removes_every_row_and_only_theirs(storage: Storage) -> None:
    await _populate(storage, 1)
    await _populate(storage, 2)
    deleted = await storage.delete_user(1)
    assert deleted == {
        "profiles": 1,
        "sent_offers": 2,
        "favourites": 1,
        "users": 1,
        "ptb_user_data": 1,
        "ptb_chat_data": 1,
        "ptb_conversations": 1,
        # Alerts people control (0006): none in this fixture; tests/test_saved_alerts_storage.py.
        "saved_alerts": 0,
        "profile_alert_settings": 0,
        "offer_feedback": 0,
    }
    # Every table but the global ones holds rows about users: a table added later must be
    # erased by delete_user (and exported), or be listed here as global.
    # The sweep's offers are France Travail's public job ads: nobody's personal data.
    global_tables = {"alert_runs", "ft_errors", "ptb_bot_data", "ptb_callback_data"}
    global_tables |= {"offers", "sweep_state"}
    assert set(deleted) == {table.name for table in DATA_TABLES} - global_tables
    for table, column in [
        ("users", "user_id"),
        ("profiles", "user_id"),
        ("sent_offers", "user_id"),
        ("favourites", "user_id"),
        ("ptb_user_data", "user_id"),
        ("ptb_chat_data", "chat_id"),
    ]:
        rows = await storage._fetchall(
            f"SELECT {column} FROM {table}"  # noqa: S608
        )
        assert {r[0] for r in rows} == {2}, table
    convs = await storage._fetchall("SELECT key FROM ptb_conversations")
    assert sorted(row[0] for row in convs) == ["[11,11]", "[2,2]", "[22,22]"]
    assert (await storage.export_user(1))["user"] is None
    assert await storage.delete_user(1) == dict.fromkeys(deleted, 0)


async def test_export_user_is_complete_and_json(storage: Storage) -> None:
    await _populate(storage, 1)
    await _populate(storage, 2)
    export = await storage.export_user(1)
    text = json.dumps(export, ensure_ascii=False)
    assert json.loads(text) == export
    assert export["user"]["user_id"] == 1
    assert export["profile"]["skills"] == ["cuisine"]
    assert export["profile"]["place_code"] == "75115"
    assert [s["offer_id"] for s in export["sent_offers"]] == ["A1", "B2"]
    assert export["favourites"][0]["title"] == "Chef"
    assert export["bot_memory"]["user_data"] == {"step": "x"}
    assert export["bot_memory"]["conversations"] == [
        {"name": "onboarding", "key": [1, 1], "state": 2}
    ]
    assert '"user_id": 2' not in text


# ---------------------------------------------------------------- concurrency


async def test_500_concurrent_tasks_on_100_users_lose_nothing(location: str | Path) -> None:
    # NORMAL: this test is about interleaving, not power-loss durability; it skips 1 600 fsyncs.
    async with Storage.open(location, synchronous="NORMAL") as storage:
        for uid in range(1, 101):
            await storage.upsert_user(uid, uid)

        async def work(task: int) -> None:
            uid = task % 100 + 1
            # Read-modify-write of the skill list: five tasks per user append concurrently.
            await storage.modify_profile(
                uid, lambda p, task=task: p.replace(skills=(*p.skills, f"skill-{task}"))
            )
            await storage.mark_sent(uid, [f"T{task}A", f"T{task}B", "SHARED"])
            if task >= 400:  # one place change per user, racing with the skill updates
                await storage.set_place(uid, "75056", "Paris", task % 200)
            await storage.filter_unsent(uid, [f"T{task}A", "NEVER"])

        results = await asyncio.gather(*(work(t) for t in range(500)), return_exceptions=True)
        assert [r for r in results if r is not None] == []
        for uid in range(1, 101):
            profile = await storage.get_profile(uid)
            assert profile is not None
            tasks = [t for t in range(500) if t % 100 + 1 == uid]
            assert sorted(profile.skills) == sorted(f"skill-{t}" for t in tasks)
            assert (profile.place_code, profile.radius_km) == ("75056", (uid - 1 + 400) % 200)
            expected = {f"T{t}{x}" for t in tasks for x in "AB"} | {"SHARED"}
            assert await storage.filter_unsent(uid, sorted(expected)) == []
        assert await storage._fetchone("SELECT count(*) FROM sent_offers") == (500 * 2 + 100,)
        assert await storage.integrity_check() == "ok"


async def test_two_connections_on_one_file_wait_instead_of_locking(location: str | Path) -> None:
    """The bot and `ft-bot alerts --once` may write the same database at once."""
    async with Storage.open(location) as a, Storage.open(location) as b:
        await a.upsert_user(1, 1)

        async def writer(s: Storage, prefix: str) -> None:
            for i in range(40):
                await s.mark_sent(1, [f"{prefix}{i}"])

        await asyncio.gather(writer(a, "A"), writer(b, "B"))
        assert await a._fetchone("SELECT count(*) FROM sent_offers") == (80,)


async def test_cancelled_task_leaves_no_open_transaction(storage: Storage) -> None:
    await add_user(storage, 1)
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow_change() -> None:
        async with storage._transaction() as db:
            await db.execute(insert(sent_offers).values(user_id=1, offer_id="HALF", sent_at=0))
            started.set()
            await release.wait()

    task = asyncio.create_task(slow_change())
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await storage.mark_sent(1, ["WHOLE"])
    assert await storage.filter_unsent(1, ["HALF", "WHOLE"]) == ["HALF"]
    if storage.backend == "sqlite":  # BEGIN fails inside an open transaction
        await storage._fetchall("BEGIN IMMEDIATE")
        await storage._fetchall("ROLLBACK")


async def test_cancelling_writes_at_random_moments_keeps_batches_whole(storage: Storage) -> None:
    """Tasks cancelled mid-statement: each batch is whole or absent and storage keeps working.

    On SQLite a statement interrupted inside SQLAlchemy used to close the connection under an
    unfinished INSERT … RETURNING, whose leftover write lock then blocked every later write.
    """
    await add_user(storage, 1)
    started = time_module.perf_counter()
    await storage.mark_sent(1, [f"Wx{k}" for k in range(200)])
    duration = time_module.perf_counter() - started
    rng = random.Random(20261202)
    cancelled = 0
    for batch in range(120):
        task = asyncio.create_task(storage.mark_sent(1, [f"B{batch}x{k}" for k in range(200)]))
        if batch % 2:  # after a few turns of the event loop: every await point in turn
            for _ in range(batch // 2 % 30):
                await asyncio.sleep(0)
        else:  # anywhere in about twice a whole call
            await asyncio.sleep(rng.random() * 2 * duration)
        if not task.done():
            task.cancel()
            cancelled += 1
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(task), 5)
    rows = await storage._fetchall("SELECT offer_id FROM sent_offers")
    sizes = Counter(row[0].split("x")[0] for row in rows if row[0].startswith("B"))
    assert {batch: n for batch, n in sizes.items() if n != 200} == {}
    assert cancelled > 0 and len(sizes) > 0, (cancelled, len(sizes))
    assert await asyncio.wait_for(storage.mark_sent(1, ["AFTER"]), 5) == 1
    assert await storage.filter_unsent(1, ["AFTER", "NEVER"]) == ["NEVER"]


async def test_postgres_connections_killed_by_the_server_are_replaced(
    postgres_database_url: str,
) -> None:
    """A server restart (here: its backends terminated) costs at most one failed call."""
    location = postgres_database_url
    async with Storage.open(location) as storage, Storage.open(location) as admin:
        await add_user(storage, 1)
        await admin._fetchall(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        try:
            await storage.get_user(1)
        except DBAPIError as error:
            assert error.connection_invalidated
        user = await storage.get_user(1)
        assert user is not None and user.user_id == 1
        await storage.mark_sent(1, ["AFTER"])


async def test_sqlite_bulk_reads_go_on_while_a_write_transaction_is_open(tmp_path: Path) -> None:
    """An alert cycle's large reads (offers already sent, the offers table) run on a second,
    read-only connection: they neither wait for the digests' writes nor see them uncommitted."""
    async with Storage.open(tmp_path / "bot.sqlite3") as storage:
        await add_user(storage, 1)
        await storage.mark_sent(1, ["A1"], at=NOW)
        async with storage._transaction() as db:
            await db.execute(sent_offers.insert(), [{"user_id": 1, "offer_id": "B2", "sent_at": 0}])
            # With one connection this read would wait for the lock this task holds: forever.
            seen = await asyncio.wait_for(storage.sent_among_many({1: ["A1", "B2"]}), 30)
            assert seen == {1: {"A1"}}  # the open transaction's row is not visible yet
        assert await storage.sent_among_many({1: ["A1", "B2"]}) == {1: {"A1", "B2"}}
        with pytest.raises(Exception, match=r"readonly|read-only|query_only"):
            await storage._fetchall_bulk("DELETE FROM sent_offers")
        assert await storage.filter_unsent(1, ["A1", "B2"]) == []
