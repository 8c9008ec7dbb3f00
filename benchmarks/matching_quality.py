"""Matching quality: can ``suggest_jobs`` recover a métier from a user's skills?

Two sets:
- synthetic: for a seeded sample of métiers, 3 to 8 of the métier's own skills rephrased with
  typos, lost accents, shuffled words and truncation, plus one unrelated skill;
- realistic: hand-written profiles in users' own words (tests/fixtures/matching_profiles.json),
  each with the métiers a counsellor would accept. The "original" profiles were used while the
  weights and the user vocabulary were chosen; the "vocabulary held-out" ones (``"set":
  "vocabulary-held-out"``) were written before the user vocabulary existed and never used to
  build or tune it, so their figures are the fair estimate.

- dev: ``benchmarks/data_dev/dev_profiles.json``, profiles and job queries written by the
  matching engineer before tuning, then tuned on (not held out); its two halves (even / odd
  ids) are printed too: weights are chosen on one half and read on the other;
- dev 2: ``benchmarks/data_dev/dev_profiles_2.json`` (214 profiles, 22 families, 230 job
  queries, 46 negative queries that name no job), written before any matcher ran on it, also
  tuned on by halves; the negatives give ``find_jobs``' false accepts at its threshold;
- looked-at: ``benchmarks/data/heldout_2026_12.json``, the retired held-out set (looked at three
  times, sessions 2–4), printed by default with the dev figures and labelled as such;
- held-out: only the files given with ``--held-out PATH`` (repeatable; none by default, so that a
  held-out set is never looked at by accident), printed apart; never used to tune anything.

Prints recall@1 and recall@5 of ``suggest_jobs`` (profiles) and ``find_jobs`` (job queries) per
set and per job family, the mean ``match_job`` coverage on the source métier against a random
other métier, the coverage monotonicity check, the latency of ``suggest_jobs`` and ``find_jobs``
(p50/p95 wall and CPU time, first calls on new phrases apart from repeated calls), resident
memory after warm-up and start-up time. Run: ``.venv/bin/python benchmarks/matching_quality.py``
(``--latency-only`` for the resources alone, ``--held-out benchmarks/data/heldout_2026_12b.json``
to look at the current held-out set: count and report each look; ``--no-retired`` skips the
retired set too, so that nothing under ``benchmarks/data/`` is read).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.matching_sets import (
    Case,
    coverage_of,
    dev_half,
    evaluate,
    evaluate_queries,
    print_dev_set,
    print_figures,
    profile_cases,
)
from ft_client.matching import find_jobs, match_job, suggest_jobs, use_vocabulary
from ft_client.matching.semantic import ENV_SWITCH, MODEL_NAME, semantic_for
from ft_client.referential import Job, Referential
from ft_client.vocabulary import UserVocabulary, default_vocabulary, key_tokens

VOCABULARY_HELD_OUT = "vocabulary-held-out"
ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "tests" / "fixtures" / "matching_profiles.json"
DEV_SET = ROOT / "benchmarks" / "data_dev" / "dev_profiles.json"
DEV_SET_2 = ROOT / "benchmarks" / "data_dev" / "dev_profiles_2.json"
# Former held-out sets, read after matcher changes: printed with the dev figures by default,
# under their label, never as held-out figures.
LOOKED_AT_SETS: tuple[tuple[Path, str], ...] = (
    (ROOT / "benchmarks" / "data" / "heldout_2026_12.json", "retired held-out (looked at 3 times)"),
)
__all__ = ["Case", "coverage_of", "dev_half", "evaluate", "evaluate_queries", "profile_cases"]


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "replace"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeioursnt") + word[i + 1 :]


def rephrase(label: str, rng: random.Random) -> str:
    """A noisy version of a skill label, the way a hurried user might type it."""
    words = label.split()
    if rng.random() < 0.5:
        words = [w.lower() for w in words]
    if rng.random() < 0.5:
        words = [strip_accents(w) for w in words]
    if len(words) > 3 and rng.random() < 0.4:  # truncation
        words = words[: rng.randint(3, len(words) - 1)]
    if len(words) > 2 and rng.random() < 0.3:  # word order
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    words = [typo(w, rng) if rng.random() < 0.25 else w for w in words]
    return " ".join(words)


def synthetic_profiles(ref: Referential, count: int, seed: int) -> list[tuple[list[str], Job, Job]]:
    rng = random.Random(seed)
    jobs = [j for j in ref.jobs() if sum(1 for s in j.skills if s.kind != "contexte") >= 8]
    all_skills = [s for j in jobs for s in j.skills if s.kind != "contexte"]
    sample = rng.sample(jobs, min(count, len(jobs)))
    profiles = []
    for job in sample:
        own = [s for s in job.skills if s.kind != "contexte"]
        chosen = rng.sample(own, rng.randint(3, 8))
        phrases = [rephrase(s.label, rng) for s in chosen]
        own_codes = {s.code for s in own}
        unrelated = rng.choice([s for s in all_skills if s.code not in own_codes])
        phrases.insert(rng.randrange(len(phrases) + 1), rephrase(unrelated.label, rng))
        other = rng.choice([j for j in jobs if j.code != job.code])
        profiles.append((phrases, job, other))
    return profiles


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def monotonicity_check(ref: Referential, seed: int, trials: int = 300) -> tuple[int, int]:
    """(violations, trials): adding a phrase to a profile never lowers a job's coverage."""
    rng = random.Random(seed)
    jobs = [j for j in ref.jobs() if j.skills]
    labels = [s.label for j in jobs for s in j.skills if s.kind != "contexte"]
    extra = ["permis B", "travail en équipe", "anglais", "ponctuel", "caces", "haccp", "sql"]
    violations = 0
    for _ in range(trials):
        job = rng.choice(jobs)
        own = [s.label for s in job.skills if s.kind != "contexte"]
        phrases = rng.sample(own, min(len(own), rng.randint(0, 4)))
        phrases += rng.sample(labels, rng.randint(0, 2))
        added = rng.choice([*extra, rng.choice(labels), rng.choice(own or labels)])
        before = coverage_of(match_job(phrases, job, referential=ref))
        after = coverage_of(match_job([*phrases, added], job, referential=ref))
        violations += after < before - 1e-9
    return violations, trials


def resident_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_up_seconds() -> float:
    """Load + warm-up time in a fresh process (what the bot pays at start-up)."""
    code = (
        "import time; t=time.perf_counter();"
        "from ft_client.matching import warm_up; warm_up();"
        "print(time.perf_counter()-t)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def timed_calls(calls: Sequence[Callable[[], object]]) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each call. CPU is the whole process's (``process_time``): the
    semantic worker thread and the model's threads count, other processes do not, so on a
    shared machine CPU time is the steadier figure and wall time what a person waits."""
    walls: list[float] = []
    cpus: list[float] = []
    for call in calls:
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def print_latency(label: str, timings: tuple[list[float], list[float]]) -> None:
    walls, cpus = timings
    print(
        f"  {label:<40} wall p50 / p95 {percentile(walls, 0.5) * 1000:6.1f} / "
        f"{percentile(walls, 0.95) * 1000:6.1f} ms   CPU {percentile(cpus, 0.5) * 1000:6.1f} / "
        f"{percentile(cpus, 0.95) * 1000:6.1f} ms"
    )


def latency_figures(ref: Referential, profiles: list[list[str]], queries: list[str]) -> None:
    """p50/p95 of ``suggest_jobs`` and ``find_jobs``, first on phrases no call has seen (cold:
    the model embeds them, the lexical caches are empty), then the same calls again (warm: a
    person's second /metiers), then new profiles made of seen phrases (each profile's phrases
    but its first, plus the next profile's first: what people who pick common skills cost;
    only the caches are per phrase, nothing is kept per profile)."""
    print(
        f"latency over {len(profiles)} profiles and {len(queries)} job queries "
        f"(load average {load_average()}; machine shared, so compare same-moment runs only)"
    )
    mixed = [[*p[1:], n[0]] for p, n in zip(profiles, [*profiles[1:], profiles[0]], strict=True)]
    for state, batch in (("cold", profiles), ("warm", profiles), ("seen phrases, new mix", mixed)):
        suggest = [lambda p=p: suggest_jobs(p, ref, limit=5) for p in batch]
        print_latency(f"suggest_jobs, {state}", timed_calls(suggest))
    for state in ("cold", "warm"):
        find = [lambda q=q: find_jobs(q, ref, limit=5) for q in queries]
        print_latency(f"find_jobs, {state}", timed_calls(find))
    print(f"  load average after: {load_average()}")


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def timed(label: str, action: Callable[[], object]) -> None:
    start = time.perf_counter()
    action()
    print(f"{label}: {time.perf_counter() - start:.1f} s")


def print_set_figures(ref: Referential, data: dict[str, object], title: str, seed: int) -> None:
    """Profiles and job queries of a dev-format set, per family, under ``title``."""
    cases = profile_cases(data.get("profiles", []), ref, random.Random(seed))  # type: ignore[arg-type]
    if cases:
        print_figures(f"{title} profiles, suggest_jobs", evaluate(ref, cases), per_family=True)
    if data.get("job_queries"):
        print_figures(
            f"{title} job queries, find_jobs",
            evaluate_queries(ref, data["job_queries"]),  # type: ignore[arg-type]
            per_family=True,
        )


def held_out_paths(paths: Sequence[Path]) -> list[Path]:
    """The held-out files to evaluate: looked-at sets are left out (printed with the dev set)."""
    looked_at = {path.resolve(): label for path, label in LOOKED_AT_SETS}
    kept: list[Path] = []
    for path in paths:
        label = looked_at.get(path.resolve())
        if label is not None:
            print(f"{path.name} is no longer held out ({label}): printed with the dev figures")
        elif path not in kept:
            kept.append(path)
    return kept


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="matching quality figures")
    parser.add_argument("--synthetic", type=int, default=300, help="number of synthetic users")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--verbose", action="store_true", help="print each miss of the original and dev sets"
    )
    parser.add_argument(
        "--held-out",
        type=Path,
        action="append",
        metavar="PATH",
        help="held-out set to evaluate (same format as the dev set), printed apart; repeatable. "
        "None by default: a held-out set is read only on purpose",
    )
    # Held-out sets are off by default now; kept so that older commands still run.
    parser.add_argument("--no-held-out", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-vocabulary-baseline",
        action="store_true",
        help="also print the realistic figures with the user vocabulary switched off",
    )
    parser.add_argument(
        "--no-retired",
        action="store_true",
        help="do not print the retired held-out set either (nothing under benchmarks/data/ read)",
    )
    parser.add_argument("--no-start-up", action="store_true", help="skip the start-up timing")
    parser.add_argument(
        "--latency-only", action="store_true", help="resources only: no recall figures"
    )
    parser.add_argument(
        "--latency-synthetic",
        type=int,
        default=100,
        help="synthetic profiles (seed + 1) timed next to the dev profiles",
    )
    parser.add_argument(
        "--no-semantic",
        action="store_true",
        help="switch the semantic (embeddings) signal off: the lexical + BM25 path alone",
    )
    args = parser.parse_args(argv)
    args.held_out = args.held_out or []
    for path in args.held_out:
        if not path.is_file():
            parser.error(f"--held-out {path}: no such file")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.no_semantic:
        os.environ[ENV_SWITCH] = "0"

    if not args.no_start_up:
        print(f"start-up (load + warm-up, fresh process): {start_up_seconds():.2f} s")
    from ft_client.matching import warm_up

    ref = Referential.load()
    warm_up(ref)
    print(f"resident memory after warm-up: {resident_mib():.0f} MiB")
    index = semantic_for(ref)
    print(f"semantic signal: {'on, ' + MODEL_NAME if index is not None else 'off'}")

    dev = json.loads(DEV_SET.read_text(encoding="utf-8"))
    latency_profiles = [list(p["skills"]) for p in dev["profiles"]] + [
        phrases
        for phrases, _job, _other in synthetic_profiles(ref, args.latency_synthetic, args.seed + 1)
    ]
    latency_figures(ref, latency_profiles, [str(q["query"]) for q in dev["job_queries"]])
    print(f"resident memory after the latency runs: {resident_mib():.0f} MiB")
    if args.latency_only:
        return 0

    synthetic = [
        (phrases, {job.code}, job, other, "synthetic")
        for phrases, job, other in synthetic_profiles(ref, args.synthetic, args.seed)
    ]
    print_figures("synthetic users", evaluate(ref, synthetic))

    data = json.loads(PROFILES.read_text(encoding="utf-8"))
    rng = random.Random(args.seed)
    original_profiles = [p for p in data["profiles"] if p.get("set") != VOCABULARY_HELD_OUT]
    vocabulary_profiles = [p for p in data["profiles"] if p.get("set") == VOCABULARY_HELD_OUT]
    original = profile_cases(original_profiles, ref, rng)
    vocabulary_held_out = profile_cases(vocabulary_profiles, ref, rng)
    print_figures("realistic profiles, original set", evaluate(ref, original))
    print_figures(
        "realistic profiles, vocabulary held-out set (written before the user vocabulary; "
        "since then the vocabulary was extended on other sets only)",
        evaluate(ref, vocabulary_held_out),
    )

    # Leak check: the vocabulary was written after the held-out profiles, by the same people.
    # Its keys that occur in held-out phrases but in no original phrase may owe something to
    # them: the held-out figures without those keys are the pessimistic estimate.
    vocabulary = default_vocabulary()

    def keys_in(cases: list[Case]) -> set[tuple[str, ...]]:
        words = [key_tokens(phrase) for case in cases for phrase in case[0]]
        return {key for w in words for _s, _e, key in vocabulary.find_keys(w)}

    suspect = keys_in(vocabulary_held_out) - keys_in(original)
    suspect_keys = [e.key for e in vocabulary.entries if key_tokens(e.key) in suspect]
    use_vocabulary(vocabulary.without(suspect_keys), ref)
    print_figures(
        f"realistic profiles, vocabulary held-out set, without the {len(suspect_keys)} "
        "vocabulary keys found only in held-out phrases",
        evaluate(ref, vocabulary_held_out),
    )
    use_vocabulary(None, ref)

    dev_cases = profile_cases(dev["profiles"], ref, rng)
    print_figures("dev set profiles (tuned on)", evaluate(ref, dev_cases), per_family=True)
    # The halves used for two-fold cross-validation of the fusion weights (by profile id).
    for name, parity in (("A, even ids", 0), ("B, odd ids", 1)):
        half = [c for p, c in zip(dev["profiles"], dev_cases, strict=True) if dev_half(p) == parity]
        print_figures(f"dev set half {name}", evaluate(ref, half))
    print_figures(
        "dev set job queries, find_jobs (tuned on)",
        evaluate_queries(ref, dev["job_queries"], args.verbose),
        per_family=True,
    )
    dev_2 = json.loads(DEV_SET_2.read_text(encoding="utf-8"))
    print_dev_set(ref, dev_2, "dev set 2", random.Random(args.seed), args.verbose)
    for path, label in [] if args.no_retired else LOOKED_AT_SETS:
        if path.is_file():
            looked = json.loads(path.read_text(encoding="utf-8"))
            print_set_figures(ref, looked, f"{path.name}, {label}:", args.seed)

    for path in held_out_paths(args.held_out):
        held = json.loads(path.read_text(encoding="utf-8"))
        print("=" * 70)
        print(f"HELD-OUT set {path.name} (never used to tune)")
        print_set_figures(ref, held, "held-out", args.seed)
        print("=" * 70)

    violations, trials = monotonicity_check(ref, args.seed)
    print(f"coverage monotonicity: {violations} violations in {trials} random additions")
    print(f"resident memory at the end (caches filled): {resident_mib():.0f} MiB")

    if args.no_vocabulary_baseline:
        use_vocabulary(UserVocabulary(()), ref)
        print_figures("original set, NO user vocabulary", evaluate(ref, original))
        print_figures(
            "vocabulary held-out set, NO user vocabulary", evaluate(ref, vocabulary_held_out)
        )
        use_vocabulary(None, ref)
    if args.verbose:
        for phrases, acceptable, _source, _other, family in original + dev_cases:
            got = suggest_jobs(phrases, ref, limit=5)
            codes = [s.rome_code for s in got]
            if not codes or codes[0] not in acceptable:
                tag = "@5" if set(codes) & acceptable else "MISS"
                shown = [(s.rome_code, s.job_label[:25]) for s in got[:3]]
                print(f"  {tag} {family}: {phrases} → {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
