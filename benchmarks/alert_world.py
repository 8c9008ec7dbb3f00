"""The world of `benchmarks/alert_cycle.py`: its users (`UserSpec`) and the offers made for them.

Profiles are diverse in the way real demand is: target jobs follow a Zipf law over 400 ROME
métiers, places are the 300 largest cities weighted by population, most users keep the default
radius and no contract filter, some add a second (neighbouring) métier; skills are 3–6 of the
métier's own. Offers are generated for the users' criteria (0–15 per job and city, some older
than the lookback window, plus unrelated ones). The same seed gives the same world.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from benchmarks.alert_saved import saved_specs
from ft_client.models import format_ft_datetime
from ft_client.referential import Place, Referential

PARIS = "Europe/Paris"


@dataclass(frozen=True)
class UserSpec:
    user_id: int
    romes: tuple[str, ...]
    city: str
    radius_km: int
    contracts: tuple[str, ...]
    skills: tuple[str, ...]
    alert_time: time
    # Saved alerts (`--saved-per-user`): (ROME codes, city, radius, contracts, frequency,
    # weekday, alert minute, filter kind) each.
    saved: tuple[tuple[Any, ...], ...] = ()


def _weighted(rng: random.Random, items: list[Any], weights: list[float], k: int) -> list[Any]:
    return rng.choices(items, cum_weights=list(itertools.accumulate(weights)), k=k)


def build_world(
    ref: Referential,
    rng: random.Random,
    users: int,
    now: datetime,
    lookback_days: int,
    saved_per_user: float = 0.0,
) -> tuple[list[UserSpec], list[dict[str, Any]]]:
    codes = sorted(ref.job_codes())
    rng.shuffle(codes)
    popular = codes[:400]
    zipf = [1.0 / (rank + 1) ** 1.07 for rank in range(len(popular))]
    cities = sorted(
        (p for p in ref.places() if p.kind == "commune" and p.population and p.has_point),
        key=lambda p: -(p.population or 0),
    )[:300]
    city_weights = [float(p.population or 1) for p in cities]
    local_now = now.astimezone(ref_tz())
    latest_minute = max(0, local_now.hour * 60 + local_now.minute - 1)

    clock_rng = random.Random(rng.random())
    romes = _weighted(rng, popular, zipf, users)
    places = _weighted(rng, cities, city_weights, users)
    specs: list[UserSpec] = []
    for user_id, (rome, place) in enumerate(zip(romes, places, strict=True), start=1):
        job = ref.job(rome)
        assert job is not None
        targets = [rome]
        if rng.random() < 0.15:
            near = [c for c in job.mobility if ref.job(c) is not None]
            if near:
                targets.append(rng.choice(near))
        labels = [s.label for s in job.skills if len(s.label) <= 100]
        skills = tuple(rng.sample(labels, k=min(len(labels), rng.randint(3, 6))))
        # Own generator: the range depends on the clock, the rest of the world must not.
        minute = clock_rng.randint(0, latest_minute)
        specs.append(
            UserSpec(
                user_id=user_id,
                romes=tuple(targets),
                city=place.insee_code,
                radius_km=rng.choices([10, 20, 30, 50], weights=[70, 12, 10, 8])[0],
                contracts=rng.choices([(), ("CDI",), ("CDD", "CDI")], weights=[70, 20, 10])[0],
                skills=skills,
                alert_time=time(minute // 60, minute % 60),
            )
        )

    if saved_per_user > 0:
        # Their own generator: the world without saved alerts stays the same.
        saved_rng = random.Random(rng.random())
        specs = [
            dataclasses.replace(
                spec,
                saved=saved_specs(
                    ref, saved_rng, spec, saved_per_user, popular, cities, latest_minute
                ),
            )
            for spec in specs
        ]
    by_code = {p.insee_code: p for p in cities}
    offers: list[dict[str, Any]] = []
    ids = itertools.count(1)
    pairs = sorted(
        {(rome, spec.city) for spec in specs for rome in spec.romes}
        | {(rome, saved[1]) for spec in specs for saved in spec.saved for rome in saved[0]}
    )
    window = lookback_days * 86400
    for rome, city in pairs:
        count = rng.choices([0, 2, 6, 12], weights=[10, 40, 35, 15])[0]
        count = rng.randint(max(0, count - 2), count) if count else 0
        for _ in range(count):
            age = (
                rng.uniform(60, window) if rng.random() < 0.85 else rng.uniform(window, 10 * 86400)
            )
            offers.append(make_offer(ref, rng, next(ids), rome, by_code[city], now, age))
    # Unrelated offers (other métiers, other towns) that every search has to skip.
    for _ in range(len(offers) // 5):
        rome = rng.choice(codes)
        place = rng.choice(cities)
        offers.append(
            make_offer(ref, rng, next(ids), rome, place, now, rng.uniform(60, 10 * 86400))
        )
    return specs, offers


def ref_tz() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(PARIS)


def make_offer(
    ref: Referential,
    rng: random.Random,
    number: int,
    rome: str,
    city: Place,
    now: datetime,
    age_seconds: float,
) -> dict[str, Any]:
    job = ref.job(rome)
    assert job is not None and city.latitude is not None and city.longitude is not None
    skills = rng.sample(list(job.skills), k=min(len(job.skills), rng.randint(2, 6)))
    created = now - timedelta(seconds=age_seconds)
    contract = rng.choices(["CDI", "CDD", "MIS"], weights=[50, 30, 20])[0]
    return {
        "id": f"B{number:06d}",
        "intitule": f"{job.label} (H/F)",
        "description": f"Poste de {job.label.lower()} à {city.name}.",
        "dateCreation": format_ft_datetime(created),
        "dateActualisation": format_ft_datetime(created),
        "lieuTravail": {
            "libelle": f"{city.departement} - {city.name}",
            # Within a few km of the centre.
            "latitude": city.latitude + rng.uniform(-0.04, 0.04),
            "longitude": city.longitude + rng.uniform(-0.05, 0.05),
            "commune": city.insee_code,
        },
        "romeCode": rome,
        "romeLibelle": job.label,
        "entreprise": {"nom": f"Entreprise {number % 997}"},
        "typeContrat": contract,
        "typeContratLibelle": contract,
        "natureContrat": "Contrat travail",
        "experienceExige": rng.choice("DSE"),
        "competences": [
            {"code": s.code, "libelle": s.label, "exigence": rng.choice("ES")} for s in skills
        ],
    }
