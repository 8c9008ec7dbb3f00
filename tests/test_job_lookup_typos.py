"""The curated aliases read with typos (``JobAliases.close``): « nounnou », « plongeus »,
« ehpade » reach what the alias says, a little less sure than the exact words."""

from __future__ import annotations

import pytest

from ft_client.matching import find_jobs, is_alias, is_recognised
from ft_client.matching import jobs as jobs_module
from ft_client.matching.jobs import ALIAS_CONFIDENCE, JobAliases, alias_key
from ft_client.referential import Referential

TABLE = JobAliases(
    {
        "nounou": {"codes": ["K1303"], "why": "garde d'enfants"},
        "plongeur": {"codes": ["G1605"], "why": "plonge en restauration"},
        "aide soignante": {"codes": ["J1501"], "why": "aide-soignant"},
    }
)


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


@pytest.mark.parametrize(
    ("query", "code"), [("nounnou", "K1303"), ("plongeus", "G1605"), ("ehpade", "J1501")]
)
def test_a_mistyped_alias_is_recognised(ref: Referential, query: str, code: str) -> None:
    hits = find_jobs(query, ref, limit=3)
    assert hits[0].rome_code == code
    assert is_recognised(hits)
    assert hits[0].score < ALIAS_CONFIDENCE  # less sure than the exact words
    assert not is_alias(query)  # the onboarding's « curated words » stay the exact ones


def test_without_typo_aliases_they_were_not(
    ref: Referential, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs_module, "TYPO_ALIASES", False)
    assert find_jobs("nounnou", ref, limit=3) == []
    assert not is_recognised(find_jobs("plongeus", ref, limit=3))


def test_close_needs_long_words_the_same_count_and_a_high_ratio() -> None:
    assert TABLE.close(alias_key("nounnou")) is not None
    entry, ratio = TABLE.close(alias_key("aide soignnante"))  # type: ignore[misc]
    assert entry[0] == ("J1501",) and 0.85 <= ratio < 1.0
    assert TABLE.close(alias_key("nounou")) is None  # the exact words: ``exact``'s job
    assert TABLE.close(alias_key("aid soignante")) is None  # « aid »: too short to be a typo
    assert TABLE.close(alias_key("nounou garde")) is None  # another number of words
    assert TABLE.close(alias_key("plombier")) is None  # ratio under 85


def test_an_exact_title_is_not_read_as_a_mistyped_alias(ref: Referential) -> None:
    hits = find_jobs("boulanger", ref, limit=1)
    assert hits[0].rome_code == "D1102" and hits[0].score >= 0.97


@pytest.mark.parametrize("query", ["bonjour", "urgent", "merci beaucoup", "zzzzzz"])
def test_negatives_stay_where_they_were(ref: Referential, query: str) -> None:
    hits = find_jobs(query, ref, limit=1)
    assert not hits or "titre ROME" in hits[0].why or hits[0].score < 0.75
