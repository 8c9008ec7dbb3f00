"""``profile_fit``: an offer's licences, experience, working time and remote work against the
profile fields of issue 14 item 5, as the card's « ✅ … » / « ⚠️ … » lines."""

from __future__ import annotations

from typing import Any

import pytest

from ft_client.models.offers import Offer, Requirement
from ft_client.offer_facts import fits_requirements, profile_fit, profile_fit_lines
from storage.models import Profile


def make(**kwargs: Any) -> Offer:
    return Offer(id="1", title="Chauffeur (H/F)", **kwargs)


def person(**fields: Any) -> Profile:
    return Profile(user_id=1, **fields)


TRUCK = make(
    licences=(Requirement("B - Véhicule léger", "E"), Requirement("C - Poids lourd", "E")),
    experience_requirement="E",
    experience_label="2 An(s)",
    working_hours_converted="Temps plein",
    description="Télétravail possible le vendredi.",
)


def test_licences_held_and_missing() -> None:
    assert profile_fit_lines(TRUCK, person(driving_licences=("B",))) == [
        "✅ Permis B demandé : vous l'avez",
        "⚠️ Permis C demandé",
    ]
    # A CE holder may drive what B and C allow.
    assert profile_fit_lines(TRUCK, person(driving_licences=("CE",))) == [
        "✅ Permis B demandé : vous l'avez",
        "✅ Permis C demandé : vous l'avez",
    ]
    wished = make(licences=(Requirement("B - Véhicule léger", "S"),))
    assert profile_fit_lines(wished, person()) == ["⚠️ Permis B souhaité"]
    assert fits_requirements(wished, person())  # a wish never blocks
    assert not fits_requirements(TRUCK, person(driving_licences=("B",)))


@pytest.mark.parametrize(
    ("level", "line", "blocking"),
    [
        ("debutant", "⚠️ 2 ans d'expérience exigés", True),
        ("1-2ans", "✅ 2 ans d'expérience exigés : c'est votre cas", False),
        ("3ans+", "✅ 2 ans d'expérience exigés : c'est votre cas", False),
    ],
)
def test_experience_against_the_level(level: str, line: str, blocking: bool) -> None:
    offer = make(experience_requirement="E", experience_label="2 An(s)")
    notes = profile_fit(offer, person(experience=level))
    assert [n.line for n in notes] == [line]
    assert notes[0].blocking is blocking


def test_experience_wished_or_beginner_and_unknown_level() -> None:
    wished = make(experience_requirement="S", experience_label="3 An(s)")
    assert profile_fit_lines(wished, person(experience="1-2ans")) == [
        "⚠️ 3 ans d'expérience souhaités"
    ]
    assert fits_requirements(wished, person(experience="debutant"))
    beginner = make(experience_requirement="D", experience_label="Débutant accepté")
    assert profile_fit_lines(beginner, person(experience="debutant")) == ["✅ Débutant accepté"]
    assert profile_fit_lines(beginner, person(experience="3ans+")) == []
    # No level given: nothing said about experience, nothing blocks.
    assert profile_fit_lines(TRUCK, person(driving_licences=("CE",), remote_wanted=None)) == [
        "✅ Permis B demandé : vous l'avez",
        "✅ Permis C demandé : vous l'avez",
    ]


def test_working_time_and_remote() -> None:
    part_time = make(working_hours_label="24H Travail en journée")
    assert profile_fit_lines(part_time, person(working_time="temps_partiel")) == [
        "✅ Temps partiel, comme vous le souhaitez"
    ]
    assert profile_fit_lines(part_time, person(working_time="temps_plein")) == [
        "⚠️ Temps partiel (vous cherchez un temps plein)"
    ]
    assert profile_fit_lines(TRUCK, person(working_time="temps_partiel"))[-1] == (
        "⚠️ Temps plein (vous cherchez un temps partiel)"
    )
    assert profile_fit_lines(TRUCK, person(remote_wanted=True))[-1] == "✅ Télétravail possible"
    no_remote = make(description="Poste sur site, pas de télétravail.")
    assert profile_fit_lines(no_remote, person(remote_wanted=True)) == ["⚠️ Pas de télétravail"]
    assert profile_fit_lines(no_remote, person(remote_wanted=False)) == []
    assert profile_fit_lines(make(), person(remote_wanted=True, working_time="temps_plein")) == []
    assert fits_requirements(part_time, person(working_time="temps_plein"))  # a wish, not a rule
