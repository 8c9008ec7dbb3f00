"""Every real France Travail sample in tests/fixtures/ft_samples parses into the typed models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from ft_client.client import _error_message
from ft_client.models import (
    CommuneEntry,
    Facet,
    Offer,
    ReferentialEntry,
    RomeJob,
    SoftSkill,
    format_ft_datetime,
    parse_datetime,
)

SAMPLES = Path(__file__).parent / "fixtures" / "ft_samples"


def load(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def offer_dicts() -> list[tuple[str, dict[str, Any]]]:
    """Every offer-shaped object of every sample: single offers and `resultats` items."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(SAMPLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "intitule" in data:
            found.append((path.name, data))
        elif isinstance(data, dict) and isinstance(data.get("resultats"), list):
            found.extend((f"{path.name}[{i}]", o) for i, o in enumerate(data["resultats"]))
    return found


OFFERS = offer_dicts()


def test_the_samples_hold_offers() -> None:
    assert len(OFFERS) >= 12


@pytest.mark.parametrize(("name", "data"), OFFERS, ids=[n for n, _ in OFFERS])
def test_every_sample_offer_parses(name: str, data: dict[str, Any]) -> None:
    offer = Offer.from_json(data)
    assert offer is not None, name
    assert offer.id == data["id"]
    assert offer.title
    assert offer.page_url.endswith("/" + offer.id)
    if data.get("dateCreation"):
        assert offer.created_at is not None
        assert offer.created_at.tzinfo is not None
        assert offer.created_at.utcoffset().total_seconds() == 0
    for competence in offer.competences:
        assert competence.label
        assert competence.requirement in (None, "E", "S")
    hash(offer)  # frozen dataclasses of tuples: usable in sets


def test_doc_example_offer_fields() -> None:
    data = load("search_response_doc_example.json")["resultats"][0]
    offer = Offer.from_json(data)
    assert offer is not None
    assert offer.id == "048KLTP"
    assert offer.place.label == data["lieuTravail"]["libelle"]
    assert offer.place.latitude == pytest.approx(float(data["lieuTravail"]["latitude"]))
    assert offer.rome_code == data["romeCode"]
    assert offer.contract_type == data["typeContrat"]
    assert offer.company.name == data["entreprise"]["nom"]
    assert offer.salary is not None
    assert len(offer.competences) == len(data["competences"])
    assert len(offer.qualities) == len(data["qualitesProfessionnelles"])
    assert offer.origin_url == data["origineOffre"]["urlOrigine"]


def test_partner_offer_with_numeric_id() -> None:
    data = load("offres_search_206_range0-1_partenaires_2026.json")["resultats"][0]
    offer = Offer.from_json(data)
    assert offer is not None
    assert offer.id.isdigit()
    assert offer.origin is not None
    assert offer.origin.origin == "2"


def test_detail_with_empty_agence_and_schedule_forms() -> None:
    offer = Offer.from_json(load("offre_detail_179PPHH.json"))
    assert offer is not None and offer.id == "179PPHH"
    as_string = Offer.from_json({"id": "X", "contexteTravail": {"horaires": "Lundi"}})
    as_list = Offer.from_json({"id": "X", "contexteTravail": {"horaires": ["Lundi", "Mardi"]}})
    assert as_string is not None and as_string.schedule == ("Lundi",)
    assert as_list is not None and as_list.schedule == ("Lundi", "Mardi")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"id": None},
        {"id": ""},
        [],
        "193XKZP",
        None,
    ],
)
def test_offer_without_id_is_none(data: Any) -> None:
    assert Offer.from_json(data) is None


def test_hostile_shapes_do_not_crash() -> None:
    offer = Offer.from_json(
        {
            "id": "123ABCD",
            "intitule": "<script>alert(1)</script>",
            "lieuTravail": [],
            "entreprise": "ACME",
            "salaire": [],
            "competences": [None, 3, {"libelle": ""}, {"libelle": "Accueillir", "exigence": "E"}],
            "outilsBureautiques": "Tableur",
            "dateCreation": "not a date",
            "nombrePostes": "2",
            "alternance": "true",
            "contact": None,
        }
    )
    assert offer is not None
    assert offer.title == "<script>alert(1)</script>"  # escaping is the renderer's job
    assert offer.salary is None
    assert offer.created_at is None
    assert offer.positions == 2
    assert offer.alternance is True
    assert offer.office_tools == ("Tableur",)
    assert [c.label for c in offer.competences] == ["Accueillir"]
    assert offer.required_competences[0].required


@pytest.mark.parametrize(
    "name",
    [
        "search_filtresPossibles_french_towns_map.json",
        "offres_search_filtresPossibles_commune.json",
    ],
)
def test_facets_parse(name: str) -> None:
    data = load(name)
    facets = [f for item in data if (f := Facet.from_json(item)) is not None]
    assert {f.name for f in facets} >= {"typeContrat", "experience", "qualification"}
    for facet, raw in zip(facets, data, strict=True):
        assert sum(v.count for v in facet.values) == sum(
            int(a["nbResultats"]) for a in raw["agregation"]
        )


def test_facets_of_the_cmnemoi_page() -> None:
    data = load("offres_search_item_201WLXK_2025_cmnemoi.json")
    facets = [Facet.from_json(item) for item in data["filtresPossibles"]]
    assert all(f is not None and f.values for f in facets)


@pytest.mark.parametrize(
    ("name", "status", "expected"),
    [
        (
            "error_400_range_too_wide.json",
            400,
            "La plage de résultats demandée est trop importante.",
        ),
        ("error_400_offres_search_range_too_wide.json", 400, "trop importante"),
        ("error_400_legacy_with_classeOrigine.json", 400, "salaryCurrencyCode"),
        ("error_500_stats_api.json", 500, "Erreur lors de l'appel"),
        ("token_error_invalid_client.json", 400, "Client authentication failed"),
        ("error_400_token_invalid_scope_official_doc.json", 400, "Unknown/invalid scope"),
    ],
)
def test_error_bodies_give_the_service_message(name: str, status: int, expected: str) -> None:
    body = (SAMPLES / name).read_bytes()
    response = httpx.Response(status, content=body, headers={"Content-Type": "application/json"})
    message, _code = _error_message(response)
    assert expected in message


def test_error_body_not_json() -> None:
    response = httpx.Response(
        429, content=b"Too Many Requests", headers={"Content-Type": "text/plain"}
    )
    assert _error_message(response)[0] == "Too Many Requests"
    assert _error_message(httpx.Response(401))[0] == "HTTP 401"


@pytest.mark.parametrize(
    "name",
    ["softskills_skills_map_C1302_truncated.json", "softskills_job_skills_skills_object.json"],
)
def test_soft_skills_parse_best_first(name: str) -> None:
    data = load(name)
    skills = SoftSkill.list_from_json({"uuid": "u", "code": "C1302", "skills": data})
    assert len(skills) == len(data)
    assert [s.score for s in skills] == sorted((s.score for s in skills), reverse=True)
    assert all(s.label and 0 <= s.score <= 1 for s in skills)
    assert SoftSkill.list_from_json(data) == skills  # the bare `skills` object too


def test_referentials_parse() -> None:
    natures = [ReferentialEntry.from_json(i) for i in load("referentiel_naturesContrats.json")]
    assert len(natures) == 20 and all(n is not None for n in natures)
    assert any(n.code == "E2" for n in natures if n)
    types = [ReferentialEntry.from_json(i) for i in load("referentiel_typesContrats_partial.json")]
    assert {t.code for t in types if t} >= {"CDI", "CDD", "MIS"}
    communes = [
        CommuneEntry.from_json(i)
        for name in (
            "referentiel_communes_excerpt_1j1s_a.json",
            "referentiel_communes_excerpt_1j1s_b.json",
        )
        for i in load(name)
    ]
    assert all(c is not None and len(c.code) == 5 and c.departement for c in communes)
    nantes = next(c for c in communes if c and c.label == "NANTES")
    assert nantes.code == "44109" and nantes.postal_code == "44000"


def test_rome_job_from_metier_and_fiche() -> None:
    metier = {
        "code": "G1603",
        "libelle": "Personnel polyvalent en restauration",
        "definition": "Réalise des opérations simples de préparation…",
        "domaineProfessionnel": {
            "code": "G16",
            "libelle": "Production culinaire",
            "grandDomaine": {"code": "G", "libelle": "Hôtellerie"},
        },
        "appellations": [
            {
                "code": "12345",
                "libelle": "Équipier / Équipière polyvalent",
                "classification": "PRINCIPALE",
            },
            {"libelle": "no code"},
        ],
    }
    fiche = {
        "code": "G1603",
        "groupesCompetencesMobilisees": [
            {
                "enjeu": {"code": "E1", "libelle": "Hygiène"},
                "competences": [
                    {"type": "COMPETENCE-DETAILLEE", "code": "100", "libelle": "Nettoyer"},
                    {
                        "type": "MACRO-SAVOIR-ETRE-PROFESSIONNEL",
                        "code": "200",
                        "libelle": "Travailler en équipe",
                    },
                ],
            }
        ],
        "groupesSavoirs": [
            {
                "categorieSavoirs": {"libelle": "Normes"},
                "savoirs": [{"type": "SAVOIR", "code": "300", "libelle": "HACCP"}],
            }
        ],
    }
    job = RomeJob.from_json(metier, fiche)
    assert job is not None
    assert job.code == "G1603" and job.domain_code == "G16" and job.broad_domain_code == "G"
    assert [a.code for a in job.appellations] == ["12345"]
    assert [s.label for s in job.skills] == ["Nettoyer", "Travailler en équipe"]
    assert job.skills[0].group == "Hygiène"
    assert [s.label for s in job.soft_skills] == ["Travailler en équipe"]
    assert job.knowledge[0].is_knowledge
    assert RomeJob.from_json({}, None) is None
    only_fiche = RomeJob.from_json({}, {"metier": {"code": "A1101", "libelle": "Conduite"}})
    assert only_fiche is not None and only_fiche.label == "Conduite"


def test_datetimes() -> None:
    assert parse_datetime("2022-10-23T08:15:42Z") == datetime(2022, 10, 23, 8, 15, 42, tzinfo=UTC)
    assert parse_datetime("2024-01-02T03:04:05.000Z") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_datetime("2024-01-02T03:04:05+02:00") == datetime(2024, 1, 2, 1, 4, 5, tzinfo=UTC)
    assert parse_datetime("") is None and parse_datetime(12) is None
    assert (
        format_ft_datetime(datetime(2022, 3, 25, 14, 52, 0, 123456, tzinfo=UTC))
        == "2022-03-25T14:52:00Z"
    )
