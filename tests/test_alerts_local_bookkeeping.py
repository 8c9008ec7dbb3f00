"""`Storage.record_delivery` (and `record_deliveries`, several at once): a digest's sent
offers and the user's served mark in ONE transaction, on both backends — a failure between the
two leaves neither (the user stays due and the retry sends the same digest, never a second,
different one)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from ft_client.alert_schedule import Frequency, Schedule
from storage import Storage, alert_delivery, deliveries
from storage.saved_alerts import AlertCriteria, SavedAlert
from tests import helpers_storage

backend = helpers_storage.backend
location = helpers_storage.location
storage = helpers_storage.storage
shared_postgres_url = helpers_storage.shared_postgres_url

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Paris
OFFERS = ["A000001", "A000002", "A000003"]


async def _due_user(storage: Storage, user_id: int = 1) -> None:
    await helpers_storage.add_user(storage, user_id, alert_time=time(8, 0), alerts_enabled=True)
    assert [p.user_id for p in await storage.due_for_alerts(NOW)] == [user_id]


async def test_record_delivery_writes_both_at_once(storage: Storage) -> None:
    await _due_user(storage)
    served_at = NOW - timedelta(minutes=2)
    assert await storage.record_delivery(1, OFFERS, served_at, criteria="c1") == 3
    assert await storage.filter_unsent(1, OFFERS) == []
    assert await storage.due_for_alerts(NOW) == []
    profile = await storage.get_profile(1)
    assert profile is not None and profile.last_alert_at == served_at
    assert await storage.alert_criteria_of([1]) == {1: "c1"}
    # Idempotent: the same digest recorded again adds nothing, moves nothing back.
    assert await storage.record_delivery(1, OFFERS, served_at - timedelta(hours=1)) == 0
    profile = await storage.get_profile(1)
    assert profile is not None and profile.last_alert_at == served_at


async def test_a_failure_after_the_sent_offers_leaves_the_user_due_and_nothing_sent(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _due_user(storage)
    real = alert_delivery.AlertDeliveryRepository._insert_sent

    async def insert_then_die(self: Storage, db: Any, rows: list[dict[str, Any]]) -> int:
        inserted = await real(self, db, rows)
        assert inserted == len(OFFERS)  # the offers were written inside the transaction
        raise RuntimeError("killed between the sent offers and the served mark")

    monkeypatch.setattr(alert_delivery.AlertDeliveryRepository, "_insert_sent", insert_then_die)
    with pytest.raises(RuntimeError):
        await storage.record_delivery(1, OFFERS, NOW, criteria="c1")
    monkeypatch.undo()
    assert await storage.filter_unsent(1, OFFERS) == OFFERS
    assert [p.user_id for p in await storage.due_for_alerts(NOW)] == [1]
    # The retry records the same digest whole.
    assert await storage.record_delivery(1, OFFERS, NOW, criteria="c1") == 3
    assert await storage.due_for_alerts(NOW) == []


async def test_a_failing_served_mark_rolls_the_sent_offers_back(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _due_user(storage)
    broken = text("UPDATE no_such_table SET x = 1")
    monkeypatch.setattr(deliveries, "_MARK_USER_SERVED_FOR", broken)
    monkeypatch.setattr(deliveries, "_MARK_USER_SERVED", broken)
    with pytest.raises(Exception, match="no_such_table"):
        await storage.record_delivery(1, OFFERS, NOW, criteria="c1")
    assert await storage.filter_unsent(1, OFFERS) == OFFERS
    assert [p.user_id for p in await storage.due_for_alerts(NOW)] == [1]


async def _saved_alerts(storage: Storage, user_id: int = 1, count: int = 2) -> list[int]:
    numbers = []
    for n in range(count):
        alert = await storage.add_saved_alert(
            SavedAlert(
                user_id=user_id,
                alert_no=0,
                label=f"Recherche {n}",
                criteria=AlertCriteria(rome_codes=("G1803",), commune_code="75056"),
                schedule=Schedule(Frequency.DAILY, time(8, 0)),
            ),
            at=NOW - timedelta(days=3),
        )
        numbers.append(alert.alert_no)
    return numbers


async def test_several_alerts_are_recorded_with_their_digest_in_one_transaction(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _due_user(storage)
    numbers = await _saved_alerts(storage)
    await storage.set_alerts(1, False)  # due through its saved alerts only
    assert [p.user_id for p in await storage.due_for_alerts(NOW, user_ids=[1, 2])] == [1]
    saved = {no: f"criteria {no}" for no in numbers}
    broken = text("UPDATE no_such_table SET x = 1")
    monkeypatch.setattr(deliveries, "_MARK_SAVED_SERVED", broken)
    with pytest.raises(Exception, match="no_such_table"):
        await storage.record_delivery(1, OFFERS, NOW, profile=False, saved=saved)
    monkeypatch.undo()
    # Neither the offers nor any alert: the whole digest is still due.
    assert await storage.filter_unsent(1, OFFERS) == OFFERS
    assert all(a.last_served_at is None for a in await storage.list_saved_alerts(1))
    assert [p.user_id for p in await storage.due_for_alerts(NOW)] == [1]

    assert await storage.record_delivery(1, OFFERS, NOW, profile=False, saved=saved) == 3
    assert await storage.filter_unsent(1, OFFERS) == []
    for alert in await storage.list_saved_alerts(1):
        assert alert.last_served_at == NOW and alert.served_criteria == saved[alert.alert_no]
    profile = await storage.get_profile(1)
    assert profile is not None and profile.last_alert_at is None  # its own alert: not served
    assert await storage.due_for_alerts(NOW) == []


async def test_nothing_new_marks_many_alerts_served_at_once(storage: Storage) -> None:
    for user_id in (1, 2):
        await helpers_storage.add_user(storage, user_id, alert_time=time(8, 0), alerts_enabled=True)
    numbers = await _saved_alerts(storage, 2, 1)
    await storage.record_served_many(NOW, {"c": [1, 2]}, [(2, numbers[0], "s")])
    assert await storage.due_for_alerts(NOW) == []
    assert await storage.alert_criteria_of([1, 2]) == {1: "c", 2: "c"}
    [alert] = await storage.list_saved_alerts(2)
    assert alert.last_served_at == NOW and alert.served_criteria == "s"


async def test_several_digests_are_recorded_in_one_transaction(storage: Storage) -> None:
    for user_id in (1, 2, 3):
        await helpers_storage.add_user(storage, user_id, alert_time=time(8, 0), alerts_enabled=True)
    [no] = await _saved_alerts(storage, 3, 1)
    batch = [
        deliveries.Delivery(1, OFFERS, NOW, criteria="c1"),
        deliveries.Delivery(2, OFFERS[:1], NOW - timedelta(minutes=1)),  # criteria unchanged
        deliveries.Delivery(3, ["A000009"], NOW, profile=False, saved={no: "s3"}),
    ]
    assert await storage.record_deliveries(batch) == 5
    assert await storage.filter_unsent(1, OFFERS) == []
    assert await storage.filter_unsent(2, OFFERS) == OFFERS[1:]
    assert await storage.filter_unsent(3, ["A000009", *OFFERS]) == OFFERS
    assert await storage.alert_criteria_of([1, 2]) == {1: "c1", 2: None}
    profile = await storage.get_profile(2)
    assert profile is not None and profile.last_alert_at == NOW - timedelta(minutes=1)
    [alert] = await storage.list_saved_alerts(3)
    assert alert.last_served_at == NOW and alert.served_criteria == "s3"
    # Profile alert of user 3 not served: they are still due through it.
    assert [p.user_id for p in await storage.due_for_alerts(NOW)] == [3]
    assert await storage.record_deliveries([]) == 0


async def test_one_unknown_user_rolls_the_whole_batch_back(storage: Storage) -> None:
    await _due_user(storage)
    batch = [
        deliveries.Delivery(1, OFFERS, NOW, criteria="c1"),
        deliveries.Delivery(99, OFFERS, NOW, criteria="c1"),  # erased meanwhile
    ]
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        await storage.record_deliveries(batch)
    assert await storage.filter_unsent(1, OFFERS) == OFFERS
    assert [p.user_id for p in await storage.due_for_alerts(NOW)] == [1]


async def test_bad_deliveries_are_refused_before_any_write(storage: Storage) -> None:
    await _due_user(storage)
    with pytest.raises(TypeError):
        await storage.record_deliveries(
            [deliveries.Delivery(1, OFFERS, NOW), deliveries.Delivery(1, OFFERS, NOW, 5)]  # type: ignore[arg-type]
        )
    with pytest.raises(ValueError):
        await storage.record_deliveries([deliveries.Delivery(1, ["<script>"], NOW)])
    assert await storage.filter_unsent(1, OFFERS) == OFFERS
