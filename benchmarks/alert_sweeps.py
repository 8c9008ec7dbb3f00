"""The sweeps `benchmarks/alert_cycle.py --source local` runs before its cycle: the offers
table filled as a bot that has been sweeping fills it (the lookback in one sweep, then a day of
sweeps every 15 minutes, the last one just before the cycle), and their calls against
⌈new offers / 150⌉ + partitions.
"""

from __future__ import annotations

import math
import time as time_module
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ft_client import FranceTravailClient
from ft_client.models import Offer
from ft_client.sweep import OfferSweep
from storage import Storage

SWEEP_MINUTES = 15


@dataclass
class SweepFigures:
    """The sweeps before the cycle: the lookback's first fill, then a day every 15 minutes."""

    fill_calls: int = 0
    fill_offers: int = 0
    fill_partitions: int = 0
    day_sweeps: int = 0
    day_calls: int = 0
    day_offers: int = 0  # distinct offers the day's sweeps fetched
    day_partitions: int = 0
    rate_limited: int = 0
    wall: float = 0.0
    stored: int = 0

    @staticmethod
    def ideal(offers: int) -> int:
        return math.ceil(offers / 150)


class _CountingSink:
    """The storage as the sweeps' sink, counting the distinct offers handed over."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.ids: set[str] = set()

    async def upsert_offers(self, offers: Sequence[Offer]) -> int:
        self.ids.update(o.id for o in offers)
        return await self.storage.upsert_offers(offers)

    async def high_water_mark(self) -> datetime | None:
        return await self.storage.high_water_mark()

    async def set_high_water_mark(self, moment: datetime) -> None:
        await self.storage.set_high_water_mark(moment)


async def run_sweeps(urls: dict[str, Any], storage: Storage, lookback_days: int) -> SweepFigures:
    """Fill the table as a bot that has been sweeping: the lookback up to the day before the
    cycle in one sweep, then one sweep every 15 minutes over that day, the last one now."""
    figures = SweepFigures()
    day_start: datetime = urls["day_start"]
    async with FranceTravailClient(
        urls["ft_id"], urls["ft_secret"], api_base_url=urls["ft_base"], token_url=urls["ft_token"]
    ) as ft:
        started = time_module.monotonic()
        await storage.set_high_water_mark(day_start - timedelta(days=lookback_days))
        fill = _CountingSink(storage)
        report = await OfferSweep(ft, fill, clock=lambda: day_start).run()
        figures.fill_calls, figures.fill_partitions = report.calls, report.partitions
        figures.fill_offers = len(fill.ids)
        figures.rate_limited += report.rate_limited
        day = _CountingSink(storage)
        steps = 24 * 60 // SWEEP_MINUTES
        for step in range(1, steps + 1):
            moment = day_start + timedelta(minutes=SWEEP_MINUTES * step)
            if step == steps:
                moment = datetime.now(UTC)  # the last one just before the cycle: a fresh table
            report = await OfferSweep(ft, day, clock=lambda m=moment: m).run()  # type: ignore[misc]
            figures.day_sweeps += 1
            figures.day_calls += report.calls
            figures.day_partitions += report.partitions
            figures.rate_limited += report.rate_limited
        figures.day_offers = len(day.ids)
        await storage.prune_offers(datetime.now(UTC) - timedelta(days=lookback_days))
        figures.stored = await storage.count_offers()
        figures.wall = time_module.monotonic() - started
    return figures


def print_sweeps(sweeps: SweepFigures) -> None:
    ideal = sweeps.ideal(sweeps.day_offers)
    budget = 1.2 * ideal + sweeps.day_partitions
    print(
        f"first fill (lookback)     {sweeps.fill_offers} offers, {sweeps.fill_calls} calls "
        f"(ideal {sweeps.ideal(sweeps.fill_offers)} + {sweeps.fill_partitions} partitions)"
    )
    print(
        f"day of sweeps             {sweeps.day_sweeps} sweeps, {sweeps.day_offers} new offers, "
        f"{sweeps.day_calls} calls vs ideal {ideal} + {sweeps.day_partitions} partitions "
        f"= {ideal + sweeps.day_partitions}; budget 1.2 × ideal + partitions = {budget:.0f}: "
        + ("yes" if sweeps.day_calls <= budget else "NO")
    )
    print(
        f"sweeps                    {sweeps.wall:.1f} s wall, {sweeps.rate_limited} × 429, "
        f"{sweeps.stored} offers in the table"
    )
