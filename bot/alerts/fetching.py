"""France Travail side of an alert cycle: every offer of a query's window, and the backoff of
failing queries.

A query set is fetched page after page (the client's limiter keeps France Travail under its 10
calls/s); a window holding more offers than the API pages through is halved. A query whose
fetch failed backs off in memory, per query, before its users are tried again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ft_client import FranceTravailClient, OfferQuery
from ft_client.models import Offer

# Pagination cap per query set: the API serves at most positions 0..3149.
MAX_OFFERS_PER_QUERY = 3150
# A window with more offers than the API pages through is halved, at most this many times.
MAX_WINDOW_SPLITS = 3
# Backoff of a failing France Travail query: one tick, then doubling, capped.
MAX_BACKOFF = timedelta(minutes=30)


@dataclass(slots=True)
class _Backoff:
    failures: int
    retry_at: datetime
    failed_at: datetime


@dataclass(slots=True)
class AlertState:
    """Per-application state: the overlap guard and the per-query backoff (in memory on purpose:
    after a restart every due user is simply tried again)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Old user_data lists of hidden offers moved into the database (once per process).
    legacy_hidden_moved: bool = False
    backoff: dict[OfferQuery, _Backoff] = field(default_factory=dict)

    def deferred(self, key: OfferQuery, now: datetime) -> bool:
        entry = self.backoff.get(key)
        if entry is None:
            return False
        # A clock moved backwards (tests, manual runs) must not block a query for ever.
        return entry.failed_at <= now < entry.retry_at

    def failed(self, key: OfferQuery, now: datetime, tick: timedelta) -> _Backoff:
        previous = self.backoff.get(key)
        failures = previous.failures + 1 if previous else 1
        delay = min(tick * (2 ** (failures - 1)), MAX_BACKOFF)
        entry = _Backoff(failures=failures, retry_at=now + delay, failed_at=now)
        self.backoff[key] = entry
        # Forget queries whose users stopped being due long ago (profile changed, alerts off).
        for stale in [k for k, e in self.backoff.items() if e.retry_at < now - MAX_BACKOFF]:
            del self.backoff[stale]
        return entry

    def succeeded(self, key: OfferQuery) -> None:
        self.backoff.pop(key, None)


async def fetch_window(ft: FranceTravailClient, query: OfferQuery, depth: int = 0) -> list[Offer]:
    """Every offer of the query's window; a window with more results than the API can page
    through is split in two (a few times at most)."""
    offers = [o async for o in ft.iter_offers(query, limit=MAX_OFFERS_PER_QUERY)]
    if len(offers) >= MAX_OFFERS_PER_QUERY and depth < MAX_WINDOW_SPLITS:
        merged: dict[str, Offer] = {}
        for part in query.split_window(2):
            for offer in await fetch_window(ft, part, depth + 1):
                merged.setdefault(offer.id, offer)
        return list(merged.values())
    return offers


def ft_search_calls(ft: FranceTravailClient) -> int:
    """Offer searches sent so far by the client (retries included: they are calls too)."""
    return ft.stats.calls["offres_search"]
