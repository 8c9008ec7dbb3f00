"""Storage for several workers, on both backends: shared rate slots, the due users of a batch,
and (PostgreSQL) advisory locks between processes."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from storage import Storage, StorageError
from storage.process_locks import advisory_key
from tests import helpers_storage
from tests.helpers_storage import add_user

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Paris

backend = helpers_storage.backend
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage


def rate_name() -> str:
    return f"test-{secrets.token_hex(4)}"  # the PostgreSQL database is shared by the module


async def test_rate_slots_follow_each_other_across_two_connections(location: str | Path) -> None:
    name = rate_name()
    async with Storage.open(location) as first, Storage.open(location) as second:
        a = await first.take_rate_slots(name, 10, 100.0)
        b = await second.take_rate_slots(name, 5, 100.0)
        c = await first.take_rate_slots(name, 1, 100.0)
    assert a.count == 10 and a.interval == pytest.approx(0.01)
    # A fresh rate starts now; each block starts where the previous one ended.
    assert a.first == pytest.approx(a.now, abs=1e-6)
    assert b.first == pytest.approx(a.at(10), abs=1e-6)
    assert c.first == pytest.approx(b.at(5), abs=1e-6)


async def test_an_idle_rate_starts_again_from_now(storage: Storage) -> None:
    name = rate_name()
    first = await storage.take_rate_slots(name, 1, 1000.0)
    later = await storage.take_rate_slots(name, 1, 1000.0)
    # 1 ms per slot: the second block is never before the first's end nor before its own now.
    assert later.first >= first.at(1) - 1e-6
    assert later.first >= later.now - 1e-6


async def test_a_pause_delays_every_later_slot(location: str | Path) -> None:
    name = rate_name()
    async with Storage.open(location) as first, Storage.open(location) as second:
        await first.take_rate_slots(name, 1, 50.0)
        wait = await first.pause_rate_slots(name, 2.0)
        assert wait == pytest.approx(2.0, abs=0.05)
        after = await second.take_rate_slots(name, 1, 50.0)
    assert after.first - after.now >= 2.0 - 0.5  # the other connection waits for the pause too


async def test_rate_slot_arguments_are_checked(storage: Storage) -> None:
    for count in (0, -1, True):
        with pytest.raises(ValueError, match="count"):
            await storage.take_rate_slots("x", count, 10.0)
    with pytest.raises(ValueError, match="rate"):
        await storage.take_rate_slots("x", 1, 0.0)
    with pytest.raises(ValueError, match="seconds"):
        await storage.pause_rate_slots("x", -1.0)


async def test_due_for_alerts_among_user_ids(storage: Storage) -> None:
    for user_id in (1, 2, 3, 4):
        await add_user(storage, user_id, alert_time=time(8, 0), alerts_enabled=True)
    await storage.mark_served(2, NOW)
    everyone = await storage.due_for_alerts(NOW)
    assert {p.user_id for p in everyone} == {1, 3, 4}
    among = await storage.due_for_alerts(NOW, user_ids=[2, 3, 4, 99])
    assert [p.user_id for p in among] == [p.user_id for p in everyone if p.user_id in {3, 4}]
    assert await storage.due_for_alerts(NOW, user_ids=[]) == []
    assert len(await storage.due_for_alerts(NOW, user_ids=[1, 3, 4], limit=2)) == 2
    # The planner's ids-only read (no profile decoded): the same users, the same order.
    assert await storage.due_user_ids(NOW) == [p.user_id for p in everyone]
    assert await storage.due_user_ids(NOW, user_ids=[2, 3, 4, 99]) == [p.user_id for p in among]
    assert await storage.due_user_ids(NOW, user_ids=[]) == []


async def test_advisory_lock_is_exclusive_across_connections_and_released(
    backend: str, location: str | Path
) -> None:
    async with Storage.open(location) as first, Storage.open(location) as second:
        if backend == "sqlite":
            with pytest.raises(StorageError, match="PostgreSQL"):
                async with first.advisory_lock("alerts"):
                    pass
            return
        async with first.advisory_lock("alerts") as mine:
            assert mine
            async with second.advisory_lock("alerts") as theirs:
                assert not theirs
            async with second.advisory_lock("sweep") as other_name:
                assert other_name
        async with second.advisory_lock("alerts") as again:
            assert again


def test_advisory_keys_are_stable_signed_64_bit_and_distinct() -> None:
    keys = {advisory_key(name) for name in ("alerts", "sweep", "worker-schema")}
    assert len(keys) == 3
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert advisory_key("alerts") == advisory_key("alerts")
