"""Referential and matching speed: load time, memory, look-up and ranking latencies.

Run: ``.venv/bin/python benchmarks/referential_speed.py``. Targets on a 2-core machine:
load < 0.5 s, ``find_jobs`` median < 2 ms, ``rank_offers`` over 1 000 offers < 50 ms.
The load is timed in fresh interpreters (the first use in a process is what a user pays).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ft_client.matching import MatchProfile, rank_offers, suggest_jobs, warm_up  # noqa: E402
from ft_client.models import Offer  # noqa: E402
from ft_client.referential import Referential  # noqa: E402

JOB_QUERIES = [
    "serveur", "serveuse", "aide soignante", "développeur python", "dev web", "caissière",
    "équipier restauration rapide", "chauffeur pl", "resp. magasin", "assistant(e) comptable",
    "boulangere", "plombier chauffagiste", "agent entretien", "infirmiere", "cuisinier",
    "vendeuse pret a porter", "manutentionnaire", "secretaire medicale", "electricien", "g1603",
    "préparateur de commandes", "magasinier cariste", "auxiliaire de vie", "coifeuse", "macon",
]  # fmt: skip
PLACE_QUERIES = [
    "Paris", "paris 15", "75015", "Lyon 3e", "lyon", "13008", "33000", "Saint-Denis",
    "st denis 93", "marseile", "Bordeaux", "aix en provence", "Le Havre", "toulouse",
    "Nantes", "Rennes", "lille", "Strasbourg", "Montpellier", "Ajaccio",
]  # fmt: skip
SKILL_PROFILES = [
    ["prise de commande", "encaissement", "service en salle"],
    ["toilette des patients", "prise de constantes", "aide au repas"],
    ["python", "développement web", "bases de données", "git"],
    ["mise en rayon", "inventaire", "accueil client"],
    ["conduite poids lourd", "livraison", "chargement"],
]
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)

LOAD_SNIPPET = (
    "import time; t=time.perf_counter(); "
    "from ft_client.referential import Referential; r=Referential.load(); "
    "print(time.perf_counter()-t)"
)


def timed(func: Callable[[], Any], repeat: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds per call: CPU time shows the cost when other jobs share the cores."""
    samples = []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        samples.append((time.perf_counter() - start, time.process_time() - start_cpu))
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(name: str, samples: list[tuple[float, float]]) -> None:
    wall = [w for w, _ in samples]
    cpu = [c for _, c in samples]
    print(
        f"{name:<32} median {statistics.median(wall) * 1000:8.2f} ms"
        f"   p95 {percentile(wall, 0.95) * 1000:8.2f} ms"
        f"   CPU median {statistics.median(cpu) * 1000:8.2f} ms   (n={len(samples)})"
    )


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def synthetic_offers(ref: Referential, count: int, seed: int) -> list[Offer]:
    """Offers shaped like the API's: a ROME job, its skills as coded competences, a place."""
    rng = random.Random(seed)
    jobs = [j for j in ref.jobs() if j.skills]
    places = [p for p in ref.places() if p.has_point and p.kind == "commune"]
    offers = []
    for i in range(count):
        job = rng.choice(jobs)
        place = rng.choice(places)
        skills = rng.sample(
            [s for s in job.skills if s.kind in ("savoir-faire", "savoir")],
            k=min(6, sum(1 for s in job.skills if s.kind in ("savoir-faire", "savoir"))),
        )
        qualities = [s for s in job.skills if s.kind == "savoir-etre"][:3]
        data = {
            "id": f"{100000 + i}BENCH",
            "intitule": job.titles[0] if job.titles else job.label,
            "dateCreation": (NOW - timedelta(hours=rng.randint(0, 24 * 30))).isoformat(),
            "lieuTravail": {
                "libelle": f"{place.departement} - {place.name}",
                "latitude": place.latitude,
                "longitude": place.longitude,
                "codePostal": place.postal_codes[0] if place.postal_codes else None,
                "commune": place.insee_code,
            },
            "romeCode": job.code,
            "romeLibelle": job.label,
            "competences": [
                {"code": s.code, "libelle": s.label, "exigence": rng.choice("ES")} for s in skills
            ],
            "qualitesProfessionnelles": [{"libelle": q.label} for q in qualities],
        }
        offer = Offer.from_json(data)
        assert offer is not None
        offers.append(offer)
    return offers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="referential and matching speed")
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    cold = []
    for _ in range(3):
        out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
            [sys.executable, "-c", LOAD_SNIPPET],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        cold.append(float(out.stdout.strip()))
    print(f"load (fresh process, incl. imports)  median {statistics.median(cold):.3f} s  {cold}")

    rss_before = rss_mib()
    start = time.perf_counter()
    ref = Referential.load()
    print(f"load (this process)                  {time.perf_counter() - start:.3f} s")
    for name, build in (
        ("job index", lambda: ref.find_jobs("x")),
        ("place index", lambda: ref.find_places("x")),
        ("skill index + matcher", lambda: warm_up(ref)),
    ):
        start = time.perf_counter()
        build()
        print(f"first use builds {name:<20} {time.perf_counter() - start:.3f} s")
    print(f"resident memory: {rss_mib():.0f} MiB (before load {rss_before:.0f} MiB)")

    # First time each query is seen (typo look-ups not cached yet), then repeated queries.
    noisy = [f"{q} {w}" for q, w in zip(JOB_QUERIES, reversed(JOB_QUERIES), strict=True)]
    report(
        "find_jobs (new queries)",
        [t for q in noisy for t in timed(lambda q=q: ref.find_jobs(q), 1)],
    )
    report("find_jobs", [t for q in JOB_QUERIES for t in timed(lambda q=q: ref.find_jobs(q), 5)])
    report(
        "find_places",
        [t for q in PLACE_QUERIES for t in timed(lambda q=q: ref.find_places(q), 5)],
    )
    cold_suggest = []
    for skills in SKILL_PROFILES:
        cold_suggest += timed(lambda s=skills: suggest_jobs(s, ref), 1)
    report("suggest_jobs (first time)", cold_suggest)
    report(
        "suggest_jobs (cached)",
        [t for s in SKILL_PROFILES for t in timed(lambda s=s: suggest_jobs(s, ref), 3)],
    )
    report("nearest_place", timed(lambda: ref.nearest_place(45.76, 4.84), 50))

    offers = synthetic_offers(ref, args.offers, seed=3)
    profile = MatchProfile(
        skills=SKILL_PROFILES[0],
        target_rome_codes=["G1803"],
        latitude=45.76,
        longitude=4.84,
        radius_km=30,
    )
    first = timed(lambda: rank_offers(profile, offers, referential=ref, now=NOW), 1)
    report(f"rank_offers({args.offers}) first", first)
    report(
        f"rank_offers({args.offers})",
        timed(lambda: rank_offers(profile, offers, referential=ref, now=NOW), args.repeat),
    )
    other = MatchProfile(skills=["soudure tig", "lecture de plans", "meulage"], commune="69383")
    report(
        f"rank_offers({args.offers}) profile 2",
        timed(lambda: rank_offers(other, offers, referential=ref, now=NOW), args.repeat),
    )
    print(f"resident memory at end: {rss_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
