"""« 🙈 Pas intéressé » and its optional reason: what it changes in a person's next offers.

Pure: `Feedback` rows come from ``storage.feedback`` (``feedback_of(user_ids)``), the cycle calls
`adjust(ranked, feedback)` after ranking; /alertes lists `effects(feedback)` with « annuler »
(which clears the reason: the offer stays hidden, its effect goes).

Effects, all per person and reversible:
- every hidden offer is left out, reason or not;
- ``entreprise``: that company's offers are left out;
- ``trop_loin``: the effective radius becomes a bit less than that offer's distance
  (`FAR_FACTOR`), never under `MIN_RADIUS_KM`; offers farther are left out;
- ``metier``: offers of that ROME code are demoted (score × `DEMOTED_FACTOR`);
- ``salaire``: offers paying no more than that offer are left out (unknown salaries kept);
- ``contrat``: offers of that contract type are left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, TypeVar

from ft_client.alert_filters import fold, offer_of
from ft_client.models import Offer
from ft_client.salary import parse_salary

FAR_FACTOR: Final = 0.8
MIN_RADIUS_KM: Final = 2.0
DEMOTED_FACTOR: Final = 0.6

R = TypeVar("R")


class Reason(StrEnum):
    JOB = "metier"
    COMPANY = "entreprise"
    TOO_FAR = "trop_loin"
    SALARY = "salaire"
    CONTRACT = "contrat"


@dataclass(frozen=True, slots=True)
class Feedback:
    """One offer a person said « pas intéressé » to, with what the offer was at that time."""

    offer_id: str
    reason: Reason | None = None
    rome_code: str | None = None
    company: str | None = None
    distance_km: float | None = None
    salary_monthly: int | None = None
    contract_type: str | None = None
    at: datetime | None = None


def feedback_for(
    offer: Offer, reason: Reason | None = None, *, distance_km: float | None = None
) -> Feedback:
    """The facts of ``offer`` the reasons act on, taken when the person answers."""
    salary = parse_salary(offer.salary)
    return Feedback(
        offer_id=offer.id,
        reason=reason,
        rome_code=(offer.rome_code or "").upper() or None,
        company=offer.company.name or None,
        distance_km=distance_km,
        salary_monthly=salary.monthly_max or salary.monthly_min,
        contract_type=offer.contract_type,
    )


@dataclass(frozen=True, slots=True)
class Effect:
    """One visible effect, for /alertes: ``kind`` is the reason, ``value`` what it acts on."""

    offer_id: str
    kind: Reason
    value: str | float | int


def effects(feedback: Iterable[Feedback]) -> list[Effect]:
    """The effects in force (newest first), one per feedback with a usable reason."""
    rows = sorted(feedback, key=lambda f: f.at.timestamp() if f.at else 0.0, reverse=True)
    found: list[Effect] = []
    for item in rows:
        value: str | float | int | None = (
            {
                Reason.JOB: item.rome_code,
                Reason.COMPANY: item.company,
                Reason.TOO_FAR: item.distance_km,
                Reason.SALARY: item.salary_monthly,
                Reason.CONTRACT: item.contract_type,
            }.get(item.reason)
            if item.reason
            else None
        )
        if item.reason is not None and value is not None:
            found.append(Effect(item.offer_id, item.reason, value))
    return found


@dataclass(frozen=True, slots=True)
class Adjustments:
    """The effects folded into what `adjust` checks."""

    hidden: frozenset[str] = frozenset()
    companies: frozenset[str] = frozenset()  # folded names
    max_distance_km: float | None = None
    demoted_codes: frozenset[str] = frozenset()
    salary_floor: int | None = None  # offers paying this or less are left out
    contracts: frozenset[str] = frozenset()

    @classmethod
    def of(cls, feedback: Iterable[Feedback]) -> Adjustments:
        rows = list(feedback)
        active = effects(rows)

        def values(kind: Reason) -> list[Any]:
            return [e.value for e in active if e.kind is kind]

        far = values(Reason.TOO_FAR)
        salaries = values(Reason.SALARY)
        return cls(
            hidden=frozenset(f.offer_id for f in rows),
            companies=frozenset(fold(str(v)) for v in values(Reason.COMPANY)),
            max_distance_km=max(MIN_RADIUS_KM, min(far) * FAR_FACTOR) if far else None,
            demoted_codes=frozenset(str(v) for v in values(Reason.JOB)),
            salary_floor=max(salaries) if salaries else None,
            contracts=frozenset(str(v) for v in values(Reason.CONTRACT)),
        )


def _left_out(item: Any, offer: Offer, rules: Adjustments) -> bool:
    if offer.id in rules.hidden:
        return True
    if offer.company.name and fold(offer.company.name) in rules.companies:
        return True
    if offer.contract_type and offer.contract_type in rules.contracts:
        return True
    distance = getattr(item, "distance_km", None)
    limit = rules.max_distance_km
    if limit is not None and distance is not None and distance > limit:
        return True
    if rules.salary_floor is not None:
        salary = parse_salary(offer.salary)
        best = salary.monthly_max or salary.monthly_min
        if best is not None and best <= rules.salary_floor:
            return True
    return False


def adjust(ranked: Sequence[R], feedback: Iterable[Feedback]) -> list[R]:
    """``ranked`` offers (best first) after the person's feedback: some left out, demoted
    ROME codes moved down (their score scaled, so a later sort by score keeps it), best first.

    Items are `RankedOffer`-like (``offer``, ``score``, ``distance_km``) dataclasses.
    """
    rules = Adjustments.of(feedback)
    kept: list[R] = []
    for item in ranked:
        offer = offer_of(item)
        if _left_out(item, offer, rules):
            continue
        code = (offer.rome_code or "").upper()
        if code in rules.demoted_codes and dataclasses.is_dataclass(item):
            item = dataclasses.replace(item, score=item.score * DEMOTED_FACTOR)  # type: ignore[attr-defined, type-var]
        kept.append(item)
    kept.sort(key=lambda r: getattr(r, "score", 0.0), reverse=True)
    return kept
