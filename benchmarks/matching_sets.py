"""Evaluation helpers shared by ``benchmarks/matching_quality.py``: recall of ``suggest_jobs`` over
profile cases and of ``find_jobs`` over job queries (overall and per family), false accepts of
``find_jobs`` over negative queries (text that names no job), and the two fixed halves of a dev
set used for cross-validation (even / odd ids)."""

from __future__ import annotations

import random
import statistics

from ft_client.matching import FIND_JOBS_THRESHOLD, find_jobs, match_job, suggest_jobs
from ft_client.referential import Job, Referential

Case = tuple[list[str], set[str], Job | None, Job | None, str]


def evaluate(ref: Referential, cases: list[Case]) -> dict[str, object]:
    """recall@1/@5 of suggest_jobs over profile cases, overall and per family."""
    hits1 = hits5 = 0
    source_scores: list[float] = []
    other_scores: list[float] = []
    families: dict[str, list[int]] = {}
    for phrases, acceptable, source, other, family in cases:
        suggestions = suggest_jobs(phrases, ref, limit=5)
        codes = [s.rome_code for s in suggestions]
        hit1 = bool(codes[:1] and codes[0] in acceptable)
        hit5 = bool(set(codes) & acceptable)
        hits1 += hit1
        hits5 += hit5
        tally = families.setdefault(family, [0, 0, 0])
        tally[0] += 1
        tally[1] += hit1
        tally[2] += hit5
        if source is not None:
            source_scores.append(coverage_of(match_job(phrases, source, referential=ref)))
        if other is not None:
            other_scores.append(coverage_of(match_job(phrases, other, referential=ref)))
    n = len(cases)
    return {
        "n": n,
        "recall@1": hits1 / n,
        "recall@5": hits5 / n,
        "mean_score_source": statistics.fmean(source_scores) if source_scores else float("nan"),
        "mean_score_other": statistics.fmean(other_scores) if other_scores else float("nan"),
        "families": families,
    }


def coverage_of(report: object) -> float:
    return float(getattr(report, "coverage", getattr(report, "score", 0.0)))


def evaluate_queries(
    ref: Referential, queries: list[dict[str, object]], verbose: bool = False
) -> dict[str, object]:
    """recall@1/@5 of find_jobs over job queries, overall and per family."""
    hits1 = hits5 = 0
    families: dict[str, list[int]] = {}
    for item in queries:
        acceptable = set(item["acceptable"])  # type: ignore[arg-type]
        hits = find_jobs(str(item["query"]), ref, limit=5)
        codes = [h.rome_code for h in hits]
        hit1 = bool(codes[:1] and codes[0] in acceptable)
        hit5 = bool(set(codes) & acceptable)
        hits1 += hit1
        hits5 += hit5
        tally = families.setdefault(str(item.get("family", "?")), [0, 0, 0])
        tally[0] += 1
        tally[1] += hit1
        tally[2] += hit5
        if verbose and not hit1:
            shown = [(h.rome_code, h.job_label[:30], h.score) for h in hits[:3]]
            print(f"  miss query {item['query']!r}: {shown}")
    n = len(queries)
    return {
        "n": n,
        "recall@1": hits1 / n if n else float("nan"),
        "recall@5": hits5 / n if n else float("nan"),
        "families": families,
    }


def print_figures(title: str, figures: dict[str, object], per_family: bool = False) -> None:
    print(f"{title} (n={figures['n']})")
    print(f"  recall@1                 {figures['recall@1']:.3f}")
    print(f"  recall@5                 {figures['recall@5']:.3f}")
    if "mean_score_source" in figures:
        print(f"  mean coverage, source    {figures['mean_score_source']:.3f}")
        print(f"  mean coverage, other     {figures['mean_score_other']:.3f}")
    if per_family:
        families: dict[str, list[int]] = figures["families"]  # type: ignore[assignment]
        for family, (n, h1, h5) in sorted(families.items()):
            print(f"    {family:<30} n={n:<3} @1 {h1 / n:.2f}  @5 {h5 / n:.2f}")


def profile_cases(
    profiles: list[dict[str, object]], ref: Referential, rng: random.Random
) -> list[Case]:
    job_list = list(ref.jobs())
    cases: list[Case] = []
    for profile in profiles:
        acceptable = set(profile["acceptable"])  # type: ignore[arg-type]
        source = ref.job(profile["acceptable"][0])  # type: ignore[index]
        other = rng.choice([j for j in job_list if j.code not in acceptable])
        family = str(profile.get("family", "?"))
        cases.append((list(profile["skills"]), acceptable, source, other, family))  # type: ignore[arg-type]
    return cases


def dev_half(profile: dict[str, object]) -> int:
    """0 or 1: the dev half a profile belongs to ("dev-p07" → 1), for cross-validation."""
    digits = "".join(ch for ch in str(profile.get("id", "")) if ch.isdigit())
    return int(digits or 0) % 2


def evaluate_negatives(
    ref: Referential, negatives: list[dict[str, object]], threshold: float | None = None
) -> dict[str, object]:
    """False accepts of find_jobs: negative queries (towns, greetings, generic or off-topic
    text, emoji) whose best hit reaches the recognition threshold (``FIND_JOBS_THRESHOLD``
    unless given), overall and per kind."""
    bar = FIND_JOBS_THRESHOLD if threshold is None else threshold
    accepted: list[str] = []
    kinds: dict[str, list[int]] = {}
    for item in negatives:
        hits = find_jobs(str(item["query"]), ref, limit=5)
        wrong = bool(hits) and hits[0].score >= bar
        tally = kinds.setdefault(str(item.get("kind", "?")), [0, 0])
        tally[0] += 1
        tally[1] += wrong
        if wrong:
            accepted.append(f"{item['query']!r} → {hits[0].rome_code} {hits[0].score:.2f}")
    n = len(negatives)
    return {
        "n": n,
        "false_accepts": len(accepted),
        "rate": len(accepted) / n if n else float("nan"),
        "kinds": kinds,
        "accepted": accepted,
    }


def print_negatives(title: str, figures: dict[str, object], verbose: bool = False) -> None:
    print(f"{title} (n={figures['n']})")
    print(f"  false accepts            {figures['false_accepts']} ({figures['rate']:.3f})")
    kinds: dict[str, list[int]] = figures["kinds"]  # type: ignore[assignment]
    for kind, (n, wrong) in sorted(kinds.items()):
        print(f"    {kind:<30} n={n:<3} accepted {wrong}")
    if verbose:
        for line in figures["accepted"]:  # type: ignore[attr-defined]
            print(f"  accepted {line}")


def print_dev_set(
    ref: Referential,
    data: dict[str, object],
    title: str,
    rng: random.Random,
    verbose: bool = False,
) -> list[Case]:
    """A dev-format set: profiles (overall, per family, each half), job queries, negatives."""
    profiles: list[dict[str, object]] = data.get("profiles", [])  # type: ignore[assignment]
    cases = profile_cases(profiles, ref, rng)
    print_figures(f"{title} profiles, suggest_jobs", evaluate(ref, cases), per_family=True)
    for name, parity in (("A, even ids", 0), ("B, odd ids", 1)):
        half = [c for p, c in zip(profiles, cases, strict=True) if dev_half(p) == parity]
        print_figures(f"{title} half {name}", evaluate(ref, half))
    queries: list[dict[str, object]] = data.get("job_queries", [])  # type: ignore[assignment]
    if queries:
        print_figures(
            f"{title} job queries, find_jobs",
            evaluate_queries(ref, queries, verbose),
            per_family=True,
        )
        recognised = sum(
            bool(hits) and hits[0].score >= FIND_JOBS_THRESHOLD
            for hits in (find_jobs(str(q["query"]), ref, limit=1) for q in queries)
        )
        print(f"  recognised (best hit ≥ {FIND_JOBS_THRESHOLD})   {recognised / len(queries):.3f}")
    negatives: list[dict[str, object]] = data.get("negative_queries", [])  # type: ignore[assignment]
    if negatives:
        print_negatives(
            f"{title} negative queries, find_jobs", evaluate_negatives(ref, negatives), verbose
        )
    return cases
