"""criteria_for: the profile's criteria, the new profile fields included, then overrides."""

from __future__ import annotations

import dataclasses
from datetime import time

from bot.criteria import criteria_for
from storage import Profile, TargetJob


def _profile(**fields: object) -> Profile:
    base = Profile(
        user_id=1,
        target_jobs=(TargetJob("G1803", "Serveur"),),
        skills=("service en salle",),
        place_code="75056",
        place_label="Paris",
        radius_km=10,
        alert_time=time(8, 0),
        alerts_enabled=True,
    )
    return dataclasses.replace(base, **fields)


def test_profile_fields_apply_to_every_search() -> None:
    plain = criteria_for(_profile())
    assert (plain.part_time, plain.beginner) == (None, False)
    assert plain.summary().count("débutant") == 0

    junior = criteria_for(_profile(experience="debutant", working_time="temps_partiel"))
    assert (junior.part_time, junior.beginner) == (True, True)
    assert "débutant" in junior.summary()
    assert criteria_for(_profile(working_time="temps_plein")).part_time is False
    assert criteria_for(_profile(experience="3ans+")).beginner is False


def test_a_typed_search_overrides_the_profile() -> None:
    junior = _profile(experience="debutant", working_time="temps_partiel")
    overridden = criteria_for(junior, part_time=None, beginner=False)
    assert (overridden.part_time, overridden.beginner) == (None, False)
    assert criteria_for(junior, departement="69").commune_code is None
