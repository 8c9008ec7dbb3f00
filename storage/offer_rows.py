"""Offers ↔ rows of the ``offers`` table: what the sweep stores of an offer (``offer_row``), the
offer rebuilt from its row (``offer_from_row``, sharing repeated parts), and the candidates of a
local read (``CandidateOffer``: rebuilt only when a query keeps them)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import datetime
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
from ft_client.offer_facts import remote_work
from ft_client.salary import parse_salary
from storage.models import from_epoch, to_epoch
from storage.offer_grid import grid_cell


class CandidateOffer:
    """A stored offer near a point: the offer as the ranking reads it (without its
    description, which is not stored), its distance, and the remote-work fact read from the
    description when it was swept.

    The offer is rebuilt from its row on first use (`offer`, `remote`): a read's queries
    filter on the row's own columns (`offer_id`, `rome_code`, `commune`, `contract_type`,
    `working_time`, `experience`, `created_at`), so the candidates none of them keeps — about
    half of a cycle's — are never rebuilt."""

    __slots__ = (
        "_built",
        "_row",
        "commune",
        "contract_type",
        "created_at",
        "distance_km",
        "experience",
        "offer_id",
        "rome_code",
        "working_time",
    )

    def __init__(self, row: Any, distance_km: float | None) -> None:
        self._row = row
        self._built: tuple[Offer, bool | None] | None = None
        self.distance_km = distance_km
        self.offer_id: str = row.offer_id
        self.rome_code: str | None = row.rome_code
        self.commune: str | None = row.commune
        self.contract_type: str | None = row.contract_type
        self.working_time: str | None = row.working_time
        self.experience: str | None = row.experience
        self.created_at: datetime | None = from_epoch(row.created_at)

    def _rebuild(self) -> tuple[Offer, bool | None]:
        built = self._built
        if built is None:
            built = self._built = offer_from_row(self._row)
            self._row = None  # the offer holds what is needed from now on
        return built

    @property
    def built(self) -> bool:
        """Whether the offer was rebuilt (for tests and counters)."""
        return self._built is not None

    @property
    def offer(self) -> Offer:
        return self._rebuild()[0]

    @property
    def remote(self) -> bool | None:
        return self._rebuild()[1]


# ---------------------------------------------------------------- offer ↔ row


def _pairs(items: Sequence[Requirement]) -> list[list[str | None]]:
    return [[item.label, item.requirement] for item in items]


def offer_row(offer: Offer, swept_at: int) -> dict[str, Any]:
    """The ``offers`` row of one offer (everything the digest and the ranking read)."""
    place = offer.place
    point = _point(place.latitude, place.longitude)
    salary = parse_salary(offer.salary)
    details = {
        "rome_label": offer.rome_label,
        "appellation": offer.appellation_label,
        "contract_label": offer.contract_type_label,
        "experience_label": offer.experience_label,
        "hours_label": offer.working_hours_label,
        "postal_code": place.postal_code,
        "salary_complements": [
            offer.salary.complement1 if offer.salary else None,
            offer.salary.complement2 if offer.salary else None,
        ],
        "competences": [[c.code, c.label, c.requirement] for c in offer.competences],
        "qualities": [q.label for q in offer.qualities],
        "languages": _pairs(offer.languages),
        "alternance": offer.alternance,
        "remote": remote_work(offer),
        "updated_at": to_epoch("updated_at", offer.updated_at) if offer.updated_at else None,
    }
    created = offer.created_at
    return {
        "offer_id": offer.id,
        "rome_code": (offer.rome_code or "").upper() or None,
        "commune": place.commune,
        "departement": place.departement,
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
        "grid_cell": grid_cell(*point) if point else None,
        "contract_type": offer.contract_type,
        "working_time": offer.working_hours_converted,
        "experience": offer.experience_requirement,
        "salary_label": offer.salary.label if offer.salary else None,
        "salary_comment": offer.salary.comment if offer.salary else None,
        "salary_monthly_min": salary.monthly_min,
        "salary_monthly_max": salary.monthly_max,
        "licences": json.dumps(_pairs(offer.licences), ensure_ascii=False),
        # Without a creation date (never seen from the search), the sweep's time stands in.
        "created_at": to_epoch("created_at", created) if created else swept_at,
        "title": offer.title,
        "company": offer.company.name,
        "town": place.label,
        "url": offer.page_url,
        "details": json.dumps(details, ensure_ascii=False, separators=(",", ":")),
        "swept_at": swept_at,
    }


def _point(latitude: float | None, longitude: float | None) -> tuple[float, float] | None:
    if latitude is None or longitude is None:
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return float(latitude), float(longitude)


class _Interned:
    """Shared immutable parts of rebuilt offers (competences, qualities, requirements,
    companies): offers repeat them (ROME skills, the same employers), so a cycle that rebuilds
    tens of thousands of rows builds each part once — less CPU (a frozen dataclass costs about
    a microsecond to build) and less memory (one object instead of one per offer). Bounded:
    past ``limit`` entries a table starts again empty (the parts are equal either way)."""

    __slots__ = ("companies", "competences", "limit", "qualities", "requirements")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.competences: dict[tuple[Any, Any, Any], Competence] = {}
        self.qualities: dict[str, ProfessionalQuality] = {}
        self.requirements: dict[tuple[Any, Any], Requirement] = {}
        self.companies: dict[str | None, Company] = {}

    def competence(self, code: Any, label: Any, requirement: Any) -> Competence:
        key = (code, label, requirement)
        found = self.competences.get(key)
        if found is None:
            if len(self.competences) >= self.limit:
                self.competences.clear()
            found = self.competences[key] = Competence(
                code=code, label=label, requirement=requirement
            )
        return found

    def quality(self, label: str) -> ProfessionalQuality:
        found = self.qualities.get(label)
        if found is None:
            if len(self.qualities) >= self.limit:
                self.qualities.clear()
            found = self.qualities[label] = ProfessionalQuality(label=label)
        return found

    def requirement(self, label: Any, requirement: Any) -> Requirement:
        key = (label, requirement)
        found = self.requirements.get(key)
        if found is None:
            if len(self.requirements) >= self.limit:
                self.requirements.clear()
            found = self.requirements[key] = Requirement(label=label, requirement=requirement)
        return found

    def company(self, name: str | None) -> Company:
        found = self.companies.get(name)
        if found is None:
            if len(self.companies) >= self.limit:
                self.companies.clear()
            found = self.companies[name] = Company(name=name)
        return found


# ~20 000 ROME skills and a few thousand qualities and requirements: the bound is never reached
# by the referential's own labels, only by free-text ones.
_INTERNED = _Interned(limit=50_000)
_NO_PAIRS = "[]"  # the stored JSON of an empty list (most offers ask no licence)


def _requirements(pairs: Any) -> tuple[Requirement, ...]:
    if not pairs:
        return ()
    requirement = _INTERNED.requirement
    return tuple(requirement(label, req) for label, req in pairs)


def offer_from_row(row: Any) -> tuple[Offer, bool | None]:
    """The offer back from its row (no description), and its remote-work fact."""
    details = json.loads(row.details)
    get = details.get
    complement1, complement2 = get("salary_complements") or (None, None)
    salary_label, salary_comment = row.salary_label, row.salary_comment
    interned = _INTERNED
    competence = interned.competence
    quality = interned.quality
    licences = row.licences
    updated = get("updated_at")
    offer = Offer(
        id=row.offer_id,
        title=row.title,
        created_at=from_epoch(row.created_at),
        updated_at=from_epoch(updated) if updated else None,
        place=WorkPlace(
            label=row.town,
            latitude=row.latitude,
            longitude=row.longitude,
            postal_code=get("postal_code"),
            commune=row.commune,
        ),
        rome_code=row.rome_code,
        rome_label=get("rome_label"),
        appellation_label=get("appellation"),
        company=interned.company(row.company),
        contract_type=row.contract_type,
        contract_type_label=get("contract_label"),
        experience_requirement=row.experience,
        experience_label=get("experience_label"),
        languages=_requirements(get("languages")),
        licences=() if licences == _NO_PAIRS else _requirements(json.loads(licences)),
        competences=tuple(
            competence(code, label, req) for code, label, req in get("competences") or ()
        ),
        qualities=tuple(quality(q) for q in get("qualities") or ()),
        salary=(
            Salary(
                label=salary_label,
                comment=salary_comment,
                complement1=complement1,
                complement2=complement2,
            )
            if salary_label or salary_comment or complement1
            else None
        ),
        working_hours_label=get("hours_label"),
        working_hours_converted=row.working_time,
        alternance=get("alternance"),
    )
    return offer, get("remote")
