"""BM25 with French Snowball stemming over each ROME fiche's full text.

A fiche's document is its label and every appellation (masculine and feminine forms), weighted
``TITLE_REPEAT`` times, then the labels of all its skills, savoirs and work contexts, once. A
profile's phrases (and their user-vocabulary rewritings, at a lower weight) make one query.
Recall comes from the whole referential text: words that no single skill label carries
("vaisselle", "patients", "ehpad" in a work context) still point to the right fiches.

Why a hand-written BM25 rather than ``bm25s``: the index is ~1 600 documents and needs no
scipy. A profile's query walks ~50 000 postings: ~5 ms in Python, so when numpy is there
(it comes with the optional semantic model) each term's postings are also numpy arrays and
the sums are taken with them, in the same order (the same floats). The index is
loaded at warm-up from ``fulltext.json.gz``, the term counts ``scripts/build_referentials.py``
computes from the same ROME data (stemming 57 000 labels takes seconds; reading counts does not).
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import Stemmer
from rapidfuzz import fuzz, process

from ft_client.referential import Referential, title_variants
from ft_client.textnorm import MAX_PHRASE_CHARS, LengthBands, tokens

K1 = 1.2
B = 0.75
TITLE_REPEAT = 3
# Query words found in no document are looked up among the index terms (typos: "soigante").
TYPO_CUTOFF = 85
MAX_TEXT_CHARS = 400

_stemmer = Stemmer.Stemmer("french")


@lru_cache(maxsize=200_000)
def _stem_word(word: str) -> str:
    return _stemmer.stemWord(word)


def text_terms(text: str, max_chars: int = MAX_PHRASE_CHARS) -> list[str]:
    """Snowball stems of a text's canonical tokens (accents, case, feminine, plural folded)."""
    return [_stem_word(t) for t in tokens(text, max_chars) if len(t) >= 2 or t.isdigit()]


FULLTEXT_FILE = "fulltext.json.gz"


def document_term_counts(rome: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Job code → term → count, from the bundled ROME data (``rome.json.gz``'s content)."""
    skills: dict[str, list[str]] = rome["skills"]
    # Skills are shared by many fiches: each label is stemmed once.
    skill_terms: dict[str, list[str]] = {}
    result: dict[str, dict[str, int]] = {}
    for raw in rome["jobs"]:
        counts: dict[str, int] = {}
        for title in [raw["label"], *(t[1] for t in raw["titles"])]:
            for variant in title_variants(title)[:2]:
                for term in set(text_terms(variant, MAX_TEXT_CHARS)):
                    counts[term] = counts.get(term, 0) + TITLE_REPEAT
        for skill_code, _core in raw["skills"]:
            terms = skill_terms.get(skill_code)
            if terms is None:
                label = skills.get(skill_code, ("",))[0]
                terms = skill_terms[skill_code] = text_terms(label, MAX_TEXT_CHARS)
            for term in terms:
                counts[term] = counts.get(term, 0) + 1
        result[raw["code"]] = counts
    return result


def pack_term_counts(counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The compact, byte-reproducible form shipped in ``ft_client/data/fulltext.json.gz``."""
    terms = sorted({t for c in counts.values() for t in c})
    position = {t: i for i, t in enumerate(terms)}
    docs = []
    for code in sorted(counts):
        flat: list[int] = []
        for term in sorted(counts[code]):
            flat += [position[term], counts[code][term]]
        docs.append([code, flat])
    return {
        "about": "Snowball-French term counts of each ROME fiche's full text (titles x"
        f"{TITLE_REPEAT}, skills, savoirs, work contexts), for ft_client.matching.fulltext",
        "stemmer": f"PyStemmer french {Stemmer.version}",
        "terms": terms,
        "docs": docs,
    }


def unpack_term_counts(packed: dict[str, Any]) -> dict[str, dict[str, int]]:
    terms: list[str] = packed["terms"]
    return {
        code: {terms[flat[i]]: flat[i + 1] for i in range(0, len(flat), 2)}
        for code, flat in packed["docs"]
    }


class FullTextIndex:
    """Term → ((job index, BM25 weight), ...) over every fiche of a referential."""

    def __init__(self, counts_by_code: dict[str, dict[str, int]]) -> None:
        self.codes: list[str] = sorted(counts_by_code)
        term_counts = [counts_by_code[code] for code in self.codes]
        lengths = [sum(c.values()) for c in term_counts]
        average = sum(lengths) / max(1, len(lengths))
        df: dict[str, int] = {}
        for counts in term_counts:
            for term in counts:
                df[term] = df.get(term, 0) + 1
        n = len(term_counts)
        postings: dict[str, list[tuple[int, float]]] = {}
        for doc, counts in enumerate(term_counts):
            norm = K1 * (1 - B + B * lengths[doc] / average)
            for term, tf in counts.items():
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                postings.setdefault(term, []).append((doc, idf * tf * (K1 + 1) / (tf + norm)))
        self.postings: dict[str, tuple[tuple[int, float], ...]] = {
            term: tuple(items) for term, items in postings.items()
        }
        self.vocabulary: list[str] = sorted(self.postings)
        self.bands = LengthBands(self.vocabulary)
        self._typo_cache: dict[str, str | None] = {}
        self._arrays = _posting_arrays(self.postings)

    def known_term(self, term: str) -> str | None:
        """The term itself when indexed, else its closest indexed term (typos), else None."""
        if term in self.postings:
            return term
        cached = self._typo_cache.get(term, "")
        if cached != "":
            return cached
        found: str | None = None
        if len(term) >= 5 and not term.isdigit():
            choices = self.bands.within(len(term), TYPO_CUTOFF)
            hit = process.extractOne(term, choices, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
            found = hit[0] if hit else None
        if len(self._typo_cache) < 50_000:
            self._typo_cache[term] = found
        return found

    def scores(self, weighted_terms: Iterable[tuple[str, float]]) -> dict[str, float]:
        """Job code → BM25 score of a query given as (term, weight) pairs."""
        merged: dict[str, float] = {}
        for term, weight in weighted_terms:
            known = self.known_term(term)
            if known is not None and weight > merged.get(known, 0.0):
                merged[known] = weight
        if self._arrays is not None:
            return self._scores_numpy(merged)
        totals: dict[int, float] = {}
        for term in sorted(merged):
            weight = merged[term]
            for doc, value in self.postings[term]:
                totals[doc] = totals.get(doc, 0.0) + weight * value
        return {self.codes[doc]: score for doc, score in totals.items()}

    def _scores_numpy(self, merged: dict[str, float]) -> dict[str, float]:
        """The same sums with numpy (a profile's query walks ~50 000 postings: ~5 ms in
        Python). Bit-identical: each document's terms are added in the same (sorted) order,
        each product is the same IEEE multiplication, and a term's documents are distinct."""
        import numpy as np

        assert self._arrays is not None
        totals = np.zeros(len(self.codes), dtype=np.float64)
        touched = np.zeros(len(self.codes), dtype=bool)
        for term in sorted(merged):
            docs, values = self._arrays[term]
            totals[docs] += merged[term] * values
            touched[docs] = True
        docs = np.flatnonzero(touched)
        codes = self.codes
        return {codes[d]: s for d, s in zip(docs.tolist(), totals[docs].tolist(), strict=True)}

    def query_terms(
        self, phrases: Sequence[str], rewritings: Sequence[str] = (), rewriting_weight: float = 0.5
    ) -> list[tuple[str, float]]:
        """The user's own words at weight 1, vocabulary rewritings at ``rewriting_weight``."""
        terms = [(t, 1.0) for p in phrases for t in text_terms(p)]
        terms += [(t, rewriting_weight) for r in rewritings for t in text_terms(r)]
        return terms


def _posting_arrays(
    postings: dict[str, tuple[tuple[int, float], ...]],
) -> dict[str, tuple[Any, Any]] | None:
    """Each term's postings as (document indexes, weights) numpy arrays, or None without
    numpy (numpy comes with the optional semantic model; the pure-Python walk gives the same
    floats)."""
    try:
        import numpy as np
    except ImportError:
        return None
    return {
        term: (
            np.fromiter((d for d, _v in items), dtype=np.intp, count=len(items)),
            np.fromiter((v for _d, v in items), dtype=np.float64, count=len(items)),
        )
        for term, items in postings.items()
    }


_indexes: dict[int, FullTextIndex] = {}


def fulltext_for(referential: Referential) -> FullTextIndex:
    """The cached full-text index of a referential: from the shipped term counts when they sit
    next to its data, else computed from the referential (a few seconds)."""
    index = _indexes.get(id(referential))
    if index is None:
        path = referential.data_dir / FULLTEXT_FILE if referential.data_dir else None
        if path is not None and path.is_file():
            with gzip.open(path, "rb") as handle:
                counts = unpack_term_counts(json.loads(handle.read()))
        else:
            counts = document_term_counts(referential.rome_data)
        index = FullTextIndex(counts)
        _indexes[id(referential)] = index
    return index
