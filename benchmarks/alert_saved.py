"""Saved alerts for `benchmarks/alert_cycle.py --saved-per-user` (issue 15): each user gets a
Poisson number of them (at most 4) with varied jobs (theirs, a neighbouring one, another popular
one), places (theirs or another large city), radius, contracts, schedules (daily, weekdays,
weekly on a random day, at a time already reached) and filters (none most often)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import time
from typing import TYPE_CHECKING, Any

from ft_client.alert_filters import AlertFilters
from ft_client.alert_schedule import Frequency, Schedule
from storage.saved_alerts import AlertCriteria, SavedAlert

if TYPE_CHECKING:
    from benchmarks.alert_world import UserSpec
    from ft_client.referential import Place, Referential
    from storage import Storage

# Filters a saved alert gets (`--saved-per-user`), by kind, and how often (none most often).
SAVED_FILTERS: dict[str, AlertFilters] = {
    "none": AlertFilters(),
    "words": AlertFilters(excluded_words=("nuit", "week-end")),
    "company": AlertFilters(excluded_companies=("Entreprise 12", "Entreprise 40")),
    "beginners": AlertFilters(beginners_only=True),
    "contract": AlertFilters(contract_types=("CDI",)),
    "remote": AlertFilters(remote_only=True),
}
SAVED_FILTER_WEIGHTS = [70, 8, 6, 6, 7, 3]


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method (small means)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def saved_specs(
    ref: Referential,
    rng: random.Random,
    spec: UserSpec,
    mean: float,
    popular: list[str],
    cities: list[Place],
    latest_minute: int,
) -> tuple[tuple[Any, ...], ...]:
    """A user's saved alerts: varied jobs (theirs, a neighbouring one, another), places (theirs
    or another large city), contracts, schedules (daily, weekdays, weekly) and filters."""
    found = []
    for _ in range(min(4, _poisson(rng, mean))):
        job = ref.job(spec.romes[0])
        near = [c for c in (job.mobility if job else ()) if ref.job(c) is not None]
        kind = rng.random()
        if kind < 0.4 or (kind < 0.7 and not near):
            rome = spec.romes[0]
        elif kind < 0.7:
            rome = rng.choice(near)
        else:
            rome = rng.choice(popular[:100])
        city = spec.city if rng.random() < 0.6 else rng.choice(cities[:60]).insee_code
        frequency = rng.choices(["daily", "weekdays", "weekly"], weights=[70, 20, 10])[0]
        found.append(
            (
                (rome,),
                city,
                rng.choices([10, 20, 30], weights=[60, 25, 15])[0],
                rng.choices([(), ("CDI",)], weights=[80, 20])[0],
                frequency,
                rng.randint(0, 6),
                rng.randint(0, latest_minute),
                rng.choices(list(SAVED_FILTERS), weights=SAVED_FILTER_WEIGHTS)[0],
            )
        )
    return tuple(found)


async def add_saved_alerts(
    storage: Storage, user_id: int, saved: Sequence[tuple[Any, ...]], ref: Referential
) -> None:
    """Store one user's saved alerts (`saved_specs` tuples)."""
    for number, spec in enumerate(saved, start=1):
        romes, city, radius, contracts, frequency, weekday, minute, kind = spec
        saved_place = ref.place(city)
        await storage.add_saved_alert(
            SavedAlert(
                user_id=user_id,
                alert_no=0,
                label=f"Recherche {number}",
                criteria=AlertCriteria(
                    rome_codes=tuple(romes),
                    commune_code=city,
                    place_label=saved_place.display_label if saved_place else None,
                    radius_km=radius,
                    contract_types=tuple(contracts),
                ),
                schedule=Schedule(
                    Frequency(frequency), time(minute // 60, minute % 60), weekday=weekday
                ),
                filters=SAVED_FILTERS[kind],
            )
        )
