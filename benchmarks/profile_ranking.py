"""CPU of the alert cycle's ranking alone: `rank_offers` for N benchmark users over their
candidate offers, without emulators, storage or Telegram (the hot path of a local cycle).

The world is `benchmarks/alert_cycle.py`'s (same seed, same users, same offers); each user's
candidates are the offers of their target métiers within 60 km, as the offers table's index
hands them to the cycle. Prints CPU per user; `--profile FILE` writes a cProfile dump,
`--top N` prints its N most expensive functions.

    .venv/bin/python benchmarks/profile_ranking.py --users 3000
    .venv/bin/python benchmarks/profile_ranking.py --users 3000 --profile /tmp/rank.prof --top 25
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.alert_cycle import build_world
from ft_client.matching import MatchProfile, rank_offers
from ft_client.models import Offer
from ft_client.referential import Referential, haversine_km

CANDIDATE_RADIUS_KM = 60.0


def world(
    users: int, seed: int, now: datetime
) -> tuple[list[MatchProfile], list[list[Offer]], Referential]:
    """Match profiles of the benchmark's users and each one's candidate offers."""
    ref = Referential.load()
    specs, raw = build_world(ref, random.Random(seed), users, now, lookback_days=3)
    offers = [o for o in (Offer.from_json(item) for item in raw) if o is not None]
    by_rome: dict[str, list[Offer]] = defaultdict(list)
    for offer in offers:
        by_rome[(offer.rome_code or "").upper()].append(offer)
    profiles: list[MatchProfile] = []
    candidates: list[list[Offer]] = []
    for spec in specs:
        place = ref.place(spec.city)
        assert place is not None and place.latitude is not None and place.longitude is not None
        profiles.append(
            MatchProfile(
                skills=spec.skills,
                target_rome_codes=spec.romes,
                latitude=place.latitude,
                longitude=place.longitude,
                commune=spec.city,
                departement=place.departement,
                radius_km=spec.radius_km,
            )
        )
        near = [
            o
            for rome in spec.romes
            for o in by_rome.get(rome, ())
            if o.place.latitude is not None
            and o.place.longitude is not None
            and haversine_km(place.latitude, place.longitude, o.place.latitude, o.place.longitude)
            <= CANDIDATE_RADIUS_KM
        ]
        candidates.append(near)
    return profiles, candidates, ref


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--warm", type=int, default=0, help="rank this many other users first (warm caches)"
    )
    parser.add_argument("--profile", type=Path, help="write a cProfile dump here")
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args()
    now = datetime.now(UTC)
    profiles, candidates, ref = world(args.users + args.warm, args.seed, now)
    # The first users warm the caches (a cycle in its stride); the others are measured.
    for profile, offers in zip(profiles[: args.warm], candidates[: args.warm], strict=True):
        rank_offers(profile, offers, referential=ref, now=now)
    profiles, candidates = profiles[args.warm :], candidates[args.warm :]
    n_offers = sum(len(c) for c in candidates)
    profiler = cProfile.Profile() if args.profile or args.top else None
    started = time.process_time()
    if profiler:
        profiler.enable()
    for profile, offers in zip(profiles, candidates, strict=True):
        rank_offers(profile, offers, referential=ref, now=now)
    if profiler:
        profiler.disable()
    cpu = time.process_time() - started
    print(
        f"{len(profiles)} users, {n_offers} candidate offers ranked "
        f"({n_offers / max(1, len(profiles)):.1f} per user): "
        f"CPU per user {1000 * cpu / max(1, len(profiles)):.2f} ms ({cpu:.1f} s)"
    )
    if profiler:
        if args.profile:
            profiler.dump_stats(str(args.profile))
        if args.top:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
