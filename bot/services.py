"""The long-lived objects every handler uses, stored as `application.bot_data["services"]`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from ft_client.matching import MatchProfile

if TYPE_CHECKING:
    from ft_client import FranceTravailClient, OfferQuery
    from ft_client.models import OfferPage
    from ft_client.referential import Referential
    from storage import Profile, Storage

logger = logging.getLogger(__name__)

SEARCH_CACHE_SECONDS = 300.0
SEARCH_CACHE_SIZE = 256


class SearchCache:
    """A small TTL cache of France Travail search pages (repeated searches, paging back)."""

    def __init__(
        self,
        ttl: float = SEARCH_CACHE_SECONDS,
        size: int = SEARCH_CACHE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.size = size
        self._clock = clock
        self._entries: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> Any | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            self._entries.pop(key, None)
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[1]

    def put(self, key: Any, value: Any) -> None:
        self._entries[key] = (self._clock() + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


@dataclass
class Services:
    settings: Settings
    storage: Storage
    ft: FranceTravailClient
    referential: Referential
    search_cache: SearchCache = field(default_factory=SearchCache)
    # True when `open()` created the parts (then `close()` closes them).
    owned: bool = False
    # France Travail calls that outlived the person's deadline and go on to fill the caches.
    background: set[asyncio.Future[Any]] = field(default_factory=set)

    @classmethod
    async def open(
        cls, settings: Settings, warm: Callable[[Referential], object] | None = None
    ) -> Services:
        """Open storage, the France Travail client and the referentials for `settings`;
        `warm` builds the indexes a process needs at start-up (default: the bot's, all of
        matching and look-ups; a worker passes its ranking-only one)."""
        from ft_client import FranceTravailClient
        from ft_client.matching import warm_up
        from ft_client.referential import Referential
        from storage import Storage

        # DATABASE_URL (PostgreSQL) when set, else the SQLite file (its folder created).
        storage = await Storage.open(settings.database_location)
        ft = FranceTravailClient(
            settings.ft_client_id,
            settings.ft_client_secret,
            api_base_url=settings.ft_api_base_url,
            token_url=settings.ft_token_url,
        )
        try:
            await ft.__aenter__()
            referential = Referential.load()
            # Build the lookup and matching indexes now (seconds, once per process), in a
            # thread, so that no user's first /match or /metiers pays for it.
            await asyncio.to_thread(warm or warm_up, referential)
        except BaseException:
            await ft.__aexit__(None, None, None)
            await storage.close()
            raise
        return cls(settings, storage, ft, referential, owned=True)

    def finish_in_background(self, work: asyncio.Future[Any], bound: float, what: str) -> None:
        """Let `work` (a France Travail call nobody waits for any more) end by itself, cancelled
        if still running `bound` seconds from now; its outcome is only logged."""
        self.background.add(work)

        def cancel_if_running() -> None:
            if not work.done():
                logger.warning(
                    "France Travail %s: given up after %.0f s in the background", what, bound
                )
                work.cancel()

        timer = asyncio.get_running_loop().call_later(bound, cancel_if_running)

        def finished(done: asyncio.Future[Any]) -> None:
            timer.cancel()
            self.background.discard(done)
            if done.cancelled():
                return
            error = done.exception()
            if error is not None:
                # Already told the person; the details stay in the logs (no personal data).
                logger.info(
                    "France Travail %s failed in the background: %s", what, type(error).__name__
                )

        work.add_done_callback(finished)

    async def cancel_background(self) -> None:
        """Cancel the France Travail calls still running in the background (at shutdown)."""
        pending = [work for work in self.background if not work.done()]
        for work in pending:
            work.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    async def close(self) -> None:
        await self.cancel_background()
        if not self.owned:
            return
        try:
            await self.ft.__aexit__(None, None, None)
        finally:
            await self.storage.close()

    def match_profile(self, profile: Profile) -> MatchProfile:
        """The stored profile as `rank_offers` needs it (place coordinates from the referential;
        without a known place the radius means nothing)."""
        return match_profile_for(profile, self.referential)

    async def search_offers(self, query: OfferQuery, start: int = 0, count: int = 20) -> OfferPage:
        """`ft.search_offers` through the TTL cache (OfferQuery is hashable)."""
        key = (query, start, count)
        cached = self.search_cache.get(key)
        if cached is not None:
            return cached
        page = await self.ft.search_offers(query, start=start, count=count)
        self.search_cache.put(key, page)
        return page


def match_profile_for(profile: Profile, referential: Referential) -> MatchProfile:
    """A `MatchProfile` for `rank_offers` from a stored profile and the referential."""
    place = referential.place(profile.place_code) if profile.place_code else None
    return MatchProfile(
        skills=tuple(profile.skills),
        target_rome_codes=tuple(job.code for job in profile.target_jobs),
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        commune=profile.place_code,
        departement=place.departement if place else None,
        radius_km=profile.radius_km if place else None,
    )
