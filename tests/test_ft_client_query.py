"""OfferQuery: normalisation, validation (ValueError naming the field), API parameters."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from ft_client import OfferQuery, clean_keywords

NOW = datetime(2026, 11, 25, 12, 30, 15, 987000, tzinfo=UTC)


def test_issue_example_to_params() -> None:
    query = OfferQuery(
        keywords="serveur",
        rome_codes=["G1603"],
        commune="75056",
        distance_km=10,
        contract_types=["CDI", "CDD"],
        created_after=NOW,
    )
    assert query.to_params() == {
        "motsCles": "serveur",
        "codeROME": "G1603",
        "commune": "75056",
        "distance": "10",
        "typeContrat": "CDD,CDI",
        "minCreationDate": "2026-11-25T12:30:15Z",
    }


def test_every_field_maps_to_a_spec_parameter() -> None:
    query = OfferQuery(
        keywords="data, ingénieur",
        rome_codes="M1805,M1811",
        appellation="38444",
        domain="g17",
        broad_domain="M18",
        theme="12",
        sectors=["01", "02"],
        naf_codes=["78.20Z"],
        commune=["33063", "31555"],
        distance_km=0,
        departements=["2a", "75"],
        include_neighbouring=True,
        region="11",
        country_or_continent="01",
        contract_types=("CDI",),
        contract_natures=("E2", "FS"),
        experience=1,
        experience_requirement="d",
        qualification=9,
        training_level="NV3",
        driving_licence="B",
        full_time=False,
        weekly_hours_type=2,
        weekly_hours_min=8,
        weekly_hours_max=24.5,
        contract_months_min=0.5,
        contract_months_max=24,
        salary_min=1400,
        salary_period="M",
        created_after=NOW - timedelta(days=1),
        created_before=NOW,
        published_since_days=7,
        origin=1,
        partners=["LABONNEALTERNANCE"],
        partner_mode="EXCLU",
        disabled_workers=True,
        adapted_companies=False,
        disability_committed_employers=True,
        simulation_recruitment=False,
        lacking_candidates=True,
        sort=1,
    )
    params = query.to_params()
    assert params == {
        "motsCles": "data,ingénieur",
        "codeROME": "M1805,M1811",
        "appellation": "38444",
        "domaine": "G17",
        "grandDomaine": "M18",
        "theme": "12",
        "secteurActivite": "01,02",
        "codeNAF": "78.20Z",
        "commune": "31555,33063",
        "distance": "0",
        "departement": "2A,75",
        "inclureLimitrophes": "true",
        "region": "11",
        "paysContinent": "01",
        "typeContrat": "CDI",
        "natureContrat": "E2,FS",
        "experience": "1",
        "experienceExigence": "D",
        "qualification": "9",
        "niveauFormation": "NV3",
        "permis": "B",
        "tempsPlein": "false",
        "dureeHebdo": "2",
        "dureeHebdoMin": "800",
        "dureeHebdoMax": "2430",
        "dureeContratMin": "0.5",
        "dureeContratMax": "24",
        "salaireMin": "1400",
        "periodeSalaire": "M",
        "minCreationDate": "2026-11-24T12:30:15Z",
        "maxCreationDate": "2026-11-25T12:30:15Z",
        "publieeDepuis": "7",
        "origineOffre": "1",
        "partenaires": "LABONNEALTERNANCE",
        "modeSelectionPartenaires": "EXCLU",
        "accesTravailleurHandicape": "true",
        "entreprisesAdaptees": "false",
        "employeursHandiEngages": "true",
        "offresMRS": "false",
        "offresManqueCandidats": "true",
        "sort": "1",
    }
    # every parameter of the official spec except `range` (set per page) is reachable
    spec = {
        "sort", "domaine", "codeROME", "appellation", "theme", "secteurActivite", "codeNAF",
        "experience", "typeContrat", "natureContrat", "origineOffre", "qualification",
        "tempsPlein", "commune", "distance", "departement", "inclureLimitrophes", "region",
        "paysContinent", "niveauFormation", "permis", "motsCles", "salaireMin", "periodeSalaire",
        "accesTravailleurHandicape", "publieeDepuis", "minCreationDate", "maxCreationDate",
        "offresMRS", "experienceExigence", "grandDomaine", "partenaires",
        "modeSelectionPartenaires", "dureeHebdoMin", "dureeHebdoMax", "dureeContratMin",
        "dureeContratMax", "dureeHebdo", "offresManqueCandidats", "entreprisesAdaptees",
        "employeursHandiEngages",
    }  # fmt: skip
    assert set(params) == spec


def test_empty_query_has_no_params() -> None:
    assert OfferQuery().to_params() == {}
    assert OfferQuery(keywords="  ", rome_codes=[], contract_types="").to_params() == {}


def test_frozen_and_hashable_with_canonical_order() -> None:
    a = OfferQuery(rome_codes=["G1603", "g1602"], contract_types=["CDI", "CDD", "CDI"])
    b = OfferQuery(rome_codes=("G1602", "G1603"), contract_types="CDD,CDI")
    assert a == b and hash(a) == hash(b)
    assert len({a, b}) == 1
    with pytest.raises(AttributeError):
        a.keywords = "x"  # type: ignore[misc]
    assert isinstance(a.rome_codes, tuple)


def test_datetimes_are_utc_and_second_precision() -> None:
    paris = timezone(timedelta(hours=1))
    q = OfferQuery(created_after=datetime(2026, 1, 1, 13, 0, 0, 500, tzinfo=paris))
    assert q.created_after == datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert q.to_params()["minCreationDate"] == "2026-01-01T12:00:00Z"


def test_since_and_split_window() -> None:
    q = OfferQuery(rome_codes=["G1603"], published_since_days=7)
    s = q.since(NOW)
    assert s.published_since_days is None and s.created_after == NOW.replace(microsecond=0)
    w = OfferQuery(created_after=NOW - timedelta(days=2), created_before=NOW)
    parts = w.split_window(2)
    assert parts[0].created_after == w.created_after
    assert parts[0].created_before == parts[1].created_after
    assert parts[1].created_before == w.created_before
    with pytest.raises(ValueError, match="created_after and created_before"):
        q.split_window()


def test_replace_revalidates() -> None:
    with pytest.raises(ValueError, match="distance_km"):
        replace(OfferQuery(commune="75056", distance_km=5), commune=None)


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"rome_codes": ["G160"]}, "rome_codes", "not a ROME code"),
    ({"rome_codes": ["Z1603"]}, "rome_codes", "not a ROME code"),
    ({"rome_codes": ["G1603'; DROP TABLE"]}, "rome_codes", "not a ROME code"),
    ({"rome_codes": [1603]}, "rome_codes", "strings"),
    ({"rome_codes": [f"A{i:04d}" for i in range(201)]}, "rome_codes", "at most 200"),
    ({"commune": "Paris"}, "commune", "INSEE"),
    ({"commune": "7505"}, "commune", "INSEE"),
    ({"commune": "20004"}, "commune", "INSEE"),
    ({"commune": "2C004"}, "commune", "INSEE"),
    ({"commune": "00123"}, "commune", "INSEE"),
    ({"commune": ["75056", "69123", "13055", "31555", "33063", "44109"]}, "commune", "at most 5"),
    ({"commune": "75056", "distance_km": 201}, "distance_km", "between 0 and 200"),
    ({"commune": "75056", "distance_km": -1}, "distance_km", "between 0 and 200"),
    ({"commune": "75056", "distance_km": 10.5}, "distance_km", "integer"),
    ({"commune": "75056", "distance_km": True}, "distance_km", "integer"),
    ({"distance_km": 10}, "distance_km", "needs a commune"),
    ({"departements": ["20"]}, "departements", "département"),
    ({"departements": ["1"]}, "departements", "département"),
    ({"departements": ["01", "02", "03", "04", "05", "06"]}, "departements", "at most 5"),
    ({"region": "99"}, "region", "not a region code"),
    ({"contract_types": ["CDI", "STAGE"]}, "contract_types", "not a contract type"),
    ({"contract_natures": ["E12"]}, "contract_natures", "contract nature"),
    ({"experience": 4}, "experience", "one of 0, 1, 2, 3"),
    ({"experience_requirement": "X"}, "experience_requirement", "D, S or E"),
    ({"qualification": 5}, "qualification", "one of 0, 9"),
    ({"published_since_days": 2}, "published_since_days", "one of 1, 3, 7, 14, 31"),
    ({"sort": 3}, "sort", "one of 0, 1, 2"),
    ({"origin": 3}, "origin", "one of 1, 2"),
    ({"created_after": NOW, "created_before": NOW - timedelta(hours=1)}, "created_after", "later"),
    ({"created_after": datetime(2026, 1, 1)}, "created_after", "timezone-aware"),
    ({"created_before": "2026-01-01"}, "created_before", "expected a datetime"),
    ({"keywords": "a"}, "keywords", "at least 2 characters"),
    ({"keywords": "serveur, x"}, "keywords", "at least 2 characters"),
    ({"keywords": "<b>chef</b>"}, "keywords", "not accepted"),
    ({"keywords": "chef d'équipe"}, "keywords", "not accepted"),
    ({"keywords": ",".join(["mot"] * 8)}, "keywords", "at most 7"),
    ({"keywords": 42}, "keywords", "expected a string"),
    ({"salary_min": 1400}, "salary_period", "go together"),
    ({"salary_period": "M"}, "salary_min", "go together"),
    ({"salary_min": -5, "salary_period": "M"}, "salary_min", "negative"),
    ({"salary_min": float("nan"), "salary_period": "M"}, "salary_min", "finite"),
    ({"salary_min": 1000, "salary_period": "W"}, "salary_period", "M, A, H or C"),
    ({"weekly_hours_min": 40, "weekly_hours_max": 20}, "weekly_hours_min", "must not exceed"),
    ({"weekly_hours_max": 120}, "weekly_hours_max", "between"),
    ({"contract_months_min": 100}, "contract_months_min", "between 0 and 99"),
    ({"naf_codes": ["7820Z"]}, "naf_codes", "NAF code"),
    ({"naf_codes": ["78.20Z", "56.10A", "47.11B"]}, "naf_codes", "at most 2"),
    ({"sectors": ["1"]}, "sectors", "NAF division"),
    ({"broad_domain": "Z"}, "broad_domain", "not one of"),
    ({"domain": "G1"}, "domain", "not a letter"),
    ({"appellation": "abc"}, "appellation", "appellation code"),
    ({"partner_mode": "EXCLU"}, "partner_mode", "needs partners"),
    ({"partners": ["X"], "partner_mode": "SOME"}, "partner_mode", "INCLUS or EXCLU"),
    ({"full_time": "yes"}, "full_time", "True, False or None"),
    ({"theme": "1"}, "theme", "2 digits"),
    ({"keywords": "serveur " * 100}, "keywords", "at most 500 characters"),
]


@pytest.mark.parametrize(("kwargs", "field", "reason"), BAD, ids=[f"{f}-{r}" for _, f, r in BAD])
def test_validation_errors_name_field_and_reason(
    kwargs: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(ValueError, match=f"OfferQuery.{field}: ") as info:
        OfferQuery(**kwargs)
    assert reason in str(info.value)


@pytest.mark.parametrize("code", ["75056", "2A004", "2B033", "97411", "01001", "75115", "13055"])
def test_valid_insee_codes(code: str) -> None:
    assert OfferQuery(commune=code, distance_km=0).commune_codes == (code,)


@pytest.mark.parametrize("code", ["01", "2A", "2B", "75", "971", "976", "95"])
def test_valid_departements(code: str) -> None:
    assert OfferQuery(departements=[code]).departements == (code,)


def test_keywords_accents_and_spacing_kept() -> None:
    assert OfferQuery(keywords="  aide-soignant ,  développeur   web ").keywords == (
        "aide-soignant,développeur web"
    )
    assert OfferQuery(keywords=["c++", "node.js"]).keywords == "c++,node.js"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chef d'équipe", "chef d équipe"),
        ("<script>alert(1)</script>", "script alert 1 /script"),
        ("a", None),
        ("", None),
        (None, None),
        (",".join(f"mot{i}" for i in range(10)), ",".join(f"mot{i}" for i in range(7))),
    ],
)
def test_clean_keywords_makes_valid_keywords(text: str | None, expected: str | None) -> None:
    cleaned = clean_keywords(text)
    assert cleaned == expected
    if cleaned is not None:
        assert OfferQuery(keywords=cleaned).keywords == cleaned
