"""Throughput of FranceTravailClient against the local France Travail emulator.

Default: N searches from T concurrent tasks against the emulator enforcing the documented
offers limit (10 calls/s, burst 10). Prints the achieved calls/s, its ratio to the limit
(target 0.9–1.0: as fast as allowed, never over) and the 429s received (target 0).

``--mixed``: every API at once (offers, ROME, soft skills, La Bonne Boîte, Marché du travail,
ROMEO), each driven by its own concurrent tasks for about ``--seconds`` worth of its limit,
against the emulator (in a child process) enforcing each API's documented limit with a token
bucket. Prints, per API, the ratio of the achieved rate to its limit (target 0.85–1.00), the
most arrivals the emulator stamped in any window of one burst (informative) and the 429s
(target 0): one client, six limiters, none spilling over another.

    .venv/bin/python benchmarks/client_rate.py              # 500 searches, 50 tasks (~55 s)
    .venv/bin/python benchmarks/client_rate.py --searches 100
    .venv/bin/python benchmarks/client_rate.py --mixed      # six APIs at once (~25 s)
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ft_client import DEFAULT_RATE_LIMITS, FranceTravailClient, OfferQuery
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator

# Distinct requests per API (the client caches repeated ones): ROME codes and places.
ROME_CODES = (
    "G1803", "G1602", "G1603", "J1501", "D1102", "D1106", "K1302", "N1103", "H2913", "F1703",
    "M1607", "M1203", "K2204", "I1604", "A1203", "N4101", "D1507", "G1101", "J1506", "K1303",
    "H3302", "F1602", "M1805", "E1101", "C1501", "B1101", "L1103", "G1201", "J1102", "K2111",
    "D1401", "N1105", "I1304", "H1101", "F1604", "M1302", "G1502", "J1301", "K1201", "D1211",
)  # fmt: skip
CITIES = ("75056", "69123", "13055", "31555", "44109", "33063", "59350", "67482", "34172", "35238")


def _mixed_calls(api: str, index: int) -> tuple[int, object]:
    """(HTTP calls it makes, a coroutine factory) for the index-th distinct request to ``api``."""
    code = ROME_CODES[index % len(ROME_CODES)]
    if api == "offres":
        return 1, lambda ft: ft.search_offers(OfferQuery(), start=(index * 7) % 300, count=20)
    if api == "rome":  # the métier and its fiche
        return 2, lambda ft: ft.get_job(code)
    if api == "softskills":
        return 1, lambda ft: ft.get_soft_skills(code)
    if api == "labonneboite":
        city = CITIES[index // len(ROME_CODES) % len(CITIES)]
        return 1, lambda ft: ft.search_companies([code], citycode=city, page_size=5)
    if api == "marche":  # offers, hires, outlook, salaries
        city_dep = ("75", "69", "13", "31", "44")[index // len(ROME_CODES) % 5]
        return 4, lambda ft: ft.get_market(code, "DEP", city_dep)
    return 1, lambda ft: ft.predict_jobs([f"{code} texte {index}"])


def _mixed_emulator(conn: Connection, offers: int, seed: int) -> None:
    """Child process: the emulator with every API's documented limit, until told to stop."""

    async def serve() -> None:
        from ft_client.referential import Referential

        Referential.load().find_jobs("serveur")  # ROMEO's look-up, warm before timing
        config = EmulatorConfig(seed=seed, offer_count=offers)
        async with FranceTravailEmulator(config) as emu:
            conn.send(
                {
                    "base": emu.base_url,
                    "token": emu.token_url,
                    "id": emu.client_id,
                    "secret": emu.client_secret,
                }
            )
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, conn.recv)  # "stop"
            conn.send(
                {
                    api: {
                        "calls": emu.stats.total_calls(api),
                        "refused": emu.stats.rate_limited_by_api[api],
                        "burst": config.burst_for(api),
                        "window": emu.stats.max_calls_in_window(
                            api, config.burst_for(api) / config.rate_limits[api]
                        ),
                    }
                    for api in config.rate_limits
                }
            )

    asyncio.run(serve())


async def drive_mixed(urls: dict[str, str], seconds: float) -> tuple[dict[str, float], int]:
    """Every API at once from one client; when each API's last answer came, and the 429s."""
    rates = dict(DEFAULT_RATE_LIMITS)
    async with FranceTravailClient(
        urls["id"], urls["secret"], api_base_url=urls["base"], token_url=urls["token"]
    ) as ft:
        await ft.authenticate()
        finished: dict[str, float] = {}

        async def drive(api: str) -> None:
            wanted = max(4, round(rates[api] * seconds))
            jobs = []
            total = 0
            while total < wanted:
                calls, factory = _mixed_calls(api, len(jobs))
                jobs.append(factory)
                total += calls
            queue: asyncio.Queue = asyncio.Queue()
            for job in jobs:
                queue.put_nowait(job)

            async def worker() -> None:
                while not queue.empty():
                    await queue.get_nowait()(ft)

            await asyncio.gather(*(worker() for _ in range(8)))
            finished[api] = time.perf_counter() - started

        started = time.perf_counter()
        await asyncio.gather(*(drive(api) for api in rates))
        return finished, ft.stats.rate_limited


def run_mixed(seconds: float, offers: int, seed: int) -> int:
    # The emulator runs in a child process so that its CPU does not skew the client's timing.
    context = multiprocessing.get_context("spawn")
    parent_conn, child_conn = context.Pipe()
    child = context.Process(target=_mixed_emulator, args=(child_conn, offers, seed), daemon=True)
    child.start()
    try:
        urls = parent_conn.recv()
        finished, received_429 = asyncio.run(drive_mixed(urls, seconds))
        parent_conn.send("stop")
        emu = parent_conn.recv()
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
    print(f"mixed traffic: six APIs at once from one client, about {seconds:g} s of each limit")
    print(f"{'API':<14}{'limit/s':>8}{'calls':>7}{'achieved/s':>12}{'ratio':>7}"
          f"{'peak in 1 window':>18}{'429':>5}")  # fmt: skip
    ok = received_429 == 0
    for api, rate in DEFAULT_RATE_LIMITS.items():
        figures = emu[api]
        achieved = figures["calls"] / finished[api]
        ratio = achieved / rate
        window, burst = figures["window"], figures["burst"]
        # The emulator's token bucket is the limit (what a gateway refuses); the peak is
        # informative only: on a loaded machine the emulator stamps arrivals late, in clumps.
        ok = ok and figures["refused"] == 0 and 0.85 <= ratio <= 1.0
        print(
            f"{api:<14}{rate:>8g}{figures['calls']:>7}{achieved:>12.2f}{ratio:>7.3f}"
            f"{f'{window} (burst {burst:g})':>18}{figures['refused']:>5}"
        )
    print(f"429s received by the client  {received_429}   (target 0)")
    print("RESULT  " + ("OK" if ok else "OUT OF TARGET") + "  (ratios 0.85–1.00, 0 × 429)")
    return 0 if ok else 1


async def run(searches: int, tasks: int, rate: float, offers: int, seed: int) -> int:
    config = EmulatorConfig(seed=seed, offer_count=offers, rate_limits={"offres": rate})
    async with FranceTravailEmulator(config) as emu:
        async with FranceTravailClient(
            emu.client_id,
            emu.client_secret,
            api_base_url=emu.base_url,
            token_url=emu.token_url,
            rate_limits={"offres": rate},
        ) as ft:
            await ft.authenticate()  # the token is not part of the measured calls
            queue: asyncio.Queue[int] = asyncio.Queue()
            for i in range(searches):
                queue.put_nowait(i)
            latencies: list[float] = []
            queries = [
                OfferQuery(),
                OfferQuery(sort=1),
                OfferQuery(contract_types=["CDI"]),
                OfferQuery(published_since_days=7),
            ]

            async def worker() -> None:
                while True:
                    try:
                        i = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    started = time.perf_counter()
                    await ft.search_offers(queries[i % len(queries)], start=(i * 7) % 300, count=20)
                    latencies.append(time.perf_counter() - started)

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(tasks)))
            elapsed = time.perf_counter() - started

        achieved = searches / elapsed
        ratio = achieved / rate
        received_429 = ft.stats.rate_limited
        window_max = emu.stats.max_calls_in_window("offres", 1.0)
        latencies.sort()
        print(f"searches            {searches} from {tasks} concurrent tasks")
        print(f"limit               {rate:g} calls/s (emulator token bucket, burst {rate:g})")
        print(f"elapsed             {elapsed:.2f} s")
        print(f"achieved            {achieved:.2f} calls/s")
        print(f"ratio to limit      {ratio:.3f}   (target 0.90–1.00)")
        print(f"429s received       {received_429}   (target 0)")
        print(f"emulator 429s sent  {emu.stats.rate_limited}")
        print(f"max calls in any 1 s window (emulator)  {window_max}   (limit {rate:g})")
        print(f"retries             {sum(ft.stats.retries.values())}")
        print(
            "latency per search  "
            f"p50 {statistics.median(latencies):.2f} s, "
            f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:.2f} s (includes queueing)"
        )
        ok = 0.9 <= ratio <= 1.0 and received_429 == 0
        print("RESULT              " + ("OK" if ok else "OUT OF TARGET"))
        return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--rate", type=float, default=10.0, help="offers limit, calls/s")
    parser.add_argument("--offers", type=int, default=1000, help="emulator dataset size")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--mixed", action="store_true", help="every API at once, per-API ratios")
    parser.add_argument("--seconds", type=float, default=20.0, help="--mixed: seconds of load")
    args = parser.parse_args()
    if args.mixed:
        sys.exit(run_mixed(args.seconds, args.offers, args.seed))
    if args.searches < 1 or args.tasks < 1 or args.rate <= 0:
        parser.error("--searches, --tasks and --rate must be positive")
    sys.exit(asyncio.run(run(args.searches, args.tasks, args.rate, args.offers, args.seed)))


if __name__ == "__main__":
    main()
