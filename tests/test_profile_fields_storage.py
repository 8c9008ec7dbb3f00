"""Profile fields of migration 0004 (issue 14 item 5) on both backends: driving licences,
languages, experience, working time, remote work — stored, validated, exported and erased."""

from __future__ import annotations

import json

import pytest

from ft_client.offer_facts import ExperienceLevel, WorkingTime, normalise_licence_code
from storage import Storage
from storage.migrator import load_migrations
from storage.models import (
    DRIVING_LICENCES,
    EXPERIENCE_LEVELS,
    WORKING_TIMES,
    Profile,
)
from tests import helpers_storage

backend = helpers_storage.backend
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage


def test_storage_values_agree_with_offer_facts() -> None:
    # storage never imports ft_client: the duplicated vocabularies must stay the same.
    assert tuple(level.value for level in ExperienceLevel) == EXPERIENCE_LEVELS
    assert tuple(time.value for time in WorkingTime) == WORKING_TIMES
    assert all(normalise_licence_code(code) == code for code in DRIVING_LICENCES)


def test_migration_0004_exists_in_both_backends() -> None:
    for name in ("sqlite", "postgresql"):
        found = {m.version: m.name for m in load_migrations(name)}  # type: ignore[arg-type]
        assert found[4] == "profile_fields"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"driving_licences": ("B", "Z")}, "driving_licences: 'Z' is not one of"),
        ({"driving_licences": "B"}, "must be a sequence"),
        ({"languages": ("Klingon",)}, "languages: 'Klingon' is not one of"),
        ({"experience": "10ans"}, "experience '10ans' is not one of"),
        ({"working_time": "mi-temps"}, "working_time 'mi-temps' is not one of"),
        ({"remote_wanted": "oui"}, "remote_wanted must be a bool or None"),
    ],
)
def test_bad_values_are_refused_with_a_clear_error(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        Profile(user_id=1, **changes)  # type: ignore[arg-type]


def test_choices_are_deduplicated_in_reading_order() -> None:
    profile = Profile(user_id=1, driving_licences=["CE", "B", "CE"], languages=["Arabe", "Anglais"])
    assert profile.driving_licences == ("B", "CE")
    assert profile.languages == ("Anglais", "Arabe")


async def test_fields_round_trip_export_and_erase(storage: Storage) -> None:
    await helpers_storage.add_user(storage, 7)
    fresh = await storage.get_profile(7)
    assert fresh is not None
    assert (fresh.driving_licences, fresh.languages) == ((), ())
    assert (fresh.experience, fresh.working_time, fresh.remote_wanted) == (None, None, None)

    await storage.set_driving_licences(7, ["CE", "B"])
    await storage.set_languages(7, ["Espagnol"])
    await storage.set_experience(7, "1-2ans")
    await storage.set_working_time(7, "temps_partiel")
    await storage.set_remote_wanted(7, False)
    stored = await storage.get_profile(7)
    assert stored is not None
    assert stored.driving_licences == ("B", "CE") and stored.languages == ("Espagnol",)
    assert (stored.experience, stored.working_time, stored.remote_wanted) == (
        "1-2ans",
        "temps_partiel",
        False,
    )
    # A whole-profile write keeps them; other setters leave them alone.
    await storage.set_skills(7, ["Cuisine"])
    await storage.modify_profile(7, lambda p: p.replace(remote_wanted=True))
    again = await storage.get_profile(7)
    assert again is not None and again.remote_wanted is True
    assert again.driving_licences == ("B", "CE") and again.skills == ("Cuisine",)

    with pytest.raises(ValueError, match="'Z' is not one of"):
        await storage.set_driving_licences(7, ["Z"])
    with pytest.raises(ValueError, match="experience"):
        await storage.set_experience(7, "expert")
    with pytest.raises(TypeError, match="bool or None"):
        await storage.set_remote_wanted(7, 1)  # type: ignore[arg-type]

    export = json.loads(json.dumps(await storage.export_user(7)))
    exported = export["profile"]
    assert exported["driving_licences"] == ["B", "CE"]
    assert exported["languages"] == ["Espagnol"]
    assert (exported["experience"], exported["working_time"]) == ("1-2ans", "temps_partiel")
    assert exported["remote_wanted"] is True

    assert (await storage.delete_user(7))["profiles"] == 1
    assert await storage.get_profile(7) is None
    assert (await storage.export_user(7))["profile"] is None


async def test_indifferent_is_stored_as_none(storage: Storage) -> None:
    await helpers_storage.add_user(storage, 8, working_time="temps_plein", remote_wanted=True)
    await storage.set_working_time(8, None)
    await storage.set_remote_wanted(8, None)
    await storage.set_experience(8, None)
    profile = await storage.get_profile(8)
    assert profile is not None
    assert (profile.working_time, profile.remote_wanted, profile.experience) == (None, None, None)
