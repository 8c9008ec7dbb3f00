"""Offer facts: distance, experience, licences, working time, remote work, town, badges and
distinct button labels, on the real samples and on odd data."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from ft_client.models.offers import Company, Offer, Requirement, Salary, WorkPlace
from ft_client.offer_facts import (
    BEGINNER_BADGE,
    BUTTON_MAX_CHARS,
    ExperienceLevel,
    ExperienceRequirement,
    WorkingTime,
    beginner_accepted,
    distance_km,
    experience_requirement,
    format_distance,
    held_licence_codes,
    missing_licences,
    normalise_licence_code,
    offer_button_labels,
    offer_facts,
    offer_licences,
    remote_work,
    short_title,
    town_name,
    weekly_hours,
    working_time,
)

SAMPLES = Path(__file__).parent / "fixtures" / "ft_samples"
PARIS = (48.8566, 2.3522)
LYON = (45.7640, 4.8357)


def sample_offers() -> list[Offer]:
    offers: list[Offer] = []
    for path in sorted(SAMPLES.glob("*.json")):
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        items = data.get("resultats", [data]) if isinstance(data, dict) else []
        for item in items:
            if isinstance(item, dict) and "intitule" in item:
                offer = Offer.from_json(item)
                if offer is not None:
                    offers.append(offer)
    return offers


def make(**kwargs: Any) -> Offer:
    return Offer(id=kwargs.pop("id", "1"), title=kwargs.pop("title", "Serveur (H/F)"), **kwargs)


# ---------------------------------------------------------------- distance


def test_distance_paris_lyon_and_unknown_points() -> None:
    offer = make(place=WorkPlace(latitude=LYON[0], longitude=LYON[1]))
    km = distance_km(offer, PARIS)
    assert km is not None and 389 < km < 394
    assert distance_km(offer, None) is None
    assert distance_km(make(), PARIS) is None  # offer without coordinates
    assert distance_km(make(place=WorkPlace(latitude=48.0)), PARIS) is None
    assert distance_km(offer, LYON) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    "origin",
    [(math.nan, 2.0), (91.0, 2.0), (48.0, 181.0), (math.inf, 0.0), ("48", "2"), (True, 2.0), (1,)],
)
def test_distance_invalid_origin_is_unknown(origin: Any) -> None:
    offer = make(place=WorkPlace(latitude=LYON[0], longitude=LYON[1]))
    assert distance_km(offer, origin) is None


def test_format_distance() -> None:
    assert format_distance(None) is None
    assert format_distance(-1) is None
    assert format_distance(math.nan) is None
    assert format_distance(0.3) == "à moins d'1\u00a0km"
    assert format_distance(12.49) == "à 12\u00a0km"
    assert format_distance(391.7) == "à 392\u00a0km"


def test_real_sample_offers_have_distances_from_paris() -> None:
    offers = sample_offers()
    with_point = [o for o in offers if o.place.latitude is not None]
    assert with_point, "the samples have offers with coordinates"
    assert all(distance_km(o, PARIS) is not None for o in with_point)


# ---------------------------------------------------------------- experience


@pytest.mark.parametrize(
    ("code", "label", "beginner", "months", "required", "display"),
    [
        ("D", "Débutant accepté", True, None, False, "Débutant accepté"),
        ("D", "Débutant OK", True, None, False, "Débutant accepté"),
        (None, "Débutant accepté", True, None, False, "Débutant accepté"),
        ("E", "2 ans", False, 24, True, "2 ans d'expérience exigés"),
        ("S", "1 An(s)", False, 12, False, "1 an d'expérience souhaité"),
        ("E", "1 an - en environnements Devops", False, 12, True, "1 an d'expérience exigé"),
        ("S", "6 Mois", False, 6, False, "6 mois d'expérience souhaités"),
        ("S", "3 mois", False, 3, False, "3 mois d'expérience souhaités"),
        ("E", "4 An(s)", False, 48, True, "4 ans d'expérience exigés"),
        ("E", "5 An(s)", False, 60, True, "5 ans d'expérience exigés"),
        ("E", "Expérience exigée de 2 An(s)", False, 24, True, "2 ans d'expérience exigés"),
        ("E", "Expérience exigée", False, None, True, "Expérience exigée"),
        ("S", "Expérience souhaitée", False, None, False, "Expérience souhaitée"),
        ("E", "1 mois", False, 1, True, "1 mois d'expérience exigé"),
        (None, None, False, None, False, "Expérience souhaitée"),
    ],
)
def test_experience_requirement(
    code: str | None,
    label: str | None,
    beginner: bool,
    months: int | None,
    required: bool,
    display: str,
) -> None:
    req = experience_requirement(make(experience_requirement=code, experience_label=label))
    assert (req.beginner_accepted, req.months, req.required) == (beginner, months, required)
    assert req.display == display


def test_every_real_sample_experience_is_understood() -> None:
    for offer in sample_offers():
        req = experience_requirement(offer)
        assert req.display, offer.id
        if offer.experience_requirement == "D":
            assert req.beginner_accepted and beginner_accepted(offer)
        if offer.experience_label and any(ch.isdigit() for ch in offer.experience_label):
            assert req.months is not None, offer.experience_label


def test_experience_fits_profile_level() -> None:
    two_years = ExperienceRequirement(months=24, required=True)
    four_years = ExperienceRequirement(months=48, required=True)
    wished = ExperienceRequirement(months=60, required=False)
    vague = ExperienceRequirement(months=None, required=True)
    beginner_ok = ExperienceRequirement(beginner_accepted=True)
    junior, mid, senior = ExperienceLevel
    assert beginner_ok.fits(junior) and wished.fits(junior)
    assert not two_years.fits(junior) and two_years.fits(mid) and two_years.fits(senior)
    assert not four_years.fits(mid) and four_years.fits(senior)
    assert not vague.fits(junior) and vague.fits(mid)
    assert four_years.fits(None)  # the person has not said: not excluded


# ---------------------------------------------------------------- licences


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("B - Véhicule léger", "B"),
        ("C - Poids lourd", "C"),
        ("CE - Poids lourd + remorque", "CE"),
        ("EC - Poids lourd + remorque", "CE"),
        ("EB - Véhicule léger + remorque", "BE"),
        ("D - Transport en commun", "D"),
        ("C1E - Camion moyen + remorque", "C1E"),
        ("permis b", "B"),
        ("Permis C", "C"),
        ("Véhicule léger", "B"),
        ("AM", "AM"),
        ("bateau", None),
        ("", None),
        ("Z - inconnu", None),
    ],
)
def test_normalise_licence_code(text: str, code: str | None) -> None:
    assert normalise_licence_code(text) == code


def test_offer_licences_and_what_is_missing() -> None:
    offer = make(
        licences=(
            Requirement("B - Véhicule léger", "E"),
            Requirement("CE - Poids lourd + remorque", "S"),
            Requirement("B - Véhicule léger", "E"),  # duplicates happen
            Requirement("Permis bateau", "E"),  # not a road licence: ignored
        )
    )
    assert [(r.code, r.required) for r in offer_licences(offer)] == [("B", True), ("CE", False)]
    assert [r.code for r in missing_licences(offer, [])] == ["B"]
    assert missing_licences(offer, ["B"]) == ()
    assert missing_licences(offer, ["CE"]) == ()  # a CE holder holds B
    truck = make(licences=(Requirement("C - Poids lourd", "E"),))
    assert [r.code for r in missing_licences(truck, ["B"])] == ["C"]
    assert missing_licences(truck, ["permis ce"]) == ()
    assert held_licence_codes(["C"]) >= {"B", "C", "C1"}
    assert held_licence_codes(["nonsense"]) == frozenset()


def test_real_sample_licence() -> None:
    offers = [o for o in sample_offers() if o.licences]
    assert offers
    assert [r.code for r in offer_licences(offers[0])] == ["B"]


# ---------------------------------------------------------------- time, remote, town


@pytest.mark.parametrize(
    ("converted", "label", "time", "hours"),
    [
        ("Temps plein", "35H Travail en journée", WorkingTime.FULL_TIME, 35.0),
        ("Temps partiel", "24H30 Travail en journée", WorkingTime.PART_TIME, 24.5),
        (None, "20H", WorkingTime.PART_TIME, 20.0),
        (None, "39H/semaine", WorkingTime.FULL_TIME, 39.0),
        (None, "\nTravail en journée", None, None),
        (None, "Temps partiel", WorkingTime.PART_TIME, None),
        (None, None, None, None),
        (None, "99H", None, None),
    ],
)
def test_working_time(
    converted: str | None, label: str | None, time: WorkingTime | None, hours: float | None
) -> None:
    offer = make(working_hours_converted=converted, working_hours_label=label)
    assert working_time(offer) is time
    assert weekly_hours(offer) == hours


@pytest.mark.parametrize(
    ("title", "description", "remote"),
    [
        ("Développeur Python (H/F)", "Télétravail 2 jours par semaine.", True),
        ("Développeur full remote", None, True),
        ("Développeur", "Poste hybride, bureaux à Rennes.", True),
        ("Développeur", "Travail à distance possible.", True),
        ("Développeur", "Pas de télétravail possible.", False),
        ("Développeur", "Télétravail : non.", False),
        ("Serveur", "Service du midi en brasserie.", None),
        ("Mécanicien automobile", "Entretien des véhicules hybrides et électriques.", None),
        ("Technicien", "Formation à distance les premiers jours.", None),
        ("Serveur", None, None),
    ],
)
def test_remote_work(title: str, description: str | None, remote: bool | None) -> None:
    assert remote_work(make(title=title, description=description)) is remote


@pytest.mark.parametrize(
    ("label", "town"),
    [
        ("75 - Paris 12e Arrondissement", "Paris 12e"),
        ("74 - ANNECY", "Annecy"),
        ("93 - SAINT-DENIS", "Saint-Denis"),
        ("13 - AIX EN PROVENCE", "Aix en Provence"),
        ("974 - Saint-Denis", "Saint-Denis"),
        ("Île-de-France", "Île-de-France"),
        (None, None),
        ("", None),
    ],
)
def test_town_name(label: str | None, town: str | None) -> None:
    assert town_name(WorkPlace(label=label)) == town


def test_offer_facts_in_one_call() -> None:
    offer = make(
        experience_requirement="D",
        experience_label="Débutant accepté",
        working_hours_converted="Temps partiel",
        description="Télétravail possible le vendredi.",
        salary=Salary(label="Mensuel de 1600,00 Euros à 1800,00 Euros sur 12 mois"),
        place=WorkPlace(label="69 - Lyon 3e Arrondissement", latitude=45.76, longitude=4.85),
    )
    facts = offer_facts(offer, LYON)
    assert facts.beginner_accepted
    assert facts.badges == (BEGINNER_BADGE, "Télétravail", "Temps partiel")
    assert facts.salary.monthly_min == 1600 and facts.salary.monthly_max == 1800
    assert facts.distance_km is not None and facts.distance_km < 2
    assert facts.town == "Lyon 3e"
    bare = offer_facts(make())
    assert bare.badges == () and bare.distance_km is None and not bare.salary.known


def test_offer_facts_never_raise_on_real_samples() -> None:
    for offer in sample_offers():
        facts = offer_facts(offer, PARIS)
        assert facts.salary.display


# ---------------------------------------------------------------- button labels


@pytest.mark.parametrize(
    ("title", "short"),
    [
        ("Serveur en restauration (H/F)", "Serveur en restauration"),
        ("Vendeur (F/H)", "Vendeur"),
        ("Chef de rang H/F/X", "Chef de rang"),
        ("Cuisinier - F/H", "Cuisinier"),
        ("Aide-soignant h/f", "Aide-soignant"),
        ("H/F", "H/F"),
        ("", "Offre"),
    ],
)
def test_short_title(title: str, short: str) -> None:
    assert short_title(title) == short


def _waiters() -> list[Offer]:
    rows = [
        ("Brasserie Lipp", "75 - Paris 6e Arrondissement"),
        (None, "75 - Paris 12e Arrondissement"),
        (None, "75 - Paris 12e Arrondissement"),
        ("Le Grand Restaurant de la Gare du Nord Parisienne", "75 - Paris 10e Arrondissement"),
        ("Brasserie Lipp", "75 - Paris 7e Arrondissement"),
        (None, None),
        (None, None),
    ]
    return [
        make(
            id=str(i),
            title="Serveur en restauration (H/F)",
            company=Company(name=company),
            place=WorkPlace(label=label),
        )
        for i, (company, label) in enumerate(rows)
    ]


def test_button_labels_are_distinct_short_and_numbered() -> None:
    labels = offer_button_labels(_waiters())
    assert len(set(labels)) == len(labels)
    assert all(len(label) <= BUTTON_MAX_CHARS for label in labels)
    assert labels[0] == "1. Serveur en restauration · Paris 6e"  # same company twice → town
    assert labels[4] == "5. Serveur en restauration · Paris 7e"
    assert labels[1] == "2. Serveur en restauration · Paris 12e"
    assert labels[2].startswith("3. Serveur") and labels[2].endswith("Paris 12e (2)")
    assert labels[3].startswith("4. Serveur") and "Le Grand" in labels[3]
    assert labels[5] == "6. Serveur en restauration"
    assert labels[6] == "7. Serveur en restauration (2)"


def test_button_labels_prefer_company_and_fit_any_width() -> None:
    offers = [
        make(id="a", title="Serveur (H/F)", company=Company(name="Chez Paul")),
        make(id="b", title="Serveur (H/F)", company=Company(name="Le Dôme")),
        make(
            id="c",
            title="Développeur Full Stack Java / Angular Confirmé H/F - Télétravail partiel",
            company=Company(name="Capgemini Technology Services"),
        ),
    ]
    assert offer_button_labels(offers, first_number=None)[:2] == [
        "Serveur · Chez Paul",
        "Serveur · Le Dôme",
    ]
    for width in (20, 24, 30, 40, 64):
        labels = offer_button_labels(offers * 4, max_chars=width, first_number=9)
        assert all(len(label) <= width for label in labels), (width, labels)
        assert len(set(labels)) == len(labels)
    assert offer_button_labels([]) == []


def test_button_labels_on_real_samples() -> None:
    offers = sample_offers()
    labels = offer_button_labels(offers)
    assert len(set(labels)) == len(labels) == len(offers)
    assert all(len(label) <= BUTTON_MAX_CHARS for label in labels)
    assert all("H/F" not in label for label in labels)
