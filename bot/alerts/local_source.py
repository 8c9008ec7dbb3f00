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

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ft_client import OfferQuery
from ft_client.models import Offer
from ft_client.offer_facts import remote_work
from ft_client.sweep import DEFAULT_OVERLAP
from storage.clock import local_midnight

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
        latitude = longitude = None
        radius = 0.0
        communes: tuple[str, ...] = ()
        if key.commune:
            communes = self.members(key.commune)
            place = self.referential.place(key.commune)
            # Distance 0 is the commune alone; without a known centre, the commune alone too.
            if key.distance_km and place is not None and place.has_point:
                latitude, longitude = place.latitude, place.longitude
                radius = float(key.distance_km)
        candidates = await self.storage.candidate_offers(
            key.rome_codes, latitude, longitude, radius, start, communes=communes
        )
        self.reads += 1
        self.candidates += len(candidates)
        types = set(key.contract_types)
        hours = _WORKING_TIME.get(key.full_time) if key.full_time is not None else None
        wanted: list[Offer] = []
        for candidate in candidates:
            offer = candidate.offer
            if offer.created_at is not None and offer.created_at >= end:
                continue
            if types and offer.contract_type not in types:
                continue
            if hours is not None and offer.working_hours_converted != hours:
                continue
            if (
                key.experience_requirement is not None
                and offer.experience_requirement != key.experience_requirement
            ):
                continue
            wanted.append(offer)
            if candidate.remote is not None:
                self.remote_facts[offer.id] = candidate.remote
        return wanted

    def remote(self, offer: Offer) -> bool | None:
        """Whether the offer allows remote work: its swept fact, else its own description."""
        fact = self.remote_facts.get(offer.id)
        return fact if fact is not None else remote_work(offer)
