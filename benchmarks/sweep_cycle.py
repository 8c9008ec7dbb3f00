"""A day of sweeps against the France Travail emulator: calls versus ⌈new offers / 150⌉.

The emulator publishes ``--new-offers-per-day`` offers spread over the day (placed by
population); every ``--sweep-minutes`` its clock moves on and one ``OfferSweep`` runs from the
previous high-water mark. Counts come from the emulator's own counters, not timers, so the
figures do not depend on the machine; the emulator runs in this process, which makes the wall
time only indicative. ``--backend sqlite|postgresql`` stores into the ``offers`` table (a
temporary SQLite file; ``--database-url`` an empty PostgreSQL database, else a throw-away local
cluster as the tests start one) and prints the table's size and the time spent in
``upsert_offers``; ``memory`` (the default) keeps them in a dict. Run through
``benchmarks/alert_cycle.py --sweep-only`` or directly::

    .venv/bin/python benchmarks/sweep_cycle.py --new-offers-per-day 30000 --backend sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ft_client import FranceTravailClient
from ft_client.models import Offer
from ft_client.sweep import DEFAULT_OVERLAP, InMemoryOfferSink, OfferSink, OfferSweep
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from storage import Storage

BACKENDS = ("memory", "sqlite", "postgresql")

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
    backend: str = "memory"
    upserts: int = 0  # upsert_offers calls
    upsert_seconds: float = 0.0
    table_rows: int | None = None
    table_bytes: int | None = None

    @property
    def ideal(self) -> int:
        return math.ceil(self.published / 150)

    @property
    def budget(self) -> float:
        return 1.2 * self.ideal + self.partitions


class TimedSink:
    """An ``OfferSink`` that times the upserts of the sink it wraps."""

    def __init__(self, inner: OfferSink) -> None:
        self.inner = inner
        self.calls = 0
        self.seconds = 0.0

    async def upsert_offers(self, offers: Sequence[Offer]) -> int:
        started = time.perf_counter()
        try:
            return await self.inner.upsert_offers(offers)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1

    async def high_water_mark(self) -> datetime | None:
        return await self.inner.high_water_mark()

    async def set_high_water_mark(self, moment: datetime) -> None:
        await self.inner.set_high_water_mark(moment)


@contextlib.contextmanager
def _postgres_url(database_url: str | None) -> Iterator[str]:
    if database_url:
        yield database_url
        return
    from tests.postgres_server import running_postgres  # a throw-away loopback cluster

    with running_postgres() as server:
        yield server.create_database("sweep_bench")


@contextlib.asynccontextmanager
async def _table_sink(backend: str, database_url: str | None) -> AsyncIterator[Storage]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            async with Storage.open(Path(tmp) / "sweep.sqlite3", synchronous="FULL") as storage:
                yield storage
        return
    with _postgres_url(database_url) as url:
        async with Storage.open(url) as storage:
            yield storage


async def _table_size(storage: Storage) -> int:
    if storage.backend == "postgresql":
        row = await storage._fetchone("SELECT pg_total_relation_size('offers')")
        return int(row[0]) if row else 0
    # SQLite: the offers table and its indexes, page by page (dbstat), else the whole file.
    with contextlib.suppress(Exception):
        row = await storage._fetchone(
            "SELECT sum(pgsize) FROM dbstat WHERE name = 'offers' OR name LIKE 'offers_%' "
            "OR name = 'sqlite_autoindex_offers_1'"
        )
        if row and row[0]:
            return int(row[0])
    row = await storage._fetchone(
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
    )
    return int(row[0]) if row else 0  # the whole database: dbstat is not compiled in


async def run_sweep_day(
    new_offers_per_day: int,
    *,
    sweep_minutes: int = 15,
    seed: int = 20261125,
    ft_rate: float = REAL_FT_RATE,
    overlap: timedelta = DEFAULT_OVERLAP,
    backend: str = "memory",
    database_url: str | None = None,
) -> SweepDay:
    if backend == "memory":
        sink = InMemoryOfferSink()
        day = await _sweep_day(sink, new_offers_per_day, sweep_minutes, seed, ft_rate, overlap)
        day.table_rows = len(sink.offers)
        return day
    async with _table_sink(backend, database_url) as storage:
        day = await _sweep_day(storage, new_offers_per_day, sweep_minutes, seed, ft_rate, overlap)
        day.backend = backend
        day.table_rows = await storage.count_offers()
        day.table_bytes = await _table_size(storage)
        return day


async def _sweep_day(
    store: OfferSink,
    new_offers_per_day: int,
    sweep_minutes: int,
    seed: int,
    ft_rate: float,
    overlap: timedelta,
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
    sink = TimedSink(store)
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
    day.upserts = sink.calls
    day.upsert_seconds = sink.seconds
    day.stored = (
        len(store.offers) if isinstance(store, InMemoryOfferSink) else await store.count_offers()  # type: ignore[attr-defined]
    )
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
    print(f"store                      {day.backend}")
    per_offer_ms = 1000 * day.upsert_seconds / max(day.stored, 1)
    print(
        f"upsert time                {day.upsert_seconds:.2f} s in {day.upserts} calls "
        f"({per_offer_ms:.2f} ms per offer; wall, shared with the in-process emulator)"
    )
    if day.table_bytes is not None:
        print(
            f"offers table               {day.table_rows} rows, "
            f"{day.table_bytes / 2**20:.1f} MiB with its indexes "
            f"({day.table_bytes / max(day.table_rows or 0, 1):.0f} bytes per offer)"
        )


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default="memory",
        help="where swept offers go: a dict, or the offers table on SQLite or PostgreSQL",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="with --backend postgresql: an empty database (default: a throw-away cluster)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--new-offers-per-day", type=int, default=30000)
    parser.add_argument("--sweep-minutes", type=int, default=15)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--ft-rate", type=float, default=REAL_FT_RATE, help="offer calls/s")
    add_store_arguments(parser)
    args = parser.parse_args(argv)
    if args.new_offers_per_day < 0 or not 1 <= args.sweep_minutes <= 24 * 60:
        parser.error("need --new-offers-per-day >= 0 and 1 <= --sweep-minutes <= 1440")
    day = asyncio.run(
        run_sweep_day(
            args.new_offers_per_day,
            sweep_minutes=args.sweep_minutes,
            seed=args.seed,
            ft_rate=args.ft_rate,
            backend=args.backend,
            database_url=args.database_url,
        )
    )
    print_day(day, args.new_offers_per_day, args.sweep_minutes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
