"""Acronyms read from ROME titles' initials (``ft_client.matching.acronyms``): close matches
for « EJE », « ELS », never a recognised job, nothing for words typed in lower case."""

from __future__ import annotations

import pytest

from ft_client.matching import find_jobs, is_recognised
from ft_client.matching import jobs as jobs_module
from ft_client.matching.acronyms import ACRONYM_CONFIDENCE, acronym_hits, acronym_index
from ft_client.matching.jobs import _FILLERS, JobAliases
from ft_client.referential import Referential

NO_ALIASES = JobAliases({})


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


@pytest.mark.parametrize(("query", "code"), [("EJE", "K1202"), ("ELS", "D1507")])
def test_initials_reach_the_title_as_a_close_match(ref: Referential, query: str, code: str) -> None:
    hits = find_jobs(query, ref, limit=3, aliases=NO_ALIASES)
    assert hits[0].rome_code == code
    assert hits[0].score == ACRONYM_CONFIDENCE
    assert not is_recognised(hits)
    assert hits[0].why.startswith("sigle : initiales de « ")


def test_without_the_mechanism_nothing_is_found(
    ref: Referential, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs_module, "ACRONYMS", False)
    hits = find_jobs("EJE", ref, limit=3, aliases=NO_ALIASES)
    assert not hits or hits[0].rome_code != "K1202"


def test_feminine_and_masculine_titles_both_count(ref: Referential) -> None:
    counts = acronym_index(ref)["eje"]
    assert counts["K1202"][0] >= 2  # Educateur / Educatrice de jeunes enfants


@pytest.mark.parametrize("query", ["cv", "ok", "lol", "rsa", "AS", "CDI", "EMPLOYEUR", "E1E"])
def test_words_fillers_and_two_letters_are_no_acronyms(ref: Referential, query: str) -> None:
    assert acronym_hits(query, ref, _FILLERS, 5) == []


def test_an_alias_or_a_recognised_title_wins(ref: Referential) -> None:
    hits = find_jobs("ATSEM", ref, limit=3)
    assert is_recognised(hits) and hits[0].rome_code == "K1308"
    assert not hits[0].why.startswith("sigle")
