"""Deterministic offer dataset for the France Travail emulator (``build_offers``).

The dataset is the real sample offers bundled in ``sandbox/data/sample_offers.json`` (dates
shifted so that they look recent) plus ``count`` offers generated from the open ROME 4.0 and
commune files that ``scripts/build_referentials.py`` writes to ``ft_client/data/``. The files
are read as data (gzip + json); no project code is imported.

Generation depends only on the seed and the count: it is cached per (seed, count, data dir) as JSON
text with the age of every offer, and each build re-dates the offers relative to ``now`` and returns
fresh dicts that callers may mutate.
"""

from __future__ import annotations

import functools
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox.france_travail.formats import format_ft_datetime, parse_ft_datetime
from sandbox.france_travail.offer_generator import make_generator
from sandbox.france_travail.referentials import (
    DEFAULT_REFERENTIAL_DIR,
    Referentials,
    gc_paused,
    load_referentials,
    read_sandbox_json,
)

_SAMPLE_AGE_DAYS = 30


def _ages(rng: random.Random, count: int) -> list[float]:
    """Ages in seconds over the last 30 days; at least ~4 % in the last 24 h, several per day."""
    day = 86400.0
    ages = []
    for i in range(count):
        if i % 25 == 0:
            ages.append(rng.uniform(60.0, day - 60.0))
        else:
            ages.append(rng.uniform(60.0, 30 * day))
    return ages


def generate_offer(
    rng: random.Random,
    *,
    created: datetime,
    rome_code: str | None = None,
    commune: str | None = None,
    used_ids: set[str] | None = None,
    data_dir: Path | None = None,
) -> dict[str, Any]:
    """One generated offer dated ``created``, for a given ROME code and/or commune (INSEE).

    Raises ValueError for an unknown ROME code or commune. ``used_ids`` (updated) avoids id clashes.
    """
    refs = load_referentials(Path(data_dir or DEFAULT_REFERENTIAL_DIR))
    job = place = None
    if rome_code is not None:
        job = refs.jobs.get(rome_code)
        if job is None or not job["titles"]:
            raise ValueError(f"unknown ROME code {rome_code!r}")
    if commune is not None:
        place = refs.communes.get(commune)
        if place is None or refs.commune_centre(commune) is None:
            raise ValueError(f"unknown commune (or commune without coordinates) {commune!r}")
    ids = used_ids if used_ids is not None else set()
    offer = make_generator(refs, rng, ids).build(0.0, job=job, place=place)
    offer["dateCreation"] = offer["dateActualisation"] = format_ft_datetime(created)
    return offer


@functools.cache
def _generated(
    seed: int, count: int, data_dir: Path
) -> tuple[str, tuple[tuple[float, float], ...]]:
    refs = load_referentials(data_dir)
    with gc_paused():
        return _generate(seed, count, refs)


def _generate(
    seed: int, count: int, refs: Referentials
) -> tuple[str, tuple[tuple[float, float], ...]]:
    rng = random.Random(seed)
    sample_ids = {e["offer"]["id"] for e in read_sandbox_json("sample_offers.json")["offers"]}
    gen = make_generator(refs, rng, set(sample_ids))
    ages = _ages(rng, count)
    offers, dates = [], []
    for age in ages:
        offers.append(gen.build(age))
        # most offers are never updated; some were refreshed since
        updated = age - rng.uniform(0, min(age - 1, 3 * 86400)) if rng.random() < 0.3 else age
        dates.append((age, updated))
    return json.dumps(offers, ensure_ascii=False), tuple(dates)


def _samples(now: datetime) -> list[dict[str, Any]]:
    """Real sample offers with their dates moved into the last 30 days (deterministic per id)."""
    out = []
    for entry in read_sandbox_json("sample_offers.json")["offers"]:
        offer = entry["offer"]
        created = parse_ft_datetime(offer.get("dateCreation") or "")
        updated = parse_ft_datetime(offer.get("dateActualisation") or "") or created
        if created is not None:
            days = 1 + sum(offer["id"].encode()) % (_SAMPLE_AGE_DAYS - 1)
            base = now - timedelta(days=days)
            new_created = base.replace(
                hour=created.hour, minute=created.minute, second=created.second, microsecond=0
            )
            delta = (updated - created) if updated else timedelta(0)
            offer["dateCreation"] = format_ft_datetime(new_created)
            offer["dateActualisation"] = format_ft_datetime(new_created + delta)
        out.append(offer)
    return out


def build_offers(
    seed: int = 42,
    count: int = 3000,
    now: datetime | None = None,
    *,
    include_samples: bool = True,
    data_dir: Path | None = None,
) -> list[dict[str, Any]]:
    """The dataset as fresh dicts: the samples, then the generated offers (stable order)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    text, dates = _generated(seed, count, Path(data_dir or DEFAULT_REFERENTIAL_DIR))
    offers: list[dict[str, Any]] = _samples(moment) if include_samples else []
    for offer, (created_age, updated_age) in zip(json.loads(text), dates, strict=True):
        offer["dateCreation"] = format_ft_datetime(moment - timedelta(seconds=created_age))
        offer["dateActualisation"] = format_ft_datetime(moment - timedelta(seconds=updated_age))
        offers.append(offer)
    return offers
