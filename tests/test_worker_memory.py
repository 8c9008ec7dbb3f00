"""A worker's memory report (`bot.worker.memory`): the caches it names are the live ones, the
line comes at most once per period, and the byte estimate does not count the referential."""

from __future__ import annotations

import copy
import logging

import pytest

from bot.worker import memory
from ft_client.matching import offers as matching_offers
from ft_client.matching import skills
from ft_client.matching.skills import matcher_for
from ft_client.referential import Referential


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


def test_cache_entries_follow_the_live_caches(ref: Referential) -> None:
    matcher = matcher_for(ref)
    before = memory.cache_entries()
    matcher.text_similarity("accueil des clients", "Accueillir une clientèle: mémoire 4711")
    matcher.phrase_to_skills("pâtisserie fine 4711")
    after = memory.cache_entries()
    assert after["label_pairs"] == before["label_pairs"] + 1
    assert after["phrase_skills"] == before["phrase_skills"] + 1
    assert {"targets", "competences", "companies", "word_stems"} <= after.keys()


def test_cache_entries_sum_every_matcher_of_the_process(
    ref: Referential, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process may hold several referentials (the test suite does): the entries of the one in
    use count whatever matcher was made last (the full suite once read another one's zeros)."""
    matcher = matcher_for(ref)
    other = copy.copy(ref)
    monkeypatch.setitem(skills._matchers, id(other), skills.PhraseMatcher(other))
    before = memory.cache_entries()
    matcher.text_similarity("accueil des clients", "Accueillir une clientèle: mémoire 4712")
    assert memory.cache_entries()["label_pairs"] == before["label_pairs"] + 1


def test_cache_bytes_leave_the_referential_out(ref: Referential, monkeypatch) -> None:
    matcher_for(ref)
    monkeypatch.setattr(matching_offers, "_TARGETS", {})
    empty = memory.cache_bytes()["targets"]
    matching_offers._Targets.of(["D1102"], ref)  # holds (referential, targets)
    one = memory.cache_bytes()["targets"]
    # The entry's key, tuple and targets only: far from the referential's hundreds of MiB.
    assert 0 < one - empty < 64 * 1024


def test_memory_log_once_per_period(caplog, monkeypatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(memory.time, "monotonic", lambda: clock[0])
    log = memory.MemoryLog(every=60.0, detail=False)
    with caplog.at_level(logging.INFO, logger="bot.worker.memory"):
        assert not log.maybe_log()
        clock[0] += 61
        assert log.maybe_log()
        clock[0] += 30
        assert not log.maybe_log()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1
    assert lines[0].startswith("memory: resident ") and "label_pairs" in lines[0]
    assert "cache MiB" not in lines[0]


def test_status_and_trim() -> None:
    assert memory.status_kib("VmRSS") > 0
    assert memory.status_kib("VmHWM") >= memory.status_kib("VmRSS")
    assert memory.trim() is (memory._TRIM is not None)
