"""Alert offers read from the `offers` table the sweep fills, instead of France Travail.

When the table is fresh (`local_window`: sweeps on, and the last complete sweep's high-water
mark at most `FRESH_SWEEPS` × `SWEEP_MINUTES` old), each group of users with identical criteria
reads its candidates once (`LocalOfferSource.offers_for`: `Storage.candidate_offers`, by ROME
code and grid cells around the queried commune's point, plus that commune's own offers), then
keeps what France Travail's answer to the group's own query would hold: the same contract
types, working time and experience filters, and the same place rule as the API (every offer of
the commune or of its arrondissements, plus the offers within the radius of its centre).

Window end: the table holds every offer created up to `mark − SWEEP_OVERLAP` (the sweep's own
overlap for offers indexed late), not up to now. A local window therefore ends there, and the
users are marked served at that instant, so that their next window starts where this one
ended: an offer created just before a cycle and swept just after is in the next digest, once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ft_client import OfferQuery
from ft_client.models import Offer
from ft_client.offer_facts import remote_work
from ft_client.sweep import DEFAULT_OVERLAP
from storage.clock import local_midnight
from storage.offers import CANDIDATE_ROWS_PER_TURN

if TYPE_CHECKING:
    from bot.config import Settings
    from ft_client.referential import Referential
    from storage import Storage

log = logging.getLogger(__name__)

# The table counts as fresh while its last sweep ended at most this many periods ago: one
# sweep late (slow, or failed once) still serves locally; two missed sweeps fall back to live.
FRESH_SWEEPS = 2
# What the sweep re-reads before its mark (offers indexed late): the table is complete up to
# `mark - SWEEP_OVERLAP` only.
SWEEP_OVERLAP = DEFAULT_OVERLAP
# Query fields the local source reproduces; a query using any other is served live.
_SUPPORTED_FIELDS = frozenset(
    {
        "rome_codes",
        "commune",
        "distance_km",
        "contract_types",
        "full_time",
        "experience_requirement",
        "sort",
        "created_after",
        "created_before",
    }
)
_WORKING_TIME = {True: "Temps plein", False: "Temps partiel"}


@dataclass(frozen=True, slots=True)
class LocalWindow:
    """A fresh table: the sweep's high-water mark and where local windows end."""

    mark: datetime
    end: datetime


async def local_window(
    storage: Storage, settings: Settings, now: datetime
) -> tuple[LocalWindow | None, str]:
    """The local window end when the table is fresh, else None and why (for the log)."""
    minutes = settings.sweep_minutes
    if minutes <= 0:
        return None, "SWEEP_MINUTES=0"
    mark = await storage.high_water_mark()
    if mark is None:
        return None, "no sweep completed yet"
    bound = timedelta(minutes=FRESH_SWEEPS * minutes)
    if now - mark > bound:
        return None, f"last sweep ended {mark.isoformat(timespec='seconds')}, over {bound} ago"
    end = min(mark - SWEEP_OVERLAP, now)
    # Served at `end`: before today's local midnight the users would be due again today.
    if end < local_midnight(now, settings.alert_timezone):
        return None, "the last sweep ended before local midnight"
    return LocalWindow(mark=mark, end=end), ""


def locally_supported(key: OfferQuery) -> bool:
    """True when the table can answer this query exactly as France Travail would."""
    if not key.rome_codes or len(key.rome_codes) > 50:
        return False
    defaults = OfferQuery()
    return all(
        getattr(key, name) == getattr(defaults, name)
        for name in OfferQuery.__dataclass_fields__
        if name not in _SUPPORTED_FIELDS
    )


class LocalOfferSource:
    """Candidates of one group's query, from the table (see the module docstring)."""

    def __init__(self, storage: Storage, referential: Referential) -> None:
        self.storage = storage
        self.referential = referential
        self._members: dict[str, tuple[str, ...]] | None = None
        self.reads = 0  # candidate look-ups (one per group)
        self.candidates = 0  # rows they returned, before the query's own filters
        self.rebuilt = 0  # of those, rebuilt into offers (kept by at least one query)
        # The remote-work fact read from each offer's description when it was swept (the
        # table does not keep descriptions); only offers that state one.
        self.remote_facts: dict[str, bool] = {}

    def members(self, commune: str) -> tuple[str, ...]:
        """The commune and its arrondissements (or délégués): what the API's `commune` matches."""
        if self._members is None:
            children: dict[str, list[str]] = {}
            for place in self.referential.places():
                if place.parent_code:
                    children.setdefault(place.parent_code, []).append(place.insee_code)
            self._members = {code: tuple(codes) for code, codes in children.items()}
        return (commune, *self._members.get(commune, ()))

    async def offers_for(self, key: OfferQuery, start: datetime, end: datetime) -> list[Offer]:
        """What France Travail would answer the group's query over [start, end), newest first."""
        return (await self.offers_for_many([key], start, end))[0]

    async def offers_for_many(
        self, keys: Sequence[OfferQuery], start: datetime, end: datetime
    ) -> list[list[Offer]]:
        """`offers_for` of several queries sharing their commune (`read_sets`) in ONE read:
        their ROME codes together, the largest radius, then each query keeps its own codes,
        radius, contract types, working time and experience."""
        commune = keys[0].commune
        if any(key.commune != commune for key in keys):
            raise ValueError("offers_for_many: the queries must share their commune")
        latitude = longitude = None
        radius = 0.0
        communes: tuple[str, ...] = ()
        place = self.referential.place(commune) if commune else None
        if commune:
            communes = self.members(commune)
            widest = max(float(key.distance_km or 0) for key in keys)
            # Distance 0 is the commune alone; without a known centre, the commune alone too.
            if widest and place is not None and place.has_point:
                latitude, longitude = place.latitude, place.longitude
                radius = widest
        codes = sorted({code for key in keys for code in key.rome_codes})
        candidates = await self.storage.candidate_offers(
            codes, latitude, longitude, radius, start, communes=communes
        )
        self.reads += 1
        self.candidates += len(candidates)
        members = set(communes)
        # Each query looks only at its own codes' candidates (a read takes up to 50 codes for
        # many queries), in the read's order: newest first. The filters read the candidates'
        # own columns; an offer is rebuilt only when a query keeps it (`CandidateOffer`).
        by_code: dict[str, list[int]] = {}
        for index, candidate in enumerate(candidates):
            by_code.setdefault((candidate.rome_code or "").upper(), []).append(index)
        results: list[list[Offer]] = []
        rebuilt = 0
        for key in keys:
            types = set(key.contract_types)
            hours = _WORKING_TIME.get(key.full_time) if key.full_time is not None else None
            own_radius = float(key.distance_km or 0) if latitude is not None else 0.0
            experience = key.experience_requirement
            wanted: list[Offer] = []
            codes = {code.upper() for code in key.rome_codes}
            mine = [i for code in codes for i in by_code.get(code, ())]
            if len(codes) > 1:
                mine.sort()
            for index in mine:
                candidate = candidates[index]
                if candidate.created_at is not None and candidate.created_at >= end:
                    continue
                if commune and candidate.commune not in members:
                    # Beyond the commune: only within this query's own radius.
                    distance = candidate.distance_km
                    if not own_radius or distance is None or distance > own_radius:
                        continue
                if types and candidate.contract_type not in types:
                    continue
                if hours is not None and candidate.working_time != hours:
                    continue
                if experience is not None and candidate.experience != experience:
                    continue
                if not candidate.built:
                    rebuilt += 1
                    if not rebuilt % CANDIDATE_ROWS_PER_TURN:
                        # Digests being sent get a turn between two slices of rebuilding.
                        await asyncio.sleep(0)
                offer = candidate.offer
                wanted.append(offer)
                if candidate.remote is not None:
                    self.remote_facts[offer.id] = candidate.remote
            results.append(wanted)
        self.rebuilt += rebuilt
        return results

    def remote(self, offer: Offer) -> bool | None:
        """Whether the offer allows remote work: its swept fact, else its own description."""
        fact = self.remote_facts.get(offer.id)
        return fact if fact is not None else remote_work(offer)


def read_sets(keys: Sequence[OfferQuery], max_codes: int = 50) -> list[list[int]]:
    """Indexes of `keys` read together: same commune and same other fields but ROME codes,
    radius, contract types, working time and experience (which each query then applies to
    the shared candidates), at most `max_codes` ROME codes per read."""
    buckets: dict[OfferQuery, list[tuple[set[str], list[int]]]] = {}
    for index, key in enumerate(keys):
        base = dataclasses.replace(
            key,
            rome_codes=(),
            distance_km=None,
            contract_types=(),
            full_time=None,
            experience_requirement=None,
            created_after=None,
            created_before=None,
        )
        sets = buckets.setdefault(base, [])
        target = next((s for s in sets if len(s[0] | set(key.rome_codes)) <= max_codes), None)
        if target is None:
            target = (set(), [])
            sets.append(target)
        target[0].update(key.rome_codes)
        target[1].append(index)
    return [indexes for sets in buckets.values() for _codes, indexes in sets]
