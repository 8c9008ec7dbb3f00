"""Throughput of FranceTravailClient against the local France Travail emulator.

N searches from T concurrent tasks against the emulator enforcing the documented offers limit
(10 calls/s, burst 10). Prints the achieved calls/s, its ratio to the limit (target 0.9–1.0:
as fast as allowed, never over) and the 429s received (target 0).

    .venv/bin/python benchmarks/client_rate.py              # 500 searches, 50 tasks (~55 s)
    .venv/bin/python benchmarks/client_rate.py --searches 100
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ft_client import FranceTravailClient, OfferQuery
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator


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
    args = parser.parse_args()
    if args.searches < 1 or args.tasks < 1 or args.rate <= 0:
        parser.error("--searches, --tasks and --rate must be positive")
    sys.exit(asyncio.run(run(args.searches, args.tasks, args.rate, args.offers, args.seed)))


if __name__ == "__main__":
    main()
