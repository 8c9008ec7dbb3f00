"""A day of sweeps against the France Travail emulator: calls versus ⌈new offers / 150⌉.

The emulator publishes ``--new-offers-per-day`` offers spread over the day (placed by
population); every ``--sweep-minutes`` its clock moves on and one ``OfferSweep`` runs from the
previous high-water mark. Counts come from the emulator's own counters, not timers, so the
figures do not depend on the machine; the emulator runs in this process, which makes the wall
time only indicative. Run through ``benchmarks/alert_cycle.py --sweep-only`` or directly::

    .venv/bin/python benchmarks/sweep_cycle.py --new-offers-per-day 30000
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ft_client import FranceTravailClient
from ft_client.sweep import DEFAULT_OVERLAP, InMemoryOfferSink, OfferSweep
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator

DAY_START = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # a Monday
REAL_FT_RATE = 10.0


@dataclass
class SweepDay:
    published: int = 0
    stored: int = 0
    sweeps: int = 0
    calls: int = 0
    emulator_calls: int = 0
    partitions: int = 0
    splits: int = 0
    rate_limited: int = 0
    unreachable: int = 0
    wall: float = 0.0

    @property
    def ideal(self) -> int:
        return math.ceil(self.published / 150)

    @property
    def budget(self) -> float:
        return 1.2 * self.ideal + self.partitions


async def run_sweep_day(
    new_offers_per_day: int,
    *,
    sweep_minutes: int = 15,
    seed: int = 20261125,
    ft_rate: float = REAL_FT_RATE,
    overlap: timedelta = DEFAULT_OVERLAP,
) -> SweepDay:
    config = EmulatorConfig(
        seed=seed,
        offer_count=0,
        include_samples=False,
        now=DAY_START,
        new_offers_per_hour=new_offers_per_day / 24,
        rate_limits={"offres": ft_rate},
    )
    day = SweepDay()
    sink = InMemoryOfferSink()
    await sink.set_high_water_mark(DAY_START)
    async with FranceTravailEmulator(config) as emu:
        client = FranceTravailClient(
            emu.client_id,
            emu.client_secret,
            api_base_url=emu.base_url,
            token_url=emu.token_url,
            rate_limits={"offres": ft_rate},
        )
        async with client:
            sweep = OfferSweep(client, sink, overlap=overlap, clock=emu.now)
            started = time.monotonic()
            for _ in range(24 * 60 // sweep_minutes):
                day.published += len(emu.advance_clock(timedelta(minutes=sweep_minutes)))
                report = await sweep.run()
                day.sweeps += 1
                day.calls += report.calls
                day.partitions += report.partitions
                day.splits += report.splits
                day.rate_limited += report.rate_limited
                day.unreachable += report.unreachable
            day.wall = time.monotonic() - started
        day.emulator_calls = emu.stats.calls["offres_search"]
    day.stored = len(sink.offers)
    return day


def print_day(day: SweepDay, new_offers_per_day: int, sweep_minutes: int) -> None:
    print(f"sweep day: {new_offers_per_day} new offers/day, one sweep every {sweep_minutes} min")
    lost = day.published - day.stored
    print(f"offers published / stored  {day.published} / {day.stored}   (lost: {lost})")
    print(f"sweeps                     {day.sweeps}")
    print(f"sweep calls                {day.emulator_calls}   (sweep reports: {day.calls})")
    print(f"ideal ⌈new offers/150⌉     {day.ideal}")
    print(f"partitions / splits        {day.partitions} / {day.splits}")
    print(
        f"calls vs ⌈N/150⌉ + parts   {day.emulator_calls} <= {day.budget:.0f} "
        f"(1.2 × {day.ideal} + {day.partitions}): "
        + ("yes" if day.emulator_calls <= day.budget else "NO")
    )
    print(f"calls / ideal              {day.emulator_calls / max(day.ideal, 1):.2f}")
    print(f"429 received               {day.rate_limited}")
    print(f"beyond reach               {day.unreachable}")
    print(f"wall (indicative)          {day.wall:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--new-offers-per-day", type=int, default=30000)
    parser.add_argument("--sweep-minutes", type=int, default=15)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--ft-rate", type=float, default=REAL_FT_RATE, help="offer calls/s")
    args = parser.parse_args(argv)
    if args.new_offers_per_day < 0 or not 1 <= args.sweep_minutes <= 24 * 60:
        parser.error("need --new-offers-per-day >= 0 and 1 <= --sweep-minutes <= 1440")
    day = asyncio.run(
        run_sweep_day(
            args.new_offers_per_day,
            sweep_minutes=args.sweep_minutes,
            seed=args.seed,
            ft_rate=args.ft_rate,
        )
    )
    print_day(day, args.new_offers_per_day, args.sweep_minutes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
