"""The ranking's fast path gives exactly the straightforward path's results.

Reference: each profile ranked with a fresh `PhraseMatcher` (no cache warmed by another user) and
every job coverage taken from the all-jobs `JobScorer`, as `rank_offers` did before issue 13.
Fast path: one shared matcher warmed by all the profiles before, and `scores.job_coverage`.
Profiles are the hand-written ones of `matching_profiles.json` (people's own words, typos,
licences, languages) plus ROME-worded ones; offers are built from the referential for their
métiers and neighbours, with coded competences, free-text ones, qualities and bare titles.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ft_client.matching import MatchProfile, RankedOffer, clean_phrases, rank_offers
from ft_client.matching import offers as offers_module
from ft_client.matching.scores import JobScorer, job_coverage
from ft_client.matching.skills import GenerationCache, PhraseMatcher, matcher_for
from ft_client.models import Competence, Offer, ProfessionalQuality, WorkPlace
from ft_client.referential import Referential

FIXTURE = Path(__file__).parent / "fixtures" / "matching_profiles.json"
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
FREE_TEXT_LABELS = (
    "Accueillir la clientèle",
    "Travail en équipe",
    "Respect des règles d'hygiène",
    "Permis B",
    "Anglais courant",
    "Gestion des stocks",
    "Utilisation d'un logiciel de caisse",
)
QUALITIES = ("Sens de l'organisation", "Autonomie", "Rigueur", "Capacité d'adaptation")


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


def _offers_for(ref: Referential, codes: list[str], rng: random.Random) -> list[Offer]:
    paris = ref.place("75056")
    assert paris is not None and paris.latitude is not None and paris.longitude is not None
    offers: list[Offer] = []
    for code in codes:
        job = ref.job(code)
        if job is None:
            continue
        for _ in range(3):
            skills = rng.sample(list(job.skills), k=min(len(job.skills), rng.randint(0, 6)))
            competences = [
                Competence(s.code, s.label, rng.choice(("E", "S", None))) for s in skills
            ]
            if rng.random() < 0.5:  # a competence in the employer's words, without a code
                competences.append(Competence(None, rng.choice(FREE_TEXT_LABELS), "S"))
            qualities = [ProfessionalQuality(q) for q in rng.sample(QUALITIES, rng.randint(0, 2))]
            offers.append(
                Offer(
                    id=f"T{len(offers):05d}",
                    title=f"{job.label} (H/F)",
                    rome_code=code if rng.random() < 0.95 else None,
                    rome_label=job.label,
                    created_at=NOW - timedelta(hours=rng.uniform(1, 200)),
                    place=WorkPlace(
                        label="75 - Paris",
                        latitude=paris.latitude + rng.uniform(-0.3, 0.3),
                        longitude=paris.longitude + rng.uniform(-0.3, 0.3),
                        commune="75056",
                    ),
                    competences=tuple(competences),
                    qualities=tuple(qualities),
                )
            )
    return offers


def _cases(ref: Referential) -> Iterator[tuple[MatchProfile, list[Offer]]]:
    rng = random.Random(13)
    profiles: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))["profiles"]
    for item in profiles[:40]:
        codes = list(item["acceptable"])[:3]
        for code in list(codes):
            job = ref.job(code)
            if job is not None:
                codes.extend(job.mobility[:2])
        skills = list(item["skills"]) + rng.sample(["permis B", "anglais", "ponctuel"], 1)
        yield (
            MatchProfile(
                skills=skills,
                target_rome_codes=item["acceptable"][:2],
                latitude=48.85,
                longitude=2.35,
                commune="75056",
                radius_km=rng.choice((10, 30)),
            ),
            _offers_for(ref, codes, rng),
        )
    # ROME-worded profiles (as picked from suggestions), ranked on their métiers' offers.
    codes = sorted(ref.job_codes())
    for code in rng.sample(codes, 20):
        job = ref.job(code)
        assert job is not None
        labels = [s.label for s in job.skills]
        yield (
            MatchProfile(skills=rng.sample(labels, min(len(labels), 5)), target_rome_codes=[code]),
            _offers_for(ref, [code, *job.mobility[:2]], rng),
        )


def _reference(
    profile: MatchProfile, offers: list[Offer], ref: Referential, monkeypatch: pytest.MonkeyPatch
) -> list[RankedOffer]:
    """The straightforward path: cold caches and the all-jobs scorer."""
    matcher = PhraseMatcher(ref)
    scorer = JobScorer(matcher, clean_phrases(profile.skills))
    with monkeypatch.context() as patch:
        patch.setattr(offers_module, "matcher_for", lambda _ref=None: matcher)
        patch.setattr(offers_module, "job_coverage", lambda _m, _b, code: scorer.coverage(code))
        return rank_offers(profile, offers, referential=ref, now=NOW)


def _assert_same(fast: list[RankedOffer], slow: list[RankedOffer]) -> None:
    assert [r.offer.id for r in fast] == [r.offer.id for r in slow]
    for a, b in zip(fast, slow, strict=True):
        for name in ("score", "skill_score", "job_score", "place_score", "freshness_score"):
            x, y = getattr(a, name), getattr(b, name)
            assert (x is None) == (y is None), name
            assert x is None or abs(x - y) <= 1e-9, (a.offer.id, name, x, y)
        assert a.matched == b.matched
        assert a.missing == b.missing
        assert a.reasons == b.reasons
        assert a.distance_km == b.distance_km


def test_fast_ranking_equals_the_straightforward_one(
    ref: Referential, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = list(_cases(ref))
    fast = [rank_offers(p, o, referential=ref, now=NOW) for p, o in cases]  # shared caches
    compared = matched = 0
    for (profile, offers), ranked in zip(cases, fast, strict=True):
        _assert_same(ranked, _reference(profile, offers, ref, monkeypatch))
        compared += len(ranked)
        matched += sum(1 for r in ranked if r.matched)
    # The sample exercises what it claims to: many offers, a good share with a skill matched.
    assert compared > 1000 and matched > compared // 6


def test_job_coverage_equals_the_scorer_for_every_touched_job(ref: Referential) -> None:
    matcher = matcher_for(ref)
    profiles = json.loads(FIXTURE.read_text(encoding="utf-8"))["profiles"]
    checked = 0
    for item in profiles:
        phrases = clean_phrases(item["skills"])
        if not phrases:
            continue
        scorer = JobScorer(matcher, phrases)
        for code in sorted(scorer.candidates | set(item["acceptable"])):
            assert job_coverage(matcher, scorer.by_code, code) == scorer.coverage(code), code
            checked += 1
    assert checked > 1000


def test_generation_cache_stays_bounded_and_keeps_what_is_used() -> None:
    cache = GenerationCache(limit=10)
    cache.put(("hot", ""), 0.7)
    for i in range(100):
        cache.put((str(i), ""), float(i))
        assert cache.get(("hot", "")) == 0.7  # used all along: never dropped
        assert len(cache) <= 10
    assert cache.get(("0", "")) is None  # not used since: dropped with its generation
    assert cache.get(("99", "")) == 99.0
