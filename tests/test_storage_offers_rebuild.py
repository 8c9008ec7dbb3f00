"""Offers rebuilt from their ``offers`` rows (`storage.offer_rows.offer_from_row`): equal to the
straightforward rebuild on varied offers, with their repeated parts (competences, qualities,
requirements, companies) shared between offers instead of built once per row."""

from __future__ import annotations

import json
import random
import types
from datetime import UTC, datetime, timedelta
from typing import Any

from ft_client.models import Offer
from ft_client.models.offers import (
    Company,
    Competence,
    ProfessionalQuality,
    Requirement,
    Salary,
    WorkPlace,
)
from storage import offer_rows as stored
from storage.models import from_epoch

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
SKILLS = [(f"{100 + i}", f"Compétence {i}") for i in range(12)] + [(None, "Sans code")]
QUALITIES = ["Rigueur", "Autonomie", "Sens de l'organisation"]
LICENCES = ["B - Véhicule léger", "C - Poids lourd"]


def varied_offer(rng: random.Random, index: int) -> Offer:
    """An offer drawing its parts from small pools (so that they repeat across offers), with
    or without salary, licences, languages, coordinates, update date."""
    salary = rng.choice(
        [
            None,
            Salary(label="Mensuel de 1800,00 Euros"),
            Salary(comment="Selon profil", complement1="Primes"),
            Salary(complement1="Logement"),
            Salary(label="Horaire de 12 Euros", complement1="Mutuelle", complement2="Tickets"),
        ]
    )
    return Offer(
        id=f"O{index}",
        title=f"Offre {index}",
        description="Télétravail possible." if rng.random() < 0.3 else None,
        created_at=T0 - timedelta(minutes=index),
        updated_at=T0 if rng.random() < 0.5 else None,
        place=WorkPlace(
            label="69 - Lyon 3e Arrondissement",
            latitude=45.75 if rng.random() < 0.8 else None,
            longitude=4.85,
            postal_code=rng.choice(["69003", None]),
            commune="69383",
        ),
        rome_code=rng.choice(["G1603", "K2204"]),
        rome_label=rng.choice(["Personnel de cuisine", None]),
        appellation_label=rng.choice(["Commis", None]),
        company=Company(name=rng.choice(["Bistrot", "Hôtel", None])),
        contract_type=rng.choice(["CDI", "CDD", None]),
        contract_type_label=rng.choice(["Contrat à durée indéterminée", None]),
        experience_requirement=rng.choice(["D", "E", None]),
        experience_label=rng.choice(["Débutant accepté", None]),
        languages=tuple(
            Requirement(label="Anglais", requirement=rng.choice("ES"))
            for _ in range(rng.randint(0, 1))
        ),
        licences=tuple(
            Requirement(label=label, requirement=rng.choice("ES"))
            for label in rng.sample(LICENCES, k=rng.randint(0, 2))
        ),
        competences=tuple(
            Competence(code=code, label=label, requirement=rng.choice(["E", "S", None]))
            for code, label in rng.sample(SKILLS, k=rng.randint(0, 6))
        ),
        qualities=tuple(
            ProfessionalQuality(label=q) for q in rng.sample(QUALITIES, k=rng.randint(0, 3))
        ),
        salary=salary,
        working_hours_label=rng.choice(["35H Horaires normaux", None]),
        working_hours_converted=rng.choice(["Temps plein", "Temps partiel", None]),
        alternance=rng.choice([True, False, None]),
    )


def plain_rebuild(row: Any) -> tuple[Offer, bool | None]:
    """The rebuild as it was written before the shared parts: one new object per part."""
    details = json.loads(row.details)
    complement1, complement2 = details.get("salary_complements") or (None, None)
    salary = Salary(
        label=row.salary_label,
        comment=row.salary_comment,
        complement1=complement1,
        complement2=complement2,
    )

    def requirements(pairs: Any) -> tuple[Requirement, ...]:
        return tuple(Requirement(label=label, requirement=req) for label, req in pairs or ())

    offer = Offer(
        id=row.offer_id,
        title=row.title,
        created_at=from_epoch(row.created_at),
        updated_at=from_epoch(details["updated_at"]) if details.get("updated_at") else None,
        place=WorkPlace(
            label=row.town,
            latitude=row.latitude,
            longitude=row.longitude,
            postal_code=details.get("postal_code"),
            commune=row.commune,
        ),
        rome_code=row.rome_code,
        rome_label=details.get("rome_label"),
        appellation_label=details.get("appellation"),
        company=Company(name=row.company),
        contract_type=row.contract_type,
        contract_type_label=details.get("contract_label"),
        experience_requirement=row.experience,
        experience_label=details.get("experience_label"),
        languages=requirements(details.get("languages")),
        licences=requirements(json.loads(row.licences)),
        competences=tuple(
            Competence(code=code, label=label, requirement=req)
            for code, label, req in details.get("competences") or ()
        ),
        qualities=tuple(ProfessionalQuality(label=q) for q in details.get("qualities") or ()),
        salary=salary if any((salary.label, salary.comment, complement1)) else None,
        working_hours_label=details.get("hours_label"),
        working_hours_converted=row.working_time,
        alternance=details.get("alternance"),
    )
    return offer, details.get("remote")


def rows(count: int, seed: int = 13) -> list[Any]:
    rng = random.Random(seed)
    swept = int(T0.timestamp())
    return [
        types.SimpleNamespace(**stored.offer_row(varied_offer(rng, i), swept)) for i in range(count)
    ]


def test_rebuilt_offers_equal_the_plain_rebuild() -> None:
    sample = rows(400)
    assert [stored.offer_from_row(row) for row in sample] == [plain_rebuild(r) for r in sample]
    # The sample does exercise what the rebuild branches on.
    offers = [stored.offer_from_row(row)[0] for row in sample]
    assert any(o.salary is None for o in offers) and any(o.salary for o in offers)
    assert any(not o.licences for o in offers) and any(len(o.licences) == 2 for o in offers)
    assert any(c.code is None for o in offers for c in o.competences)


def test_repeated_parts_are_one_object_shared_by_the_offers() -> None:
    first, second = (stored.offer_from_row(row)[0] for row in rows(2, seed=5))
    again = stored.offer_from_row(rows(1, seed=5)[0])[0]
    assert again == first
    # Rebuilt twice, the same competence, quality, licence and company are the same object.
    assert all(a is b for a, b in zip(first.competences, again.competences, strict=True))
    assert all(a is b for a, b in zip(first.qualities, again.qualities, strict=True))
    assert all(a is b for a, b in zip(first.licences, again.licences, strict=True))
    assert first.company is again.company
    assert second.id != first.id


def test_the_shared_parts_stay_bounded() -> None:
    interned = stored._Interned(limit=3)
    built = [interned.competence(str(i), f"Compétence {i}", "E") for i in range(10)]
    assert len(interned.competences) <= 3
    # Past the bound a part is built again, equal to the first one.
    assert interned.competence("0", "Compétence 0", "E") == built[0]
