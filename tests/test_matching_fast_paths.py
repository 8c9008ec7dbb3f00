"""The faster paths of ``suggest_jobs`` give the very floats of the plain computations they
replace: the user-words signal read once per profile (``words_fits``), BM25 sums with numpy."""

from __future__ import annotations

import copy

import pytest

from ft_client.matching.fulltext import FullTextIndex, fulltext_for
from ft_client.matching.skills import PhraseMatcher, matcher_for
from ft_client.referential import Referential

PROFILES = [
    ["toilette des patients", "aide au repas", "ehpad"],
    ["plonge", "vaisselle", "mise en place"],
    ["bouclanger", "viennoiseries", "four"],
    ["cariste", "caces 3", "préparation de commandes", "inventaire"],
    ["dev python", "django", "sql", "git"],
    ["Réaliser la mise en rayon", "Accueillir les clients", "encaissement"],
    ["xyzzy"],
]


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


@pytest.fixture(scope="module")
def matcher(ref: Referential) -> PhraseMatcher:
    return matcher_for(ref)


def plain_words_fit(matcher: PhraseMatcher, phrases: list[str], job_code: str) -> float:
    """The former per-job computation, kept here as the reference."""
    stems, idf = matcher.job_stems
    job_words = stems.get(job_code, frozenset())
    user_words = sorted({w for p in phrases for w in matcher.phrase_stems(p) if w in idf})
    total = sum(idf[w] for w in user_words)
    return sum(idf[w] for w in user_words if w in job_words) / total if total else 0.0


@pytest.mark.parametrize("phrases", PROFILES)
def test_words_fits_equals_the_per_job_sum(matcher: PhraseMatcher, phrases: list[str]) -> None:
    codes = sorted(matcher.job_stems[0])
    fits = matcher.words_fits(phrases, codes)
    assert list(fits) == codes
    expected = {code: plain_words_fit(matcher, phrases, code) for code in codes}
    assert fits == expected  # exact floats, not approximately
    if phrases != ["xyzzy"]:
        assert any(value > 0 for value in fits.values())


def test_stem_jobs_inverts_job_stems(matcher: PhraseMatcher) -> None:
    stems = matcher.job_stems[0]
    for word, codes in list(matcher.stem_jobs.items())[:2000]:
        assert codes and all(word in stems[code] for code in codes)
    job = next(iter(stems))
    assert all(job in matcher.stem_jobs[word] for word in stems[job])


def test_phrase_stems_cached_value_is_the_computed_one(ref: Referential) -> None:
    fresh = PhraseMatcher(ref)
    first = fresh.phrase_stems("aide soigante en ehpad")
    assert fresh.phrase_stems("aide soigante en ehpad") is first
    assert first == PhraseMatcher(ref).phrase_stems("aide soigante en ehpad")


@pytest.mark.parametrize("phrases", PROFILES)
def test_bm25_numpy_sums_equal_the_python_walk(ref: Referential, phrases: list[str]) -> None:
    index = fulltext_for(ref)
    if index._arrays is None:
        pytest.skip("numpy not installed: only the Python walk exists")
    python_only: FullTextIndex = copy.copy(index)
    python_only._arrays = None
    query = index.query_terms(phrases, [f"{phrases[0]} service"], 0.5)
    fast, plain = index.scores(query), python_only.scores(query)
    assert fast == plain  # same keys, same floats
    if phrases != ["xyzzy"]:
        assert fast
