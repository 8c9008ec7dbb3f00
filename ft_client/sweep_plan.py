"""How the sweep cuts the nationwide window of new offers into queries the API can answer.

A search reaches at most ``max_end + 1`` results (3 150: ``range`` up to 3000-3149), so a
partition reporting a larger ``Content-Range`` total is split: the whole country into groups of
at most 5 départements (the ``departement`` parameter's limit) sized from the country's total
and each département's share of the population, a group into halves, and one département's
creation window into halves, down to a minimum window.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from ft_client.query import DEPARTEMENT_RE, OfferQuery

DATA_DIR = Path(__file__).parent / "data"
MAX_DEPARTEMENTS_PER_QUERY = 5  # "Jusqu'à 5 valeurs possibles" (OpenAPI spec)
# A group is planned for at most this share of the reachable results: départements' shares of
# new offers follow population only roughly, and a group that overflows costs a wasted probe.
GROUP_FILL = 0.6


@dataclass(frozen=True, slots=True)
class Partition:
    """One query of the sweep: some départements (none = the whole country) over a window.

    The window is inclusive at both ends, like ``minCreationDate``/``maxCreationDate``; halves
    share no second, so no offer is in two windows of the same sweep.
    """

    departements: tuple[str, ...]
    start: datetime
    end: datetime

    def query(self) -> OfferQuery:
        # Newest first: an offer indexed late inside the window pushes older ones to later
        # pages, which repeats one (deduplicated) instead of skipping one.
        return OfferQuery(
            departements=self.departements,
            created_after=self.start,
            created_before=self.end,
            sort=1,
        )

    @property
    def window(self) -> timedelta:
        return self.end - self.start

    def split_window(self, min_window: timedelta) -> list[Partition] | None:
        """The two halves of the window (``None`` when it is already the minimum)."""
        if self.window < 2 * min_window or self.window < timedelta(seconds=2):
            return None
        middle = self.start + timedelta(seconds=int(self.window.total_seconds()) // 2)
        return [
            replace(self, end=middle),
            replace(self, start=middle + timedelta(seconds=1)),
        ]

    def label(self) -> str:
        where = ",".join(self.departements) or "France"
        return f"{where} {self.start:%Y-%m-%dT%H:%M:%S}..{self.end:%H:%M:%S}"


@functools.cache
def departement_weights(data_dir: Path = DATA_DIR) -> dict[str, float]:
    """Every département the offers API accepts, with its share of the population (sum 1).

    From the bundled INSEE referential: metropolitan départements (Corsica as 2A and 2B) and the
    overseas ones the API's ``departement`` parameter takes (971–978).
    """
    with gzip.open(data_dir / "communes.json.gz", "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    codes = [code for code in data["departements"] if DEPARTEMENT_RE.match(code)]
    population = dict.fromkeys(codes, 0.0)
    for commune in data["communes"]:
        dept = commune.get("departement")
        # arrondissements repeat their city's population: count whole communes only
        if dept in population and commune.get("kind") == "commune":
            population[dept] += float(commune.get("population") or 0)
    total = sum(population.values()) or 1.0
    # a département without population data still gets a query
    return {code: max(pop / total, 1e-6) for code, pop in population.items()}


def group_departements(
    weights: Mapping[str, float], expected_total: int, reachable: int
) -> list[tuple[str, ...]]:
    """Groups of at most 5 départements, each expected to hold ≤ ``GROUP_FILL`` × reachable.

    Largest first, first fit: big départements stand alone, small ones share a query.
    """
    budget = GROUP_FILL * reachable
    groups: list[list[str]] = []
    loads: list[float] = []
    for code in sorted(weights, key=lambda c: (-weights[c], c)):
        load = weights[code] * expected_total
        for index, group in enumerate(groups):
            if len(group) < MAX_DEPARTEMENTS_PER_QUERY and loads[index] + load <= budget:
                group.append(code)
                loads[index] += load
                break
        else:
            groups.append([code])
            loads.append(load)
    return [tuple(sorted(group)) for group in groups]


def split_partition(
    partition: Partition,
    total: int,
    reachable: int,
    min_window: timedelta,
    weights: Mapping[str, float],
) -> list[Partition] | None:
    """The partitions that replace one whose ``total`` exceeds ``reachable``; ``None`` if none."""
    if not partition.departements:
        groups = group_departements(weights, total, reachable)
        return [replace(partition, departements=group) for group in groups]
    if len(partition.departements) > 1:
        middle = len(partition.departements) // 2
        halves: Sequence[tuple[str, ...]] = (
            partition.departements[:middle],
            partition.departements[middle:],
        )
        return [replace(partition, departements=half) for half in halves]
    return partition.split_window(min_window)
