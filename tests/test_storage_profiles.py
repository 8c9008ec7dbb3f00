"""Storage: profiles (defaults, round trip, validation, hostile text, partial setters)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from storage import (
    MAX_SKILL_LENGTH,
    FavouriteSnapshot,
    Profile,
    Storage,
    TargetJob,
    UnknownUserError,
)
from tests import helpers_storage
from tests.helpers_storage import add_user

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

# The storage fixtures, parametrized over both backends (tests/helpers_storage.py).
backend = helpers_storage.backend
fresh_location = helpers_storage.fresh_location
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage


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
