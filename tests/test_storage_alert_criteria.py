"""``profiles.alert_criteria`` (migration 0003), on both backends: recorded with "served",
kept when a mark gives none, gone with the user."""

from __future__ import annotations

from datetime import timedelta

from storage import Storage
from tests import helpers_storage
from tests.helpers_storage import add_user, paris

# The storage fixtures, parametrized over both backends (tests/helpers_storage.py).
backend = helpers_storage.backend
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage


async def test_criteria_served_for_are_recorded_and_erased(storage: Storage) -> None:
    served = paris(2026, 11, 25, 8, 0)
    for user_id in (1, 2):
        await add_user(storage, user_id, place_code="75056", place_label="Paris (75)")
    assert await storage.alert_criteria_of([1, 2, 3]) == {1: None, 2: None}
    await storage.mark_served_many([1, 2], served, criteria="a")
    await storage.mark_served(2, served + timedelta(hours=1), criteria="b")
    await storage.mark_served(1, served + timedelta(hours=1))  # no criteria given: kept
    assert await storage.alert_criteria_of([2, 1, 2]) == {1: "a", 2: "b"}
    profile = await storage.get_profile(1)
    assert profile is not None and profile.last_alert_at == served + timedelta(hours=1)
    # A profile change does not touch it: the cycle compares it with the new criteria.
    await storage.set_place(1, "35238", "Rennes (35)", 10)
    assert (await storage.alert_criteria_of([1]))[1] == "a"
    await storage.delete_user(2)
    assert await storage.alert_criteria_of([1, 2]) == {1: "a"}
