"""`DeliveryRecorder`: accepted digests recorded in batches (group commit), each sender told
when its own record is committed, one bad record never costing the others theirs, and at most
`limit` digests accepted but not yet recorded. Real storage on both backends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time

import pytest

from bot.alerts.recording import DeliveryRecorder
from storage import Delivery, Storage, UnknownUserError
from tests import helpers_storage

backend = helpers_storage.backend
location = helpers_storage.location
storage = helpers_storage.storage
shared_postgres_url = helpers_storage.shared_postgres_url

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


async def _users(storage: Storage, count: int) -> None:
    for user_id in range(1, count + 1):
        await helpers_storage.add_user(storage, user_id, alert_time=time(8, 0), alerts_enabled=True)


def _delivery(user_id: int) -> Delivery:
    return Delivery(user_id, [f"U{user_id:06d}"], NOW, criteria=f"c{user_id}")


async def test_records_queued_together_share_one_transaction(storage: Storage) -> None:
    await _users(storage, 12)
    recorder = DeliveryRecorder(storage, limit=32)
    await asyncio.gather(*(recorder.record(_delivery(uid)) for uid in range(1, 13)))
    # Queued before the writer ran: one transaction for all twelve.
    assert recorder.transactions == 1
    assert await storage.due_for_alerts(NOW) == []
    for uid in range(1, 13):
        assert await storage.filter_unsent(uid, [f"U{uid:06d}"]) == []
    assert await storage.alert_criteria_of([1, 12]) == {1: "c1", 12: "c12"}


async def test_an_erased_user_fails_alone(storage: Storage) -> None:
    await _users(storage, 4)
    recorder = DeliveryRecorder(storage, limit=32)
    results = await asyncio.gather(
        *(recorder.record(_delivery(uid)) for uid in (1, 2, 77, 3, 4)), return_exceptions=True
    )
    assert isinstance(results[2], UnknownUserError)
    assert [r for i, r in enumerate(results) if i != 2] == [None] * 4
    assert await storage.due_for_alerts(NOW) == []  # 1–4 recorded despite 77 in their batch


async def test_at_most_limit_digests_wait_for_their_record(storage: Storage) -> None:
    await _users(storage, 10)
    recorder = DeliveryRecorder(storage, limit=3)
    holding = 0
    most = 0

    async def send_and_record(uid: int) -> None:
        nonlocal holding, most
        async with recorder.place():
            holding += 1
            most = max(most, holding)
            await asyncio.sleep(0)  # "sending"
            await recorder.record(_delivery(uid))
            holding -= 1

    await asyncio.gather(*(send_and_record(uid) for uid in range(1, 11)))
    assert most == 3
    assert await storage.due_for_alerts(NOW) == []


async def test_a_cancelled_sender_still_gets_its_digest_recorded(storage: Storage) -> None:
    await _users(storage, 2)
    recorder = DeliveryRecorder(storage, limit=8)
    first = asyncio.create_task(recorder.record(_delivery(1)))
    second = asyncio.create_task(recorder.record(_delivery(2)))
    await asyncio.sleep(0)
    second.cancel()  # e.g. the cycle is stopping: the digest went, its record must not be lost
    await first
    with pytest.raises(asyncio.CancelledError):
        await second
    assert recorder.writer is not None
    await recorder.writer
    assert await storage.due_for_alerts(NOW) == []
