"""How ``suggest_jobs`` fuses its signals into one relevance when the semantic index is loaded.

A linear score over each candidate fiche's signals, with weights fitted across six sets of
people's words by six writers, the original profiles and the synthetic (ROME-worded) set by
``benchmarks/fusion_fit.py`` (a listwise logistic fit: the log-probability of the right codes
under a softmax over each profile's shown candidates), and judged leave-one-writer-set-out
(docs/matching-measurements.md, ninth pass). Besides today's signals scaled to their best
fiche, it reads how far a fiche's cosine is from the profile's best, each signal's rank, and
how the unplaced share and the number of phrases shift trust between words and meaning.

The lexical path (no semantic index, ``FT_SEMANTIC=0``) keeps its hand weights in
``suggest.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Fitted on all sets by ``benchmarks/fusion_fit.py`` (fusion « softmax-cheap, floor »), then
# scaled so that the lexical weight is 0.7 as before; only their ratios rank. Features:
# lex: lexical relevance ÷ the best; bm25: BM25 ÷ the best (top 30); sem: cosine min-max
# scaled over the top 100; title: job names; breadth: the breadth prior; u_*: times the
# unplaced share; coverage: the coverage shown; sem_gap: mean cosine minus the profile's best;
# sem_max_gap: best single phrase's cosine minus the profile's best; rr_*: 1 / (1 + rank) in
# that signal's list (0 outside); short_*: divided by the number of phrases.
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


def reciprocal_ranks(values: Mapping[str, float]) -> dict[str, float]:
    """Fiche → 1 / (1 + its rank) by value (ties by code, as every ranking here)."""
    ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    return {code: 1.0 / (1 + rank) for rank, (code, _value) in enumerate(ordered)}


def features(
    inputs: FusionInputs,
    code: str,
    ranks: Sequence[Mapping[str, float]],
    best: tuple[float, float, float],
) -> dict[str, float]:
    """The named features of one candidate fiche (``benchmarks/fusion_signals.py`` computes
    the same ones offline)."""
    best_lexical, best_cosine, best_phrase = best
    lex = inputs.lexical.get(code, 0.0) / best_lexical
    bm25 = inputs.fulltext.get(code, 0.0)
    sem = inputs.semantic.get(code, 0.0)
    u = inputs.unplaced
    short = 1.0 / inputs.phrases
    lex_rank, bm25_rank, sem_rank = ranks
    return {
        "lex": lex,
        "bm25": bm25,
        "sem": sem,
        "title": inputs.titles.get(code, 0.0),
        "breadth": inputs.breadth.get(code, 0.0),
        "u_sem": u * sem,
        "coverage": inputs.coverage.get(code, 0.0),
        "sem_gap": inputs.cosines.get(code, best_cosine) - best_cosine,
        "sem_max_gap": inputs.phrase_best.get(code, best_phrase) - best_phrase,
        "rr_lex": lex_rank.get(code, 0.0),
        "rr_bm25": bm25_rank.get(code, 0.0),
        "rr_sem": sem_rank.get(code, 0.0),
        "u_lex": u * lex,
        "u_bm25": u * bm25,
        "short_sem": short * sem,
        "short_lex": short * lex,
    }


def fused_relevance(
    inputs: FusionInputs, codes: Sequence[str], weights: Mapping[str, float] = FUSION_WEIGHTS
) -> dict[str, float]:
    """Fiche code → relevance (rounded to 4 decimals, as before) for each candidate."""
    best = (
        max(inputs.lexical.values(), default=0.0) or 1.0,
        max(inputs.cosines.values(), default=0.0),
        max(inputs.phrase_best.values(), default=0.0),
    )
    ranks = tuple(
        reciprocal_ranks(signal) for signal in (inputs.lexical, inputs.fulltext, inputs.semantic)
    )
    result: dict[str, float] = {}
    for code in codes:
        values = features(inputs, code, ranks, best)
        result[code] = round(sum(w * values[name] for name, w in weights.items()), 4)
    return result
