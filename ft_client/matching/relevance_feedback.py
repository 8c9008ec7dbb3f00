"""Pseudo-relevance feedback on the BM25 query: the fiches a profile reads best lend it words.

People write a few words of their trade (« vidange, plaquettes, valise diag », « resp
entrepôt, KPI productivité »); the fiches those words reach first share the trade's vocabulary
(« automobile », « véhicule », « logistique »), which the right fiche carries and a fiche
reached by one stray word does not. RM3-style: the ``FEEDBACK_FICHES`` best fiches of the
profile's BM25 query, each weighted by its share of their scores, give each of their terms
its share of the fiche's BM25 mass; the ``FEEDBACK_TERMS`` heaviest terms the query lacks are
added at ``FEEDBACK_WEIGHT`` (the heaviest; the others in proportion) and the query is scored
again. General (no word list), derived from the bundled referential only; measured in
docs/matching-measurements.md, eighth pass.
"""

from __future__ import annotations

from collections.abc import Sequence

from ft_client.matching.fulltext import FullTextIndex

# Chosen on dev set 2's halves and dev set 1 under the synthetic floor (eighth pass): 3
# fiches, 5 terms, 0.15; more terms or a higher weight let the expansion drift.
FEEDBACK_FICHES = 3
FEEDBACK_TERMS = 5
FEEDBACK_WEIGHT = 0.15
# Each fiche keeps its heaviest terms only (a few MiB instead of 280 000 postings again):
# five expansion terms out of three fiches always come from the top of one of them.
TERMS_PER_FICHE = 40

_fiche_terms: dict[int, dict[str, tuple[tuple[str, float], ...]]] = {}


def fiche_terms(index: FullTextIndex) -> dict[str, tuple[tuple[str, float], ...]]:
    """Fiche code → its ``TERMS_PER_FICHE`` heaviest terms with their share of the fiche's
    BM25 mass (sum of its postings' weights), heaviest first, ties by term."""
    key = id(index)
    cached = _fiche_terms.get(key)
    if cached is None:
        by_doc: dict[int, list[tuple[str, float]]] = {}
        for term, items in index.postings.items():
            for doc, value in items:
                by_doc.setdefault(doc, []).append((term, value))
        cached = {}
        for doc, terms in by_doc.items():
            total = sum(value for _term, value in terms) or 1.0
            terms.sort(key=lambda item: (-item[1], item[0]))
            cached[index.codes[doc]] = tuple(
                (term, value / total) for term, value in terms[:TERMS_PER_FICHE]
            )
        _fiche_terms[key] = cached
    return cached


def expansion_terms(
    index: FullTextIndex,
    query: Sequence[tuple[str, float]],
    scores: dict[str, float],
    fiches: int | None = None,
    count: int | None = None,
    weight: float | None = None,
) -> list[tuple[str, float]]:
    """The terms the best fiches of ``scores`` share and ``query`` lacks, weighted (the
    heaviest at ``weight``); deterministic (ties by code, then by term). Unset parameters
    read the module's constants at call time."""
    fiches = FEEDBACK_FICHES if fiches is None else fiches
    count = FEEDBACK_TERMS if count is None else count
    weight = FEEDBACK_WEIGHT if weight is None else weight
    best = sorted(((c, s) for c, s in scores.items() if s > 0), key=lambda i: (-i[1], i[0]))
    best = best[:fiches]
    total = sum(score for _code, score in best)
    if not best or total <= 0 or count < 1 or weight <= 0:
        return []
    asked = {index.known_term(term) for term, _weight in query}
    terms = fiche_terms(index)
    mass: dict[str, float] = {}
    for code, score in best:
        for term, share in terms.get(code, ()):
            if term not in asked:
                mass[term] = mass.get(term, 0.0) + score / total * share
    chosen = sorted(mass.items(), key=lambda item: (-item[1], item[0]))[:count]
    if not chosen:
        return []
    top = chosen[0][1]
    return [(term, weight * value / top) for term, value in chosen]


def feedback_scores(
    index: FullTextIndex, query: Sequence[tuple[str, float]], scores: dict[str, float]
) -> dict[str, float]:
    """BM25 of ``query`` expanded with ``expansion_terms`` (``scores`` is the query's own
    BM25); ``scores`` itself when there is nothing to add."""
    extra = expansion_terms(index, query, scores)
    if not extra:
        return scores
    return index.scores([*query, *extra])
