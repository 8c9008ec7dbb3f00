"""Per-fiche signals of ``suggest_jobs`` for every profile of the training sets, cached.

``benchmarks/fusion_fit.py`` fits fusions of these signals; this module computes them once (a
few minutes of CPU with the semantic model) and keeps them in a pickle under /tmp keyed by the
git tree of ``ft_client`` and ``FEATURES``, so that re-running a fit costs seconds. The signals
are those ``suggest_jobs`` computes (same functions, same order), over the union of its
candidates, plus a few the shipped fusion does not use (raw cosines, title-row and skill-row
cosines, ranks) that a richer fusion may try.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import pickle
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ft_client.matching.breadth import breadth_prior
from ft_client.matching.fusion import (
    GATE_FEATURES,
    GATED_SIGNALS,
    GATES,
    LOW_TITLE_FEATURES,
    FusionInputs,
    fused_relevance,
    reciprocal_ranks,
)
from ft_client.matching.fusion import gate_values as gate_values_of
from ft_client.matching.meaning import semantic_matches
from ft_client.matching.scores import JobScorer
from ft_client.matching.semantic import SemanticIndex, semantic_for
from ft_client.matching.skills import clean_phrases, matcher_for
from ft_client.matching.suggest import (
    SEMANTIC_CANDIDATES,
    fulltext_relevance,
    lexical_relevance,
    low_title_relevance,
    phrase_best,
    rome_likeness,
    title_relevance,
    top_scaled,
    unplaced_share,
)
from ft_client.referential import Referential

ROOT = Path(__file__).resolve().parent.parent
# The people's-words sets, one per writer (all retired: usable as training data). The current
# held-out set is deliberately absent and never read here.
WRITER_SETS: tuple[tuple[str, Path], ...] = (
    ("dev1", ROOT / "benchmarks" / "data_dev" / "dev_profiles.json"),
    ("dev2", ROOT / "benchmarks" / "data_dev" / "dev_profiles_2.json"),
    ("12", ROOT / "benchmarks" / "data" / "heldout_2026_12.json"),
    ("12b", ROOT / "benchmarks" / "data" / "heldout_2026_12b.json"),
    ("12c", ROOT / "benchmarks" / "data" / "heldout_2026_12c.json"),
    ("12d", ROOT / "benchmarks" / "data" / "heldout_2026_12d.json"),
)
ORIGINAL = ROOT / "tests" / "fixtures" / "matching_profiles.json"
SYNTHETIC_COUNT, SYNTHETIC_SEED = 300, 7

# Columns of ``ProfileSignals.features``. The first six, weighted by ``HAND_WEIGHTS``, are
# today's fusion; ``sem`` is the top-100 min-max scaled cosine, ``u_*`` its product with the
# unplaced share, ``gap``s are a raw cosine minus the profile's best (≤ 0), ``rr_*`` are
# 1 / (1 + rank) of a signal (0 when the fiche is not in its list); ``title_low`` are the job
# names down to 0.5 (their fiches join the candidates), ``title_read`` those of a reading.
FEATURES: tuple[str, ...] = (
    "lex",
    "bm25",
    "sem",
    "title",
    "breadth",
    "u_sem",
    "coverage",
    "sem_gap",
    "sem_max_gap",
    "sem_title_gap",
    "sem_skill_gap",
    "rr_lex",
    "rr_bm25",
    "rr_sem",
    "u_lex",
    "u_bm25",
    "short_sem",
    "short_lex",
    "in_lex",
    "in_bm25",
    "in_sem",
    *LOW_TITLE_FEATURES,
    *GATE_FEATURES,
)
# The hand weights of the sixth pass (suggest.py before the ninth pass), the reference.
HAND_WEIGHTS: dict[str, float] = {
    "lex": 0.7,
    "bm25": 0.35,
    "sem": 0.3,
    "title": 0.3,
    "breadth": 0.2,
    "u_sem": 0.1,
}


@dataclass(slots=True)
class ProfileSignals:
    set_name: str
    profile_id: str
    family: str
    phrases: list[str]
    acceptable: frozenset[str]
    codes: list[str]  # candidates, sorted by code (suggest_jobs' last tie-break)
    features: np.ndarray  # (candidates × FEATURES), float64
    coverage: np.ndarray  # coverage shown (the « no 0 % » rule and the second sort key)
    baseline: np.ndarray  # suggest_jobs' relevance (the shipped fusion), for the check
    unplaced: float
    top_lists: dict[str, list[str]]  # each signal's own ranking (best 20), for the ceiling
    likeness: tuple[float, float] = (0.0, 0.0)  # ``suggest.rome_likeness``


def load_profiles(ref: Referential) -> list[tuple[str, str, str, list[str], frozenset[str]]]:
    """(set, id, family, phrases, acceptable codes) for every training profile."""
    from benchmarks.matching_quality import synthetic_profiles

    rows: list[tuple[str, str, str, list[str], frozenset[str]]] = []
    for name, path in WRITER_SETS:
        for i, p in enumerate(json.loads(path.read_text(encoding="utf-8"))["profiles"]):
            rows.append(
                (name, str(p.get("id", i)), str(p.get("family", "?")), list(p["skills"]),
                 frozenset(p["acceptable"]))
            )  # fmt: skip
    for i, p in enumerate(json.loads(ORIGINAL.read_text(encoding="utf-8"))["profiles"]):
        rows.append(("original", str(p.get("name", i)), str(p.get("set", "original")),
                     list(p["skills"]), frozenset(p["acceptable"])))  # fmt: skip
    for i, (phrases, job, _other) in enumerate(
        synthetic_profiles(ref, SYNTHETIC_COUNT, SYNTHETIC_SEED)
    ):
        rows.append(("synthetic", f"s{i}", "synthetic", phrases, frozenset({job.code})))
    return rows


class RowSplit:
    """Each fiche's best cosine over its title rows and over its skill rows, apart."""

    def __init__(self, index: SemanticIndex, title_rows: int) -> None:
        self.index = index
        pairs = index.pair_rows
        starts = [*index.pair_starts.tolist(), len(pairs)]
        titles: list[int] = []
        skills: list[int] = []
        self.title_starts: list[int] = []
        self.skill_starts: list[int] = []
        for a, b in itertools.pairwise(starts):
            rows = pairs[a:b]
            self.title_starts.append(len(titles))
            titles.extend(int(r) for r in rows if r < title_rows)
            self.skill_starts.append(len(skills))
            skills.extend(int(r) for r in rows if r >= title_rows)
        self.titles = np.asarray(titles, dtype=np.int64)
        self.skills = np.asarray(skills or [0], dtype=np.int64)
        self.has_skills = np.diff([*self.skill_starts, len(skills)]) > 0

    def scores(self, phrases: list[str]) -> tuple[np.ndarray, np.ndarray]:
        vectors = self.index.embedder.embed(phrases)
        sims = vectors @ self.index.matrix.T
        title = np.maximum.reduceat(sims[:, self.titles], self.title_starts, axis=1)
        skill_starts = [min(s, len(self.skills) - 1) for s in self.skill_starts]
        skill = np.maximum.reduceat(sims[:, self.skills], skill_starts, axis=1)
        skill = np.where(self.has_skills[None, :], skill, title)
        return title.mean(axis=0), skill.mean(axis=0)


def ranks(values: dict[str, float]) -> dict[str, int]:
    ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    return {code: i for i, (code, _v) in enumerate(ordered)}


def profile_signals(
    ref: Referential, index: SemanticIndex, split: RowSplit, row: tuple
) -> ProfileSignals:
    """The signals suggest_jobs computes for one profile (same calls, same order)."""
    set_name, profile_id, family, skills, acceptable = row
    matcher = matcher_for(ref)
    phrases = clean_phrases(skills)
    matcher.best_by_code(phrases)
    fulltext = fulltext_relevance(matcher, phrases)
    scorer = JobScorer(matcher, phrases)
    lexical = lexical_relevance(matcher, scorer, phrases)
    titles = title_relevance(ref, phrases)
    unplaced = unplaced_share(matcher, phrases)
    likeness, rome_share = rome_likeness(matcher, phrases)
    raw = index.scores(phrases)
    semantic = top_scaled(raw, SEMANTIC_CANDIDATES)
    meaning = semantic_matches(matcher, index, phrases)
    shown = JobScorer(matcher, phrases, meaning) if meaning and any(meaning) else scorer
    best_lexical = max(lexical.values(), default=0.0) or 1.0
    breadth = breadth_prior(ref)
    titles_low = low_title_relevance(ref, phrases)
    titles_read = low_title_relevance(ref, phrases, readings_only=True)
    rr_low = reciprocal_ranks(titles_low)
    codes = sorted(set(lexical) | set(fulltext) | set(semantic) | set(titles) | set(titles_low))
    fiche = {code: i for i, code in enumerate(index.codes)}
    rows = index.fiche_rows(phrases)
    phrase_max = rows.max(axis=0)
    title_cos, skill_cos = split.scores(phrases)
    best_raw, best_max = max(raw.values()), float(phrase_max.max())
    best_title, best_skill = float(title_cos.max()), float(skill_cos.max())
    lex_rank, bm_rank, sem_rank = ranks(lexical), ranks(fulltext), ranks(semantic)
    short = 1.0 / len(phrases)
    feats = np.zeros((len(codes), len(FEATURES)))
    coverage = np.zeros(len(codes))
    for i, code in enumerate(codes):
        coverage[i] = shown.coverage(code)
        lex = lexical.get(code, 0.0) / best_lexical
        bm, sem = fulltext.get(code, 0.0), semantic.get(code, 0.0)
        j = fiche[code]
        feats[i] = (
            lex, bm, sem, titles.get(code, 0.0), breadth.get(code, 0.0), unplaced * sem,
            coverage[i], raw[code] - best_raw, phrase_max[j] - best_max,
            title_cos[j] - best_title, skill_cos[j] - best_skill,
            1 / (1 + lex_rank[code]) if code in lex_rank else 0.0,
            1 / (1 + bm_rank[code]) if code in bm_rank else 0.0,
            1 / (1 + sem_rank[code]) if code in sem_rank else 0.0,
            unplaced * lex, unplaced * bm, short * sem, short * lex,
            float(code in lexical), float(code in fulltext), float(code in semantic),
            titles_low.get(code, 0.0), short * titles_low.get(code, 0.0), rr_low.get(code, 0.0),
            titles_read.get(code, 0.0), unplaced * titles_low.get(code, 0.0),
            short * short * titles_low.get(code, 0.0),
            *gate_values(lex, bm, sem, titles.get(code, 0.0), breadth.get(code, 0.0),
                         phrase_max[j] - best_max, likeness, rome_share),
        )  # fmt: skip
    # What suggest_jobs ranks by (the shipped fusion, same code), for the baseline check.
    inputs = FusionInputs(
        lexical, fulltext, semantic, raw, phrase_best(index, phrases), titles, breadth,
        dict(zip(codes, coverage.tolist(), strict=True)), unplaced, len(phrases),
    )  # fmt: skip
    shipped = fused_relevance(inputs, codes)
    baseline = np.array([shipped[code] for code in codes])
    tops = {
        name: [c for c, _r in sorted(r.items(), key=lambda item: item[1])[:20]]
        for name, r in (("lex", lex_rank), ("bm25", bm_rank), ("sem", sem_rank))
    }
    tops["title"] = sorted(titles, key=lambda c: (-titles[c], c))[:20]
    return ProfileSignals(
        set_name, profile_id, family, phrases, acceptable, codes, feats, coverage, baseline,
        unplaced, tops, (likeness, rome_share),
    )  # fmt: skip


def gate_values(*row: float) -> list[float]:
    """``GATE_FEATURES`` of one fiche: its ``GATED_SIGNALS`` values then the two gates."""
    *values, likeness, rome_share = row
    assert len(values) == len(GATED_SIGNALS)
    gates = gate_values_of(likeness, rome_share)
    return [gates[g] * v for g in GATES for v in values]


def cache_key() -> str:
    """A digest of the matcher's code (every module of ft_client/matching) and FEATURES."""
    digest = hashlib.sha256(",".join(FEATURES).encode())
    for path in sorted((ROOT / "ft_client" / "matching").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_signals(refresh: bool = False) -> tuple[list[ProfileSignals], Referential]:
    """Every training profile's signals, from /tmp when this tree computed them already."""
    from ft_client.matching.suggest import warm_up

    ref = Referential.load()
    path = Path("/tmp") / f"ft_fusion_signals_{cache_key()}.pkl"  # noqa: S108 - a cache
    if path.is_file() and not refresh:
        with path.open("rb") as handle:
            return pickle.load(handle), ref  # noqa: S301 - our own cache file
    warm_up(ref, freeze_gc=False)
    index = semantic_for(ref)
    if index is None:
        raise SystemExit("the semantic index is needed (FT_SEMANTIC=0 or no model)")
    title_rows = len({t for job in ref.jobs() for t in (job.label, *job.titles)})
    split = RowSplit(index, title_rows)
    rows = load_profiles(ref)
    start = time.perf_counter()
    signals = []
    for n, row in enumerate(rows, 1):
        signals.append(profile_signals(ref, index, split, row))
        if n % 200 == 0:
            print(f"  signals: {n}/{len(rows)} in {time.perf_counter() - start:.0f} s")
    with path.open("wb") as handle:
        pickle.dump(signals, handle)
    return signals, ref


def synthetic_rng() -> random.Random:
    return random.Random(SYNTHETIC_SEED)
