"""Offers appearing over time: a controllable clock and new offers at a rate per hour.

``emu.advance_clock(timedelta(hours=1))`` moves the emulator's clock forward and publishes the
offers of that interval (``EmulatorConfig.new_offers_per_hour``), created at moments spread over
it and placed like real offers (communes weighted by population, so Paris, Lyon and Marseille get
most); ``emu.publish_offers(n, since=…, until=…, departement=…)`` publishes a given number, e.g.
to fill one département past the 3 150 reachable results. Tests never sleep: the clock only moves
when they say so.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.france_travail.config import EmulatorConfig
from sandbox.france_travail.formats import format_ft_datetime
from sandbox.france_travail.offer_generator import make_generator
from sandbox.france_travail.referentials import Referentials, gc_paused


class OfferGrowth:
    """Mixed into ``FranceTravailEmulator`` (which has ``offers``, ``now`` and ``_fixed_now``)."""

    config: EmulatorConfig
    offers: list[dict[str, Any]]
    _refs: Referentials
    _fixed_now: datetime | None
    _published_batches: int
    _rate_carry: float  # the fraction of an offer left over by the previous advance

    def now(self) -> datetime:
        raise NotImplementedError

    def advance_clock(self, delta: timedelta) -> list[dict[str, Any]]:
        """Move the clock forward by ``delta`` and publish that interval's new offers.

        The clock stays frozen in between (a clock that followed the wall clock is frozen at
        its current time first). Returns the offers published, oldest first.
        """
        if delta < timedelta(0):
            raise ValueError("the emulator's clock only moves forward")
        start = self.now()
        self._fixed_now = start + delta
        expected = self.config.new_offers_per_hour * delta.total_seconds() / 3600 + self._rate_carry
        count = int(expected)
        self._rate_carry = expected - count
        return self.publish_offers(count, since=start, until=self._fixed_now)

    def publish_offers(
        self,
        count: int,
        *,
        since: datetime,
        until: datetime,
        departement: str | None = None,
    ) -> list[dict[str, Any]]:
        """Add ``count`` generated offers created in ``(since, until]``, oldest first.

        ``departement`` puts them all in that département (its communes weighted by population).
        Deterministic for a given seed and call order.
        """
        if count < 0:
            raise ValueError("count must be >= 0")
        since, until = since.astimezone(UTC), until.astimezone(UTC)
        if until < since:
            raise ValueError("until must not be before since")
        self._published_batches += 1
        rng = random.Random(f"{self.config.seed}:published:{self._published_batches}")
        generator = make_generator(self._refs, rng, {str(o.get("id")) for o in self.offers})
        if departement is not None:
            places = [p for p in generator.places if p["departement"] == departement]
            if not places:
                raise ValueError(f"no commune with a point in département {departement!r}")
            generator.places = places
            weights = [float(p.get("population") or 0) ** 1.3 for p in places]
            generator.place_cum_weights = list(itertools.accumulate(weights))
        span = int((until - since).total_seconds())
        # whole seconds after ``since``, in (0, span]: the API has one-second precision
        offsets = sorted(rng.randint(1, span) if span >= 1 else 0 for _ in range(count))
        published = []
        with gc_paused():
            for offset in offsets:
                offer = generator.build(0.0)
                created = format_ft_datetime(since + timedelta(seconds=offset))
                offer["dateCreation"] = offer["dateActualisation"] = created
                published.append(offer)
        self.offers.extend(published)
        return published

    def departement_weights(self) -> dict[str, float]:
        """Share of new offers per département (what ``advance_clock`` draws from), summing to 1."""
        generator = make_generator(self._refs, random.Random(0), set())
        shares: dict[str, float] = {}
        previous = 0.0
        for place, running in zip(generator.places, generator.place_cum_weights, strict=True):
            dept = place["departement"]
            shares[dept] = shares.get(dept, 0.0) + running - previous
            previous = running
        total = previous or 1.0
        return {dept: weight / total for dept, weight in shares.items()}
