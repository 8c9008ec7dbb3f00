"""Storage: who is due for alerts (local time, DST, index, limit) and the offers already sent."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from storage import Storage, TargetJob
from tests import helpers_storage
from tests.helpers_storage import add_user, paris

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

# The storage fixtures, parametrized over both backends (tests/helpers_storage.py).
backend = helpers_storage.backend
fresh_location = helpers_storage.fresh_location
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage


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
