"""The alert digests of N users served by `ft-bot worker` processes sharing PostgreSQL.

The world (users, offers) is `benchmarks/alert_cycle.py`'s: its emulator process (France Travail
and Telegram with their rate limits, in a child process) and its `populate`, here into a
throw-away PostgreSQL cluster (`tests/postgres_server.py`; initdb/pg_ctl as `postgres` when run
as root) or `--database-url`. Then `--workers` real `python -m bot worker` processes start with
ALERT_RUNNER=workers and TELEGRAM_BROADCAST_RATE=`--tg-rate` (paid broadcasts above 30/s) and
serve every due user; the benchmark waits until nobody is due, then stops them with SIGTERM.

Prints messages, France Travail calls, wall time (first worker ready → nobody due) vs the floor
max(France Travail calls / `--ft-rate`, messages / `--tg-rate`), the CPU per served user of each
worker (its CPU time from ready to the end, over the users served by all; the sum is the cost of
one user), each worker's peak memory (VmHWM), the 429s and the highest Telegram rate in 1 s.

    .venv/bin/python benchmarks/alert_workers.py --users 2000 --workers 2 --tg-rate 1000
    .venv/bin/python benchmarks/alert_workers.py --users 100000 --workers 2 --tg-rate 1000

`benchmarks/alert_cycle.py --workers N` calls `main(args)` with its own arguments. Where that
benchmark fills the offers table first (`--source local`, with local matching: its
`benchmarks/alert_sweeps.run_sweeps`), so does this one, and the workers then read the table;
otherwise (`live`) each digest job asks France Travail per query set, each worker through its own
10 calls/s limiter.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import alert_cycle
from benchmarks.alert_cycle import REAL_FT_RATE, UserSpec, emulators_main
from benchmarks.alert_population import populate
from bot.config import Settings
from ft_client.referential import Referential
from storage import Storage

ROOT = Path(__file__).resolve().parents[1]
POPULATE_TASKS = 8
READY_TIMEOUT_S = 300
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Worker:
    name: str
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    cpu_at_ready: float = 0.0
    cpu_at_end: float = 0.0
    peak_kb: int = 0
    resident_kb: int = 0

    def ready(self) -> bool:
        return any(" ready: " in line for line in self.lines)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_kb(pid: int, field: str = "VmHWM") -> int:
    """VmHWM (peak resident) or VmRSS (resident now) of a live process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def database(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from tests.postgres_server import running_postgres

    with running_postgres() as server:
        yield server.create_database("bench_workers")


async def _read(worker: Worker) -> None:
    assert worker.process.stderr is not None
    async for raw in worker.process.stderr:
        line = raw.decode(errors="replace").rstrip()
        worker.lines.append(line)
        if any(mark in line for mark in (" ERROR ", "Traceback", "stalled", " memory: ")):
            print(f"  [{worker.name}] {line}", flush=True)


def cycle_totals(workers: list[Worker]) -> Counter[str]:
    """The digest jobs' own counts, summed from their "alert cycle: …" log lines."""
    totals: Counter[str] = Counter()
    for worker in workers:
        for line in worker.lines:
            if "alert cycle: users_due=" in line:
                for key, value in re.findall(r"(\w+)=(\d+)\b", line):
                    totals[key] += int(value)
            elif "not confirmed by Telegram" in line:
                totals["telegram_unconfirmed"] += 1
    return totals


def emulator_arguments(
    conn: object, args: argparse.Namespace, lookback_days: int
) -> tuple[object, ...]:
    """`alert_cycle.emulators_main`'s arguments, before and after it took an `EmulatorArgs`."""
    emulator_args = getattr(alert_cycle, "EmulatorArgs", None)
    if emulator_args is None:
        return (conn, args.users, args.seed, lookback_days, args.ft_rate, args.tg_rate)
    per_day = getattr(args, "new_offers_per_day", None)
    if per_day is None:
        per_day = getattr(alert_cycle, "DEFAULT_NEW_OFFERS_PER_DAY", 0)
    return (
        conn,
        emulator_args(args.users, args.seed, lookback_days, args.ft_rate, args.tg_rate, per_day),
    )


async def fill_offers_table(world: dict[str, object], url: str, lookback_days: int) -> int | None:
    """`--source local`: the sweeps of `alert_cycle`'s world into the table; their France
    Travail calls (set-up, not part of the digests' floor), or None when not done."""
    try:
        from benchmarks.alert_sweeps import run_sweeps  # type: ignore[import-not-found]
    except ImportError:  # before local matching: the digests ask France Travail
        return None
    async with Storage.open(url) as storage:
        figures = await run_sweeps(world, storage, lookback_days)
    return int(figures.fill_calls + figures.day_calls)


async def run_workers(
    world: dict[str, str],
    url: str,
    count: int,
    tg_rate: float,
    concurrency: int | None,
    sweep_minutes: int,
) -> tuple[list[Worker], float, int, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FT_", "TELEGRAM_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=world["tg_token"],
        TELEGRAM_API_BASE_URL=world["tg_base"],
        FT_CLIENT_ID=world["ft_id"],
        FT_CLIENT_SECRET=world["ft_secret"],
        FT_API_BASE_URL=world["ft_base"],
        FT_TOKEN_URL=world["ft_token"],
        DATABASE_URL=url,
        ALERT_RUNNER="workers",
        ALERT_TIMEZONE="Europe/Paris",
        TELEGRAM_BROADCAST_RATE=str(int(tg_rate)),
        WORKER_PLAN_SECONDS="5",
        # 15 with a swept table (the digests read it while it is fresh), 0 without.
        SWEEP_MINUTES=str(sweep_minutes),
        LOG_LEVEL="INFO",
    )
    args = ["--concurrency", str(concurrency)] if concurrency else []
    workers: list[Worker] = []
    readers: list[asyncio.Task[None]] = []
    with tempfile.TemporaryDirectory() as cwd:  # no stray .env
        for index in range(count):
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "worker",
                "--name",
                f"bench{index}",
                *args,
                cwd=cwd,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            workers.append(Worker(f"bench{index}", process))
            readers.append(asyncio.create_task(_read(workers[-1])))
        async with Storage.open(url) as storage:
            deadline = time.monotonic() + READY_TIMEOUT_S
            started: float | None = None
            pending = set(range(count))
            while pending:
                for index in list(pending):
                    worker = workers[index]
                    if worker.process.returncode is not None:
                        raise RuntimeError(f"{worker.name} exited: {worker.lines[-5:]}")
                    if worker.ready():
                        worker.cpu_at_ready = cpu_seconds(worker.process.pid)
                        started = started or time.monotonic()
                        pending.discard(index)
                if time.monotonic() > deadline:
                    raise RuntimeError("workers not ready in time")
                await asyncio.sleep(0.05)
            assert started is not None
            due_at_start = len(await storage.due_for_alerts(datetime.now(UTC)))
            while due := len(await storage.due_for_alerts(datetime.now(UTC))):
                print(f"  {time.monotonic() - started:6.1f} s: {due} users still due", flush=True)
                await asyncio.sleep(2.0)
            wall = time.monotonic() - started
        for worker in workers:
            worker.cpu_at_end = cpu_seconds(worker.process.pid)
            worker.peak_kb = memory_kb(worker.process.pid)
            worker.resident_kb = memory_kb(worker.process.pid, "VmRSS")
            worker.process.send_signal(signal.SIGTERM)
        codes = [await worker.process.wait() for worker in workers]
        await asyncio.gather(*readers, return_exceptions=True)
    failed = sum(1 for code in codes if code != 0)
    return workers, wall, due_at_start, failed


async def populate_all(url: str, specs: list[UserSpec], ref: Referential) -> None:
    # Slices in parallel over the connection pool (set-up only, not measured).
    await asyncio.gather(
        *(populate(url, specs[i::POPULATE_TASKS], ref) for i in range(POPULATE_TASKS))  # type: ignore[arg-type]
    )


async def set_up(
    world: dict[str, object],
    url: str,
    specs: list[UserSpec],
    ref: Referential,
    lookback_days: int | None,
) -> int | None:
    """The users stored while the sweeps fill the offers table (`--source local`): different
    tables, and the sweeps wait on France Travail's 10 calls/s most of the time. Returns the
    sweeps' France Travail calls (None: no sweep, `lookback_days` None)."""
    started = time.perf_counter()

    async def users() -> None:
        await populate_all(url, specs, ref)
        print(f"users stored: {time.perf_counter() - started:.1f} s", flush=True)

    stored = asyncio.create_task(users())
    try:
        calls = (
            None if lookback_days is None else await fill_offers_table(world, url, lookback_days)
        )
    finally:
        await stored
    return calls


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--ft-rate", type=float, default=REAL_FT_RATE, help="offer calls/s")
    parser.add_argument("--tg-rate", type=float, default=1000.0, help="messages/s, all workers")
    parser.add_argument("--concurrency", type=int, default=None, help="WORKER_CONCURRENCY")
    parser.add_argument("--database-url", default=None, help="default: a throw-away cluster")
    parser.add_argument("--source", choices=("local", "live"), default="local")
    args = parser.parse_args()
    if args.users < 1 or args.workers < 1:
        parser.error("--users and --workers must be at least 1")
    return args


def main(args: argparse.Namespace | None = None) -> int:
    """Run with `args` (e.g. `alert_cycle.py --workers N`'s) or the command line's."""
    args = args or parse_args()
    concurrency = getattr(args, "concurrency", None)
    source = getattr(args, "source", "local")

    lookback = Settings(telegram_token="", ft_client_id="", ft_client_secret="")
    context = multiprocessing.get_context("spawn")
    parent_conn, child_conn = context.Pipe()
    child = context.Process(
        target=emulators_main,
        args=emulator_arguments(child_conn, args, lookback.alert_lookback_days),
        daemon=True,
    )
    child.start()
    try:
        world = parent_conn.recv()
        specs = [UserSpec(*fields) for fields in world.pop("specs")]
        print(
            f"alert workers: {args.users} users, {world['offers']} offers, {args.workers} "
            f"worker(s); limits France Travail {args.ft_rate:g} calls/s, Telegram "
            f"{args.tg_rate:g} msg/s",
            flush=True,
        )
        with database(getattr(args, "database_url", None)) as url:
            ref = Referential.load()
            setup = time.perf_counter()
            days = lookback.alert_lookback_days if source == "local" else None
            setup_calls = asyncio.run(set_up(world, url, specs, ref, days))
            swept = setup_calls is not None
            print(
                f"set-up: {time.perf_counter() - setup:.1f} s; digests from "
                + ("the offers table" if swept else "France Travail (live)"),
                flush=True,
            )
            del specs, ref
            workers, wall, due, failed = asyncio.run(
                run_workers(world, url, args.workers, args.tg_rate, concurrency, 15 if swept else 0)
            )
        parent_conn.send("stop")
        emu = parent_conn.recv()
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()

    # The set-up's sweeps (the table of a bot that has been running) are not the digests' work.
    calls = emu["ft_search_calls"] - (setup_calls or 0)
    messages = emu["tg_messages"]
    floor = max(calls / args.ft_rate, messages / args.tg_rate)
    print(f"users due at start        {due}")
    print(f"messages sent             {messages}")
    print(
        f"France Travail calls      {calls} during the run"
        + (f" (+ {setup_calls} by the set-up's sweeps)" if setup_calls else "")
    )
    print(f"wall time                 {wall:.1f} s (first worker ready → nobody due)")
    print(
        f"floor                     {floor:.1f} s = max({calls}/{args.ft_rate:g}, "
        f"{messages}/{args.tg_rate:g}); ratio {wall / floor if floor else float('nan'):.2f}"
    )
    total_cpu = 0.0
    for worker in workers:
        last_memory = ""
        cpu = worker.cpu_at_end - worker.cpu_at_ready
        total_cpu += cpu
        print(
            f"{worker.name:<25} CPU {cpu:.1f} s = {1000 * cpu / max(due, 1):.2f} ms per served "
            f"user; peak memory {worker.peak_kb / 1024:.0f} MiB, resident at the end "
            f"{worker.resident_kb / 1024:.0f} MiB"
        )
        for line in worker.lines:
            if " memory: " in line:
                last_memory = line
        if last_memory:
            print(f"  last {last_memory.split(' memory: ', 1)[1]}")
    print(f"CPU per served user, all  {1000 * total_cpu / max(due, 1):.2f} ms   (target <= 2)")
    print(
        f"429 received              Telegram {emu['tg_429']} (target 0), France Travail "
        f"{emu['ft_429']}"
    )
    print(f"max messages in 1 s       {emu['tg_max_per_s']}")
    totals = cycle_totals(workers)
    print(
        f"digest jobs' counts       users_due={totals['users_due']} "
        f"users_served={totals['users_served']} messages_sent={totals['messages_sent']} "
        f"failures={totals['failures']} telegram_unconfirmed={totals['telegram_unconfirmed']}"
    )
    print(f"workers not exiting 0     {failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
