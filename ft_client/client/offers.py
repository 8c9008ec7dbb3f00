"""Offres d'emploi v2: search pages (``Content-Range`` totals), iteration, one offer by id."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

from ft_client.client.responses import _error_message
from ft_client.client.transport import Transport
from ft_client.errors import FTBadRequest
from ft_client.models import Facet, Offer, OfferPage
from ft_client.query import OfferQuery

log = logging.getLogger("ft_client")

MAX_PAGE_SIZE = 150  # the API refuses wider ranges ("La plage de résultats … trop importante.")

# Offer ids: 7 upper-case alphanumerics ("193XKZP"); partner offers use numeric ids ("4066270").
OFFER_ID_RE = re.compile(r"^(?:[0-9A-Z]{7}|\d{5,12})$")
CONTENT_RANGE_RE = re.compile(r"(?:(\d+)-(\d+)|\*)/(\d+)")


class OffersApi(Transport):
    """Search and read job offers."""

    async def search_offers(
        self, query: OfferQuery | None = None, start: int = 0, count: int = MAX_PAGE_SIZE
    ) -> OfferPage:
        """One page of offers: ``range=start-(start+count-1)``; total from ``Content-Range``."""
        page, _ = await self._search_page(query or OfferQuery(), start, count)
        return page

    async def _search_page(
        self, query: OfferQuery, start: int, count: int
    ) -> tuple[OfferPage, int]:
        if not isinstance(query, OfferQuery):
            raise TypeError(f"query must be an OfferQuery, got {type(query).__name__}")
        if not 0 <= start <= self.max_start:
            raise ValueError(f"start must be between 0 and {self.max_start}, got {start}")
        if not 1 <= count <= MAX_PAGE_SIZE:
            raise ValueError(f"count must be between 1 and {MAX_PAGE_SIZE}, got {count}")
        end = min(start + count - 1, self.max_end)
        endpoint = "offres_search"
        params = query.to_params()
        params["range"] = f"{start}-{end}"
        response = await self._call(
            "offres", endpoint, "GET", "/offresdemploi/v2/offres/search", params=params
        )
        if response.status_code == 204 or not response.content:
            return OfferPage.empty(start), start
        body = self._json(response, endpoint)
        if not isinstance(body, dict):
            raise self._invalid("search answer is not a JSON object", response, endpoint)
        raw = body.get("resultats")
        raw_items = raw if isinstance(raw, list) else []
        offers = tuple(o for item in raw_items if (o := Offer.from_json(item)) is not None)
        facets_raw = body.get("filtresPossibles")
        facets = tuple(
            f
            for item in (facets_raw if isinstance(facets_raw, list) else [])
            if (f := Facet.from_json(item)) is not None
        )
        next_start = start + len(raw_items)
        total = next_start
        match = CONTENT_RANGE_RE.search(response.headers.get("Content-Range", ""))
        if match:
            total = int(match.group(3))
            if match.group(2) is not None:
                next_start = max(next_start, int(match.group(2)) + 1)
        elif response.status_code == 206:
            log.warning("%s: 206 without a usable Content-Range header", endpoint)
        return OfferPage(offers=offers, total=total, facets=facets, start=start), next_start

    async def iter_offers(
        self, query: OfferQuery | None = None, limit: int | None = None
    ) -> AsyncIterator[Offer]:
        """Every offer of ``query`` (or the first ``limit``), page by page, each id once.

        Stops at the API's deepest index (``max_end``); results beyond it need a narrower
        query (``OfferQuery.split_window``). A 400 on a deep page (an API with lower caps)
        ends the iteration quietly.
        """
        query = query or OfferQuery()
        if limit is not None and limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        seen: set[str] = set()
        start = 0
        while limit is None or len(seen) < limit:
            if start > self.max_start or start > self.max_end:
                log.info("iter_offers: reached the API's deepest index (%d)", self.max_end)
                return
            count = min(MAX_PAGE_SIZE, self.max_end - start + 1)
            if limit is not None:
                count = min(count, max(limit - len(seen), 1))
            try:
                page, next_start = await self._search_page(query, start, count)
            except FTBadRequest as exc:
                if start == 0:
                    raise
                log.warning("iter_offers: deep page %d refused (%s); stopping", start, exc.message)
                return
            for offer in page.offers:
                if offer.id in seen:
                    continue
                seen.add(offer.id)
                yield offer
                if limit is not None and len(seen) >= limit:
                    return
            if not page.offers or next_start >= page.total or next_start <= start:
                return
            if page.total > self.max_end + 1 and next_start > self.max_end:
                log.info(
                    "iter_offers: %d results, only the first %d are reachable",
                    page.total,
                    self.max_end + 1,
                )
            start = next_start

    async def get_offer(self, offer_id: str) -> Offer | None:
        """One offer by id; ``None`` when it no longer exists (the API answers 204 or 400).

        An id that cannot be an offer's (the API would answer 400 "format … incorrect") gives
        ``None`` without any call: ids come from callback data, which users can forge.
        """
        if not isinstance(offer_id, str) or not OFFER_ID_RE.match(offer_id.strip()):
            log.debug("get_offer: %r is not an offer id; no call made", str(offer_id)[:40])
            return None
        offer_id = offer_id.strip()
        endpoint = "offres_detail"
        response = await self._call(
            "offres",
            endpoint,
            "GET",
            f"/offresdemploi/v2/offres/{offer_id}",
            accept=(200, 204, 400, 404),
        )
        if response.status_code != 200 or not response.content:
            if response.status_code == 400:
                reason = _error_message(response)[0]
                log.debug("%s: offer %s gone (400: %s)", endpoint, offer_id, reason)
            return None
        body = self._json(response, endpoint)
        offer = Offer.from_json(body)
        if offer is None:
            raise self._invalid("offer detail without an id", response, endpoint)
        return offer
