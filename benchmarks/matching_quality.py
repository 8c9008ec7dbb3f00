"""Matching quality: can ``suggest_jobs`` recover a métier from a user's skills?

Two sets:
- synthetic: for a seeded sample of métiers, 3 to 8 of the métier's own skills rephrased with
  typos, lost accents, shuffled words and truncation, plus one unrelated skill;
- realistic: hand-written profiles in users' own words (tests/fixtures/matching_profiles.json),
  each with the métiers a counsellor would accept. The "original" profiles were used while the
  weights and the user vocabulary were chosen; the "vocabulary held-out" ones (``"set":
  "vocabulary-held-out"``) were written before the user vocabulary existed and never used to
  build or tune it, so their figures are the fair estimate.

Prints recall@1 and recall@5 of ``suggest_jobs`` and the mean ``match_job`` score on the source
métier against a random other métier. Run: ``.venv/bin/python benchmarks/matching_quality.py``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ft_client.matching import match_job, suggest_jobs, use_vocabulary
from ft_client.referential import Job, Referential
from ft_client.vocabulary import UserVocabulary, default_vocabulary, key_tokens

VOCABULARY_HELD_OUT = "vocabulary-held-out"
PROFILES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "matching_profiles.json"


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


def evaluate(
    ref: Referential, cases: list[tuple[list[str], set[str], Job | None, Job | None]]
) -> dict[str, float]:
    hits1 = hits5 = 0
    source_scores: list[float] = []
    other_scores: list[float] = []
    latencies: list[float] = []
    for phrases, acceptable, source, other in cases:
        start = time.perf_counter()
        suggestions = suggest_jobs(phrases, ref, limit=5)
        latencies.append(time.perf_counter() - start)
        codes = [s.rome_code for s in suggestions]
        hits1 += bool(codes[:1] and codes[0] in acceptable)
        hits5 += bool(set(codes) & acceptable)
        if source is not None:
            source_scores.append(match_job(phrases, source, referential=ref).score)
        if other is not None:
            other_scores.append(match_job(phrases, other, referential=ref).score)
    n = len(cases)
    return {
        "n": n,
        "recall@1": hits1 / n,
        "recall@5": hits5 / n,
        "mean_score_source": statistics.fmean(source_scores) if source_scores else float("nan"),
        "mean_score_other": statistics.fmean(other_scores) if other_scores else float("nan"),
        "suggest_median_ms": statistics.median(latencies) * 1000,
    }


def print_figures(title: str, figures: dict[str, float]) -> None:
    print(f"{title} (n={figures['n']:.0f})")
    print(f"  recall@1                 {figures['recall@1']:.3f}")
    print(f"  recall@5                 {figures['recall@5']:.3f}")
    print(f"  mean match_job, source   {figures['mean_score_source']:.3f}")
    print(f"  mean match_job, other    {figures['mean_score_other']:.3f}")
    print(f"  suggest_jobs median      {figures['suggest_median_ms']:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="matching quality figures")
    parser.add_argument("--synthetic", type=int, default=300, help="number of synthetic users")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--verbose", action="store_true", help="print each miss of the original realistic set"
    )
    parser.add_argument(
        "--show-held-out-misses",
        action="store_true",
        help="with --verbose, also the held-out misses (then they are no longer held out)",
    )
    parser.add_argument(
        "--no-vocabulary-baseline",
        action="store_true",
        help="also print the realistic figures with the user vocabulary switched off",
    )
    args = parser.parse_args(argv)

    ref = Referential.load()
    synthetic = [
        (phrases, {job.code}, job, other)
        for phrases, job, other in synthetic_profiles(ref, args.synthetic, args.seed)
    ]
    print_figures("synthetic users", evaluate(ref, synthetic))

    data = json.loads(PROFILES.read_text(encoding="utf-8"))
    rng = random.Random(args.seed)
    job_list = list(ref.jobs())
    original = []
    original_held_out = []
    vocabulary_held_out = []
    for profile in data["profiles"]:
        acceptable = set(profile["acceptable"])
        source = ref.job(profile["acceptable"][0])
        other = rng.choice([j for j in job_list if j.code not in acceptable])
        case = (profile["skills"], acceptable, source, other)
        if profile.get("set") == VOCABULARY_HELD_OUT:
            vocabulary_held_out.append(case)
            continue
        original.append(case)
        if profile.get("held_out"):
            original_held_out.append(case)
    print_figures("realistic profiles, original set", evaluate(ref, original))
    if original_held_out:
        print_figures(
            "  ... of which held out when the weights were chosen", evaluate(ref, original_held_out)
        )
    if vocabulary_held_out:
        print_figures(
            "realistic profiles, vocabulary held-out set (written before the user vocabulary, "
            "never used to build or tune it)",
            evaluate(ref, vocabulary_held_out),
        )
    # Leak check: the vocabulary was written after the held-out profiles, by the same person.
    # Its keys that occur in held-out phrases but in no original phrase may owe something to
    # them: the held-out figures without those keys are the pessimistic estimate.
    vocabulary = default_vocabulary()
    original_phrases = [key_tokens(p) for case in original for p in case[0]]
    held_out_phrases = [key_tokens(p) for case in vocabulary_held_out for p in case[0]]

    def keys_in(phrases: list[tuple[str, ...]]) -> set[tuple[str, ...]]:
        return {key for words in phrases for _s, _e, key in vocabulary.find_keys(words)}

    suspect = keys_in(held_out_phrases) - keys_in(original_phrases)
    suspect_keys = [e.key for e in vocabulary.entries if key_tokens(e.key) in suspect]
    if vocabulary_held_out:
        use_vocabulary(vocabulary.without(suspect_keys), ref)
        print_figures(
            f"realistic profiles, vocabulary held-out set, without the {len(suspect_keys)} "
            "vocabulary keys found only in held-out phrases",
            evaluate(ref, vocabulary_held_out),
        )
    if args.no_vocabulary_baseline:
        use_vocabulary(UserVocabulary(()), ref)
        print_figures(
            "realistic profiles, original set, NO user vocabulary", evaluate(ref, original)
        )
        print_figures(
            "realistic profiles, vocabulary held-out set, NO user vocabulary",
            evaluate(ref, vocabulary_held_out),
        )
    use_vocabulary(None, ref)
    if args.verbose:
        for profile in data["profiles"]:
            if profile.get("set") == VOCABULARY_HELD_OUT and not args.show_held_out_misses:
                continue  # looking at them would be tuning on them
            got = suggest_jobs(profile["skills"], ref, limit=5)
            codes = [s.rome_code for s in got]
            if not set(codes) & set(profile["acceptable"]):
                tag = "held-out " if profile.get("set") == VOCABULARY_HELD_OUT else ""
                print(
                    f"  miss {tag}{profile['name']}: "
                    f"{[(s.rome_code, s.job_label[:25], s.score) for s in got]}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
