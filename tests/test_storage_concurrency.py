"""Storage under concurrency: many tasks, two connections, cancellation, lost connections."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time as time_module
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from storage import Storage
from storage.schema import sent_offers
from tests import helpers_storage
from tests.helpers_storage import add_user

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

# The storage fixtures, parametrized over both backends (tests/helpers_storage.py).
backend = helpers_storage.backend
fresh_location = helpers_storage.fresh_location
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage


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
