"""One alert cycle for N users against both emulators with their real rate limits.

The France Travail emulator (10 offer calls/s, burst 10) and the Telegram emulator (30 messages/s
overall, burst 30; 1/s per chat with a burst of 10; paid broadcasts up to 1 000/s) run in a
child process so their CPU does not slow the bot's event loop; the bot side is the production
code: `build_application` (PTB's AIORateLimiter), `FranceTravailClient` with its default limiter,
SQLite (or PostgreSQL) with its default durability, `bot.sweep_job.run_sweep`'s `OfferSweep` and
`bot.alerts.run_alert_cycle`.

`--source local` (the default): the offers table is filled first as the running bot fills it —
one sweep of the lookback period (the table of a bot that has been running), then a day of
sweeps every 15 minutes while the France Travail emulator publishes `--new-offers-per-day`
offers (its growth, placed by population) on top of the world below — and the cycle then reads
the table: no France Travail call. `--source live`: no sweep, the cycle asks France Travail per
query set (the path a bot without a fresh table takes).

Profiles are diverse in the way real demand is: target jobs follow a Zipf law over 400 ROME
métiers, places are the 300 largest cities weighted by population, most users keep the default
radius and no contract filter, some add a second (neighbouring) métier; skills are 3–6 of the
métier's own. Offers are generated for the users' criteria (0–15 per job and city, some older
than the lookback window, plus unrelated ones). The world is built in `benchmarks/alert_world.py`.

Prints the sweeps' calls against ⌈new offers/150⌉ + partitions (the day's budget is 1.2 × the
ideal + partitions), the cycle's France Travail calls, messages sent, wall time, the floor set by
the rate limits (max(cycle calls/10, messages/rate) s: the sweeps run between cycles, every 15
minutes, so they are not part of a cycle's floor), the ratio wall/floor (target ≤ 1.08), CPU per
served user, the 429s received (target 0) and the bot process's peak memory.

    .venv/bin/python benchmarks/alert_cycle.py                 # 5 000 users (~4 min)
    .venv/bin/python benchmarks/alert_cycle.py --users 500     # quick look (~30 s)
    .venv/bin/python benchmarks/alert_cycle.py --users 50000   # long run (~30 min)
    .venv/bin/python benchmarks/alert_cycle.py --source live   # the cycle asks France Travail
    .venv/bin/python benchmarks/alert_cycle.py --saved-per-user 1.5
        # 1.5 saved alerts per user on average (issue 15): varied criteria, schedules, filters
    .venv/bin/python benchmarks/alert_cycle.py --backend postgresql --tg-rate 1000
        # PostgreSQL (a throw-away local cluster, or --database-url), paid broadcasts
    .venv/bin/python benchmarks/alert_cycle.py --sweep-only --new-offers-per-day 30000
        # a day of sweeps of new offers: calls vs ⌈new offers/150⌉ + partitions (~40 s);
        # add --backend sqlite|postgresql to store them in the offers table (size, upsert time)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import multiprocessing
import random
import resource
import sys
import tempfile
import time as time_module
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.alert_population import populate
from benchmarks.alert_sweeps import SWEEP_MINUTES, SweepFigures, print_sweeps, run_sweeps
from benchmarks.alert_world import PARIS as PARIS
from benchmarks.alert_world import UserSpec, build_world
from benchmarks.alert_world import make_offer as make_offer
from benchmarks.alert_world import ref_tz as ref_tz
from benchmarks.sweep_cycle import _postgres_url, add_store_arguments, print_day, run_sweep_day
from bot import alerts
from bot.assemble import build_application
from bot.config import Settings
from bot.services import Services
from ft_client import FranceTravailClient
from ft_client.matching import warm_up
from ft_client.referential import Referential
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from sandbox.telegram import TelegramEmulator, TelegramLimits
from storage import Storage

REAL_FT_RATE = 10.0
REAL_TG_RATE = 30.0
DEFAULT_NEW_OFFERS_PER_DAY = 30000  # France Travail publishes some tens of thousands a day


# -------------------------------------------------------------------------- emulator process


@dataclass(frozen=True)
class EmulatorArgs:
    users: int
    seed: int
    lookback_days: int
    ft_rate: float
    tg_rate: float
    new_offers_per_day: int  # the emulator's growth over the day before the cycle (0: none)
    saved_per_user: float = 0.0  # saved alerts per user on average


def telegram_limits(tg_rate: float) -> TelegramLimits:
    """Up to 30/s the free limit is the rate; above, the bot sends paid broadcasts."""
    if tg_rate <= REAL_TG_RATE:
        return TelegramLimits(global_per_second=tg_rate, global_burst=int(tg_rate))
    return TelegramLimits(paid_broadcast_per_second=tg_rate, paid_broadcast_burst=int(tg_rate))


def emulators_main(conn: Connection, args: EmulatorArgs) -> None:
    asyncio.run(_emulators(conn, args))


async def _emulators(conn: Connection, args: EmulatorArgs) -> None:
    # The world is built here, so that the bot process's peak memory is the cycle's own.
    now = datetime.now(UTC).replace(microsecond=0)
    ref = Referential.load()
    specs, offers = build_world(
        ref,
        random.Random(args.seed),
        args.users,
        now,
        args.lookback_days,
        args.saved_per_user,
    )
    del ref
    day_start = now - timedelta(days=1)
    config = EmulatorConfig(
        seed=1,
        offer_count=0,
        include_samples=False,
        rate_limits={"offres": args.ft_rate, "rome": 1.0, "softskills": 1.0},
        now=day_start,
        new_offers_per_hour=args.new_offers_per_day / 24,
    )
    limits = telegram_limits(args.tg_rate)
    async with FranceTravailEmulator(config) as ft, TelegramEmulator(limits=limits) as tg:
        ft.offers.extend(offers)
        # The day's new offers, dated over the day before now: the sweeps fetch them.
        published = len(ft.advance_clock(timedelta(days=1))) if args.new_offers_per_day else 0
        for user_id in range(1, args.users + 1):
            tg.user(user_id)
        conn.send(
            {
                "specs": [dataclasses.astuple(spec) for spec in specs],
                "offers": len(offers),
                "published": published,
                "day_start": day_start,
                "ft_base": ft.base_url,
                "ft_token": ft.token_url,
                "ft_id": ft.client_id,
                "ft_secret": ft.client_secret,
                "tg_base": tg.base_url,
                "tg_token": tg.token,
            }
        )
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
        conn.send(
            {
                "ft_search_calls": ft.stats.calls["offres_search"],
                "ft_429": ft.stats.rate_limited,
                "ft_max_per_s": ft.stats.max_calls_in_window("offres", 1.0, accepted_only=True),
                "tg_messages": tg.stats.messages_sent,
                "tg_429": tg.stats.too_many_requests,
                "tg_max_per_s": tg.stats.max_sends_in_window(1.0),
                # CLOCK_MONOTONIC is system-wide on Linux: comparable with the parent's.
                "tg_first": min(tg.stats.send_times, default=0.0),
                "tg_last": max(tg.stats.send_times, default=0.0),
                "tg_longest_pause": max(
                    (b - a for a, b in itertools.pairwise(sorted(tg.stats.send_times))),
                    default=0.0,
                ),
                "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )


# ------------------------------------------------------------------------------- the bot side


@dataclass
class CycleFigures:
    report: alerts.AlertCycleReport
    started: float
    wall: float
    cpu: float  # seconds of this process's CPU during the cycle
    ft_429: int
    sweeps: SweepFigures | None


async def run_cycle(
    urls: dict[str, Any], location: str | Path, ref: Referential, source: str, tg_rate: float
) -> CycleFigures:
    settings = Settings(
        telegram_token=urls["tg_token"],
        ft_client_id=urls["ft_id"],
        ft_client_secret=urls["ft_secret"],
        telegram_api_base_url=urls["tg_base"],
        ft_api_base_url=urls["ft_base"],
        ft_token_url=urls["ft_token"],
        database_path=location if isinstance(location, Path) else Path("unused.sqlite3"),
        sweep_minutes=SWEEP_MINUTES if source == "local" else 0,
        telegram_broadcast_rate=tg_rate,
    )
    async with (
        Storage.open(location) as storage,
        FranceTravailClient(
            settings.ft_client_id,
            settings.ft_client_secret,
            api_base_url=settings.ft_api_base_url,
            token_url=settings.ft_token_url,
        ) as ft,
    ):
        sweeps = None
        if source == "local":
            sweeps = await run_sweeps(urls, storage, settings.alert_lookback_days)
        # What the bot does at start-up (`Services.open`): matching indexes built, long-lived
        # objects frozen out of the garbage collector's walks. Not part of the cycle.
        await asyncio.to_thread(warm_up, ref)
        services = Services(settings, storage, ft, ref)
        app = build_application(settings, services=services, persistence=None)
        await app.initialize()
        try:
            print("cycle: started", flush=True)
            cpu_before = time_module.process_time()
            started = time_module.monotonic()
            report = await alerts.run_alert_cycle(services, app.bot)
            wall = time_module.monotonic() - started
            cpu = time_module.process_time() - cpu_before
        finally:
            await app.shutdown()
        return CycleFigures(report, started, wall, cpu, ft.stats.rate_limited, sweeps)


def run_workers(args: argparse.Namespace) -> int:
    """`--workers N` (N > 1): several `ft-bot worker` processes on PostgreSQL, measured by
    `benchmarks/alert_workers.py` (its `main(args)` receives these arguments)."""
    try:
        from benchmarks import alert_workers  # type: ignore[attr-defined]
    except ImportError:
        print("--workers N needs benchmarks/alert_workers.py (the multi-worker benchmark)")
        return 2
    return int(alert_workers.main(args))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--ft-rate", type=float, default=REAL_FT_RATE, help="offer calls/s")
    parser.add_argument(
        "--tg-rate",
        type=float,
        default=REAL_TG_RATE,
        help="messages/s (TELEGRAM_BROADCAST_RATE); above 30, sent as paid broadcasts",
    )
    parser.add_argument(
        "--new-offers-per-day",
        type=int,
        default=None,
        help=f"offers the sweeps fetch over the day (default {DEFAULT_NEW_OFFERS_PER_DAY})",
    )
    parser.add_argument(
        "--source",
        choices=("local", "live"),
        default="local",
        help="local: sweeps fill the offers table, the cycle reads it; live: the cycle asks FT",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (more than 1: benchmarks/alert_workers.py, PostgreSQL)",
    )
    parser.add_argument(
        "--saved-per-user",
        type=float,
        default=0.0,
        help="saved alerts per user on average (varied criteria, schedules, filters; at most 4)",
    )
    parser.add_argument(
        "--sweep-only",
        action="store_true",
        help="run a day of sweeps of new offers (every 15 min) instead of the alert cycle",
    )
    add_store_arguments(parser)  # --backend, --database-url
    args = parser.parse_args()
    per_day = (
        DEFAULT_NEW_OFFERS_PER_DAY if args.new_offers_per_day is None else args.new_offers_per_day
    )
    if per_day < 0:
        parser.error("--new-offers-per-day must not be negative")
    if args.sweep_only:
        day = asyncio.run(
            run_sweep_day(
                per_day,
                seed=args.seed,
                ft_rate=args.ft_rate,
                backend=args.backend,
                database_url=args.database_url,
            )
        )
        print_day(day, per_day, SWEEP_MINUTES)
        return 0
    if args.workers > 1:
        return run_workers(args)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.users < 1:
        parser.error("--users must be at least 1")
    if not 0 <= args.saved_per_user <= 4:
        parser.error("--saved-per-user: from 0 to 4 (a person has at most 4 saved alerts)")
    if not 0 < args.tg_rate <= 1000:
        parser.error("--tg-rate: more than 0, at most 1000 messages/s")
    backend = "postgresql" if args.backend == "postgresql" else "sqlite"
    if args.database_url and backend != "postgresql":
        parser.error("--database-url needs --backend postgresql")
    if args.source == "live" and args.new_offers_per_day:
        parser.error("--new-offers-per-day needs --source local (the sweeps fetch them)")
    if args.source == "live":
        per_day = 0

    lookback = Settings(telegram_token="", ft_client_id="", ft_client_secret="")
    scaled = args.ft_rate != REAL_FT_RATE or args.tg_rate not in (REAL_TG_RATE, 1000)
    context = multiprocessing.get_context("spawn")
    parent_conn, child_conn = context.Pipe()
    emulator_args = EmulatorArgs(
        users=args.users,
        seed=args.seed,
        lookback_days=lookback.alert_lookback_days,
        ft_rate=args.ft_rate,
        tg_rate=args.tg_rate,
        new_offers_per_day=per_day,
        saved_per_user=args.saved_per_user,
    )
    child = context.Process(target=emulators_main, args=(child_conn, emulator_args), daemon=True)
    child.start()
    try:
        world = parent_conn.recv()
        specs = [UserSpec(*fields) for fields in world.pop("specs")]
        criteria = Counter(
            (tuple(sorted(s.romes)), s.city, s.radius_km, s.contracts) for s in specs
        )
        saved_count = sum(len(s.saved) for s in specs)
        print(
            f"alert cycle ({args.source}, {backend}): {args.users} users"
            + (
                f" + {saved_count} saved alerts ({saved_count / args.users:.2f} per user)"
                if saved_count
                else ""
            )
            + f", {len(criteria)} distinct profile criteria, {world['offers']} offers for them"
            + (f" + {world['published']} new over the day" if args.source == "local" else "")
            + f"; limits France Travail {args.ft_rate:g} calls/s, Telegram {args.tg_rate:g} msg/s"
            + (" (SCALED: not the real limits)" if scaled else " (real limits)"),
            flush=True,
        )
        ref = Referential.load()
        with contextlib.ExitStack() as stack:
            if backend == "postgresql":
                location: str | Path = stack.enter_context(_postgres_url(args.database_url))
            else:
                tmp = stack.enter_context(tempfile.TemporaryDirectory())
                location = Path(tmp) / "bench.sqlite3"
            setup_started = time_module.perf_counter()
            asyncio.run(populate(location, specs, ref))
            print(f"set-up: {time_module.perf_counter() - setup_started:.1f} s", flush=True)
            del specs, criteria
            figures = asyncio.run(run_cycle(world, location, ref, args.source, args.tg_rate))
        parent_conn.send("stop")
        emu = parent_conn.recv()
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()

    report = figures.report
    if figures.sweeps is not None:
        print_sweeps(figures.sweeps)
        cycle_calls = emu["ft_search_calls"] - figures.sweeps.fill_calls - figures.sweeps.day_calls
    else:
        cycle_calls = emu["ft_search_calls"]
    messages = emu["tg_messages"]
    wall = figures.wall
    floor = max(cycle_calls / args.ft_rate, messages / args.tg_rate)
    ratio = wall / floor if floor else float("nan")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    served = max(report.users_served, 1)
    print(f"users due                 {report.users_due}")
    print(f"distinct queries          {report.distinct_queries}   (source: {report.source})")
    print(f"cycle France Travail calls {cycle_calls}   (cycle report: {report.ft_calls})")
    print(f"offers read or fetched    {report.offers_fetched}")
    print(f"messages sent             {messages}   (cycle report: {report.messages_sent})")
    print(f"users served / failures   {report.users_served} / {report.failures}")
    print(f"wall time                 {wall:.1f} s")
    print(
        f"floor                     {floor:.1f} s = max({cycle_calls}/{args.ft_rate:g}, "
        f"{messages}/{args.tg_rate:g})"
    )
    print(f"ratio wall/floor          {ratio:.3f}   (target <= 1.08)")
    print(
        f"CPU per served user       {1000 * figures.cpu / served:.2f} ms "
        f"({figures.cpu:.1f} s CPU for {report.users_served} users; CPU share of the wall "
        f"{figures.cpu / wall if wall else 0:.0%})"
    )
    print(
        f"429 received              France Travail {figures.ft_429}, "
        f"Telegram {emu['tg_429']}   (target 0)"
    )
    print(
        f"max per second            France Travail {emu['ft_max_per_s']}, "
        f"Telegram {emu['tg_max_per_s']}"
    )
    if messages:
        print(
            f"digests flowing           first after {emu['tg_first'] - figures.started:.1f} s, "
            f"last {figures.started + wall - emu['tg_last']:.1f} s before the end, "
            f"longest pause {emu['tg_longest_pause']:.2f} s"
        )
    print(
        f"peak memory (bot process) {peak_mb:.0f} MB   (emulators: {emu['peak_kb'] / 1024:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
