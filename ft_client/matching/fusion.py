"""How ``suggest_jobs`` fuses its signals into one relevance when the semantic index is loaded.

A linear score over each candidate fiche's named features, with weights fitted by
``benchmarks/fusion_fit.py`` across six sets of people's words by six writers, the original
profiles and the synthetic (ROME-worded) set: coordinate ascent from the sixth pass's hand
weights on recall@1 (recall@5 as tie-break), refusing any move below the synthetic floor, and
judged leave-one-writer-set-out (docs/matching-measurements.md, ninth pass). Besides the
signals scaled to their best fiche, it reads how far a fiche's cosine is from the profile's
best, and how the unplaced share and the number of phrases shift trust between words and
meaning. Pure functions over one profile's signals; numpy is there whenever the semantic index
is.

The lexical path (no semantic index, ``FT_SEMANTIC=0``) keeps its hand weights in
``suggest.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# Fitted on all sets by ``benchmarks/fusion_fit.py`` (« CA-cheap from hand »; the sixth pass
# had lex 0.7, bm25 0.35, sem 0.3, title 0.3, breadth 0.2, u_sem 0.1 and nothing else). Only
# their ratios rank. Features: lex: lexical relevance ÷ the best; bm25: BM25 ÷ the best (top
# 30); sem: cosine min-max scaled over the top 100; title: job names; breadth: the breadth
# prior; u_*: times the unplaced share; coverage: the coverage shown; sem_gap: mean cosine
# minus the profile's best; sem_max_gap: best single phrase's cosine minus the profile's best;
# rr_*: 1 / (1 + rank) in that signal's list (0 outside); short_*: ÷ the number of phrases.
# Features with no weight here were tried and are not computed; the job names under 0.9
# (``LOW_TITLE_FEATURES``, tenth pass) and the signals gated by how ROME-worded the profile is
# (``GATE_FEATURES``, eleventh pass) gained nothing out of fold under the synthetic floor.
FUSION_WEIGHTS: Mapping[str, float] = {
    "lex": 0.6,
    "bm25": 0.35,
    "sem": 0.3,
    "title": 0.31,
    "breadth": 0.22,
    "u_sem": 0.2,
    "sem_gap": 0.03,
    "sem_max_gap": 0.2,
    "u_lex": -0.4,
    "u_bm25": 0.2,
    "short_sem": 0.055,
    "short_lex": -0.05,
}


@dataclass(frozen=True, slots=True)
class FusionInputs:
    """One profile's signals, each a map fiche code → value (absent = 0)."""

    lexical: Mapping[str, float]  # lexical relevance, raw
    fulltext: Mapping[str, float]  # BM25 ÷ the best, top 30
    semantic: Mapping[str, float]  # cosine min-max scaled over the top 100
    cosines: Mapping[str, float]  # mean over the phrases of the best cosine, every fiche
    phrase_best: Mapping[str, float]  # the best single phrase's cosine, every fiche
    titles: Mapping[str, float]  # job names' confidence
    breadth: Mapping[str, float]  # breadth prior
    coverage: Mapping[str, float]  # coverage shown
    unplaced: float  # share of phrases whose words reach no ROME skill
    phrases: int
    # Job names down to 0.5 (readings find_jobs caps under 0.9), and those of readings only:
    # filled only when a ``LOW_TITLE_FEATURES`` weight is non-zero.
    titles_low: Mapping[str, float] = field(default_factory=dict)
    titles_read: Mapping[str, float] = field(default_factory=dict)
    # How ROME-worded the profile is: the mean over the phrases of their best skill
    # similarity, and the share of phrases at 0.9 or more (``suggest.rome_likeness``); filled
    # only when a ``GATE_FEATURES`` weight is non-zero.
    likeness: float = 0.0
    rome_share: float = 0.0


# Features over the job names at every confidence (tenth pass).
LOW_TITLE_FEATURES: tuple[str, ...] = (
    "title_low", "short_title_low", "rr_title_low", "title_read", "u_title_low", "short2_title_low",
)  # fmt: skip


# A signal times the profile's ROME-likeness (``lk_``), times its complement (``nlk_``), times
# the share of phrases under 0.9 (``nr9_``), or only when the likeness is under 0.6 / 0.7
# (``lo6_``, ``lo7_``: no synthetic profile is under 0.6): the fit may then keep ROME-worded
# profiles on the base weights and move people's words (eleventh pass).
GATED_SIGNALS: tuple[str, ...] = ("lex", "bm25", "sem", "title", "breadth", "sem_max_gap")
GATES: tuple[str, ...] = ("lk", "nlk", "nr9", "lo6", "lo7")
GATE_FEATURES: tuple[str, ...] = tuple(
    f"{gate}_{signal}" for gate in GATES for signal in GATED_SIGNALS
)


def gate_values(likeness: float, rome_share: float) -> dict[str, float]:
    """Each gate's factor for a profile (``suggest.rome_likeness``'s two values)."""
    return {
        "lk": likeness,
        "nlk": 1.0 - likeness,
        "nr9": 1.0 - rome_share,
        "lo6": float(likeness < 0.6),
        "lo7": float(likeness < 0.7),
    }


def uses_gate(weights: Mapping[str, float]) -> bool:
    """Whether the fusion reads the profile's ROME-likeness."""
    return any(weights.get(name) for name in GATE_FEATURES)


def uses_low_titles(weights: Mapping[str, float]) -> bool:
    """Whether the fusion reads job names under 0.9 (and their fiches join the candidates)."""
    return any(weights.get(name) for name in LOW_TITLE_FEATURES)


def reciprocal_ranks(values: Mapping[str, float]) -> dict[str, float]:
    """Fiche → 1 / (1 + its rank) by value (ties by code, as every ranking here)."""
    ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    return {code: 1.0 / (1 + rank) for rank, (code, _value) in enumerate(ordered)}


def feature_columns(
    inputs: FusionInputs, codes: Sequence[str], names: Iterable[str]
) -> dict[str, np.ndarray]:
    """The named features of the candidate fiches, one array each, in ``codes`` order
    (``benchmarks/fusion_signals.py`` computes the same ones offline). Only the features
    asked for are computed: a warm call ranks a few hundred candidates in well under a
    millisecond."""
    import numpy as np

    def column(signal: Mapping[str, float], default: float = 0.0) -> np.ndarray:
        return np.array([signal.get(code, default) for code in codes], dtype=np.float64)

    cache: dict[str, np.ndarray] = {}

    def base(name: str) -> np.ndarray:
        if name not in cache:
            cache[name] = _base_column(name, inputs, column)
        return cache[name]

    u, short = inputs.unplaced, 1.0 / max(inputs.phrases, 1)
    gates = gate_values(inputs.likeness, inputs.rome_share)
    derived: dict[str, Callable[[], np.ndarray]] = {
        f"{gate}_{signal}": lambda g=gates[gate], s=signal: g * base(s)
        for gate in gates
        for signal in GATED_SIGNALS
    }
    derived |= {
        "u_sem": lambda: u * base("sem"),
        "u_lex": lambda: u * base("lex"),
        "u_bm25": lambda: u * base("bm25"),
        "short_sem": lambda: short * base("sem"),
        "short_lex": lambda: short * base("lex"),
        "short_title_low": lambda: short * base("title_low"),
        "u_title_low": lambda: u * base("title_low"),
        "short2_title_low": lambda: short * short * base("title_low"),
    }
    return {name: derived[name]() if name in derived else base(name) for name in names}


def _base_column(name: str, inputs: FusionInputs, column: Callable[..., np.ndarray]) -> np.ndarray:
    if name == "lex":
        return column(inputs.lexical) / (max(inputs.lexical.values(), default=0.0) or 1.0)
    if name == "sem_gap":
        best = max(inputs.cosines.values(), default=0.0)
        return column(inputs.cosines, best) - best
    if name == "sem_max_gap":
        best = max(inputs.phrase_best.values(), default=0.0)
        return column(inputs.phrase_best, best) - best
    if name.startswith("rr_"):
        signal = {
            "rr_lex": inputs.lexical,
            "rr_bm25": inputs.fulltext,
            "rr_sem": inputs.semantic,
            "rr_title_low": inputs.titles_low,
        }
        return column(reciprocal_ranks(signal[name]))
    plain = {
        "bm25": inputs.fulltext,
        "sem": inputs.semantic,
        "title": inputs.titles,
        "title_low": inputs.titles_low,
        "title_read": inputs.titles_read,
        "breadth": inputs.breadth,
        "coverage": inputs.coverage,
    }
    return column(plain[name])


FEATURE_NAMES: tuple[str, ...] = (
    "lex", "bm25", "sem", "title", "breadth", "u_sem", "coverage", "sem_gap", "sem_max_gap",
    "rr_lex", "rr_bm25", "rr_sem", "u_lex", "u_bm25", "short_sem", "short_lex",
    *LOW_TITLE_FEATURES, *GATE_FEATURES,
)  # fmt: skip


def fused_relevance(
    inputs: FusionInputs, codes: Sequence[str], weights: Mapping[str, float] = FUSION_WEIGHTS
) -> dict[str, float]:
    """Fiche code → relevance (rounded to 4 decimals, as before) for each candidate."""
    import numpy as np

    used = {name: w for name, w in weights.items() if w}
    columns = feature_columns(inputs, codes, used)
    total = np.zeros(len(codes))
    for name, w in used.items():
        total += w * columns[name]
    return dict(zip(codes, np.round(total, 4).tolist(), strict=True))
