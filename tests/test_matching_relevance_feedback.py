"""Pseudo-relevance feedback on the BM25 query of ``suggest_jobs``
(``ft_client/matching/relevance_feedback.py``): the profile's best BM25 fiches lend the query
their heaviest words; only next to the semantic signal, and only the BM25 signal changes (not
the coverage shown, nor the matched skills)."""

from __future__ import annotations

import pytest

from ft_client.matching import relevance_feedback as rf
from ft_client.matching import suggest_jobs
from ft_client.matching.fulltext import fulltext_for
from ft_client.referential import Referential
from tests.helpers_semantic import require_semantic

# A warehouse team lead in their own words (dev set 2, which accepts Chef cariste N1112 and the
# logistics managers): without feedback generic management fiches lead; the words the
# warehouse fiches share (« chariot », « logistique ») bring the warehouse first.
WAREHOUSE = ["resp entrepôt", "manager équipe de 20 personnes", "KPI productivité"]


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


def test_fiche_terms_are_shares_of_the_fiche_heaviest_first(ref: Referential) -> None:
    index = fulltext_for(ref)
    terms = rf.fiche_terms(index)
    assert set(terms) == set(index.codes)
    assert rf.fiche_terms(index) is terms  # built once per index
    for code in ("N1101", "G1803", "J1501"):
        shares = terms[code]
        assert 0 < len(shares) <= rf.TERMS_PER_FICHE
        assert all(0.0 < share <= 1.0 for _term, share in shares)
        assert [s for _t, s in shares] == sorted((s for _t, s in shares), reverse=True)
        assert all(
            any(d == index.codes.index(code) for d, _v in index.postings[t]) for t, _s in shares
        )


def test_expansion_terms_come_from_the_best_fiches_and_not_from_the_query(
    ref: Referential,
) -> None:
    index = fulltext_for(ref)
    query = index.query_terms(["conduite de chariot élévateur", "préparation de commandes"])
    scores = index.scores(query)
    extra = rf.expansion_terms(index, query, scores)
    assert 0 < len(extra) <= rf.FEEDBACK_TERMS
    assert extra[0][1] == pytest.approx(rf.FEEDBACK_WEIGHT)
    assert all(0 < w <= rf.FEEDBACK_WEIGHT for _t, w in extra)
    asked = {index.known_term(t) for t, _w in query}
    best = sorted(scores, key=lambda c: (-scores[c], c))[: rf.FEEDBACK_FICHES]
    from_best = {t for code in best for t, _s in rf.fiche_terms(index)[code]}
    for term, _weight in extra:
        assert term not in asked and term in from_best
    assert rf.expansion_terms(index, query, scores) == extra  # deterministic
    assert rf.expansion_terms(index, query, {}) == []
    assert rf.expansion_terms(index, query, scores, weight=0.0) == []


def test_feedback_rescores_the_expanded_query(ref: Referential, monkeypatch) -> None:
    index = fulltext_for(ref)
    query = index.query_terms(["conduite de chariot élévateur", "préparation de commandes"])
    scores = index.scores(query)
    expanded = rf.feedback_scores(index, query, scores)
    assert expanded != scores
    extra = rf.expansion_terms(index, query, scores)
    assert expanded == index.scores([*query, *extra])
    monkeypatch.setattr(rf, "FEEDBACK_WEIGHT", 0.0)
    assert rf.feedback_scores(index, query, scores) is scores


def test_the_lexical_path_uses_no_feedback(ref: Referential, monkeypatch) -> None:
    from ft_client.matching import suggest

    def forbidden(*_args: object) -> dict[str, float]:
        raise AssertionError("feedback on the lexical path")

    monkeypatch.setattr(suggest, "loaded_semantic", lambda _ref: None)
    monkeypatch.setattr(suggest, "feedback_scores", forbidden)
    assert suggest_jobs(WAREHOUSE, ref, limit=5)


class TestWithTheSemanticSignal:
    @pytest.fixture(autouse=True)
    def semantic(self, ref: Referential) -> None:
        require_semantic(ref)

    def test_only_the_fulltext_signal_changes(self, ref: Referential, monkeypatch) -> None:
        with_feedback = {s.rome_code: s for s in suggest_jobs(WAREHOUSE, ref, limit=50)}
        monkeypatch.setattr(rf, "FEEDBACK_WEIGHT", 0.0)
        without = {s.rome_code: s for s in suggest_jobs(WAREHOUSE, ref, limit=50)}
        common = set(with_feedback) & set(without)
        assert len(common) >= 20
        assert any(with_feedback[c].relevance != without[c].relevance for c in common)
        for code in common:
            assert with_feedback[code].score == without[code].score
            assert with_feedback[code].matched_count == without[code].matched_count

    def test_the_trade_the_best_fiches_share_goes_first(
        self, ref: Referential, monkeypatch
    ) -> None:
        with_feedback = [s.rome_code for s in suggest_jobs(WAREHOUSE, ref, limit=5)]
        monkeypatch.setattr(rf, "FEEDBACK_WEIGHT", 0.0)
        without = [s.rome_code for s in suggest_jobs(WAREHOUSE, ref, limit=5)]
        assert with_feedback[0] == "N1112"  # Chef cariste
        assert without[0] != "N1112"
