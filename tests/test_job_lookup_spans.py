"""The job inside a longer answer (``ft_client.matching.job_spans``): a preamble, a contract, a
qualification around a ROME title no longer pulls it under the recognition threshold, and a
sentence with no job word in it gains nothing. The curated aliases are switched off where the
test is about the title reading alone (the aliases know « serveur », « cariste »)."""

from __future__ import annotations

import pytest

from ft_client.matching import FIND_JOBS_THRESHOLD, find_jobs, is_recognised
from ft_client.matching import jobs as jobs_module
from ft_client.matching.job_spans import (
    OTHER_WORD_PENALTY,
    SPAN_CAP,
    SQUEEZE_FROM,
    TITLE_WORD_PENALTY,
    content_words,
    span_hits,
    squeeze,
    title_words,
)
from ft_client.matching.jobs import _FILLERS, JobAliases
from ft_client.referential import Referential

NO_ALIASES = JobAliases({})


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("je suis boulanger", "D1102"),
        ("je cherche un poste de serveur", "G1803"),
        ("boulangère expérimentée en CDI", "D1102"),
        ("cariste caces 3", "N1101"),
        ("Poste de magasinier (H/F) temps partiel", "N1110"),
    ],
)
def test_the_job_inside_the_words_is_recognised(ref: Referential, query: str, code: str) -> None:
    hits = find_jobs(query, ref, limit=3, aliases=NO_ALIASES)
    assert hits[0].rome_code == code
    assert is_recognised(hits)
    assert hits[0].why.startswith("titre ROME")


def test_without_spans_these_were_not_recognised(
    ref: Referential, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mechanism is what makes the difference (the whole query reads under 0.75)."""
    monkeypatch.setattr(jobs_module, "SPANS", False)
    for query in ("je suis boulanger", "cariste caces 3", "boulangère expérimentée en CDI"):
        assert not is_recognised(find_jobs(query, ref, limit=3, aliases=NO_ALIASES)), query


def test_fillers_are_free_other_words_cost(ref: Referential) -> None:
    exact = find_jobs("boulanger", ref, limit=1, aliases=NO_ALIASES)[0].score
    assert exact == 1.0
    free = find_jobs("boulanger H/F en CDI", ref, limit=1, aliases=NO_ALIASES)[0]
    assert free.score == SPAN_CAP  # a whole title, read on part of the words: squeezed
    spans = span_hits("boulanger caces", ref, 5, _FILLERS)
    assert spans["D1102"].score == pytest.approx(squeeze(OTHER_WORD_PENALTY), abs=1e-4)
    assert spans["D1102"].score < free.score


def test_span_scores_stay_under_a_job_name_in_a_profile(ref: Referential) -> None:
    """``suggest_jobs`` counts a phrase as a job name at 0.9: a span never reaches it, and the
    squeeze keeps the order of the scores it maps."""
    assert squeeze(1.0) == SPAN_CAP < 0.9
    assert squeeze(0.95) > squeeze(0.9) > squeeze(0.85) > SQUEEZE_FROM
    assert squeeze(0.7) == 0.7
    for query in ("je suis boulanger", "serveur H/F en CDI", "cariste caces 3"):
        assert all(h.score <= SPAN_CAP for h in span_hits(query, ref, 30, _FILLERS).values())


def test_a_specialty_the_fiche_knows_costs_less_than_one_it_does_not(ref: Referential) -> None:
    """« nuit » is in the nurse's fiche (night work): the mild penalty; a left-out title word
    the fiche never uses (« cantine » for the ladies' hairdresser) pulls under the threshold."""
    nurse = span_hits("infirmier de nuit", ref, 30, _FILLERS)
    best = max(nurse.values(), key=lambda h: h.score)
    assert best.score == pytest.approx(squeeze(0.9 * TITLE_WORD_PENALTY), abs=1e-3)
    hits = find_jobs("dame de cantine", ref, limit=3, aliases=NO_ALIASES)
    assert not is_recognised(hits)


@pytest.mark.parametrize(
    "query",
    [
        "la recette des crêpes",
        "je suis fatigué",
        "je veux manger une pizza",
        "il fait beau à Nice",
        "quel temps fait-il demain",
    ],
)
def test_sentences_without_a_job_word_stay_unrecognised(ref: Referential, query: str) -> None:
    hits = find_jobs(query, ref, limit=3)
    assert not hits or hits[0].score < FIND_JOBS_THRESHOLD


def test_a_curated_alias_inside_the_query_stays_first(ref: Referential) -> None:
    """« infirmier de nuit »: the alias « infirmier » (soins généraux) is above any span."""
    hits = find_jobs("infirmier de nuit", ref, limit=3)
    assert hits[0].rome_code == "J1506"
    assert "titre ROME" not in hits[0].why


def test_spans_need_a_title_head_and_two_words(ref: Referential) -> None:
    assert span_hits("serveur", ref, 5, _FILLERS) == {}
    assert span_hits("recette crêpes", ref, 5, _FILLERS) == {}
    heads = title_words(ref).heads
    assert "serveur" in heads and "cherche" not in heads
    words, free = content_words("je cherche un poste de serveur H/F", _FILLERS)
    assert words[-3:] == ["serveur", "h", "f"] and free[-3:] == [False, True, True]


def test_junk_and_huge_input(ref: Referential) -> None:
    assert find_jobs("zzzz", ref) == [] or not is_recognised(find_jobs("zzzz", ref))
    long = "boulanger " * 600
    hits = find_jobs(long, ref, limit=3)
    assert hits and hits[0].rome_code == "D1102"


def test_the_job_name_signal_of_profiles_is_unchanged(
    ref: Referential, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``suggest_jobs`` counts a short phrase naming a job at 0.9: spans (squeezed under it)
    leave that signal as it was without them."""
    from ft_client.matching import suggest

    phrases = ["je suis boulanger", "comptable confirmé", "cariste caces 3", "vendeuse débutante"]
    monkeypatch.setattr(suggest, "_title_cache", {})
    with_spans = suggest.title_relevance(ref, phrases)
    monkeypatch.setattr(suggest, "_title_cache", {})
    monkeypatch.setattr(jobs_module, "SPANS", False)
    assert suggest.title_relevance(ref, phrases) == with_spans
