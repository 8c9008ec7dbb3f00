"""The fusion of ``suggest_jobs``' signals when the semantic index is loaded (``fusion.py``):
a linear score over named features, each computed as ``benchmarks/fusion_signals.py`` does."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ft_client.matching import fusion, suggest_jobs
from ft_client.matching.fusion import FusionInputs, fused_relevance, reciprocal_ranks
from ft_client.matching.skills import matcher_for
from ft_client.matching.suggest import rome_likeness
from ft_client.referential import Referential
from tests.helpers_semantic import require_semantic

HAND = {"lex": 0.7, "bm25": 0.35, "sem": 0.3, "title": 0.3, "breadth": 0.2, "u_sem": 0.1}


def inputs(unplaced: float = 0.0, phrases: int = 2) -> FusionInputs:
    return FusionInputs(
        lexical={"A": 2.0, "B": 1.0},
        fulltext={"B": 1.0, "C": 0.5},
        semantic={"C": 1.0, "A": 0.4, "B": 0.0},
        cosines={"A": 0.84, "B": 0.82, "C": 0.86, "D": 0.80},
        phrase_best={"A": 0.90, "B": 0.85, "C": 0.88, "D": 0.81},
        titles={"A": 0.95},
        breadth={"A": 0.5, "B": 0.2, "C": 0.1},
        coverage={"A": 0.3, "B": 0.1, "C": 0.05},
        unplaced=unplaced,
        phrases=phrases,
    )


def test_reciprocal_ranks_follow_values_then_codes() -> None:
    assert reciprocal_ranks({"B": 1.0, "A": 1.0, "C": 2.0}) == {"C": 1.0, "A": 0.5, "B": 1 / 3}
    assert reciprocal_ranks({}) == {}


def test_the_hand_weights_give_the_former_weighted_sum() -> None:
    for unplaced in (0.0, 0.5, 1.0):
        got = fused_relevance(inputs(unplaced), ["A", "B", "C"], HAND)
        assert got["A"] == pytest.approx(0.7 + 0.3 * 0.4 * (1 + unplaced / 3) + 0.285 + 0.1, 1e-4)
        assert got["B"] == pytest.approx(0.35 + 0.35 + 0.04, abs=1e-4)
        assert got["C"] == pytest.approx(0.175 + 0.3 + 0.1 * unplaced + 0.02, abs=1e-4)


def test_each_feature_as_suggest_jobs_reads_it() -> None:
    one = inputs(unplaced=0.5, phrases=4)
    for name, code, expected in (
        ("lex", "B", 0.5),  # ÷ the best lexical relevance
        ("coverage", "A", 0.3),
        ("sem_gap", "A", 0.84 - 0.86),  # to the profile's best mean cosine
        ("sem_max_gap", "B", 0.85 - 0.90),  # to the best single phrase's cosine
        ("rr_lex", "B", 0.5),
        ("rr_bm25", "A", 0.0),  # not in BM25's list
        ("rr_sem", "C", 1.0),
        ("u_lex", "A", 0.5),
        ("u_bm25", "C", 0.25),
        ("short_sem", "A", 0.1),
        ("short_lex", "A", 0.25),
    ):
        got = fused_relevance(one, [code], {name: 1.0})[code]
        assert got == pytest.approx(expected, abs=1e-4), name


def test_the_job_names_at_every_confidence() -> None:
    one = replace(inputs(phrases=2), titles_low={"A": 0.95, "B": 0.86}, titles_read={"B": 0.86})
    for name, code, expected in (
        ("title_low", "B", 0.86),
        ("short_title_low", "B", 0.43),  # ÷ the number of phrases
        ("rr_title_low", "B", 0.5),
        ("rr_title_low", "C", 0.0),
        ("title_read", "B", 0.86),
        ("title_read", "A", 0.0),  # an alias, not a reading
    ):
        got = fused_relevance(one, [code], {name: 1.0})[code]
        assert got == pytest.approx(expected, abs=1e-4), name
    assert fusion.uses_low_titles({"title_low": 0.1}) and not fusion.uses_low_titles(HAND)


def test_the_rome_likeness_gates() -> None:
    one = replace(inputs(phrases=2), likeness=0.8, rome_share=0.5)
    for name, code, expected in (
        ("lk_lex", "A", 0.8),  # × likeness
        ("nlk_lex", "B", 0.5 * 0.2),  # × (1 − likeness)
        ("nlk_title", "A", 0.95 * 0.2),
        ("nr9_sem", "C", 0.5),  # × the share of phrases under 0.9
        ("nlk_sem_max_gap", "B", (0.85 - 0.90) * 0.2),
        ("lo6_lex", "A", 0.0),  # ROME-worded enough: the hard gates are shut
        ("lo7_lex", "A", 0.0),
    ):
        got = fused_relevance(one, [code], {name: 1.0})[code]
        assert got == pytest.approx(expected, abs=1e-4), name
    # A gate and its complement add up to the signal itself.
    both = fused_relevance(one, ["A", "B", "C"], {"lk_bm25": 1.0, "nlk_bm25": 1.0})
    assert both == fused_relevance(one, ["A", "B", "C"], {"bm25": 1.0})
    worded = replace(one, likeness=0.55)
    assert fused_relevance(worded, ["A"], {"lo6_lex": 1.0, "lo7_title": 1.0}) == {"A": 1.95}
    assert fusion.uses_gate({"nlk_sem": 0.1}) and not fusion.uses_gate(HAND)
    assert not fusion.uses_gate(fusion.FUSION_WEIGHTS)  # eleventh pass: no gate passed


def test_relevance_is_rounded_and_covers_the_candidates_only() -> None:
    got = fused_relevance(inputs(), ["A", "D"], {"sem_gap": 1 / 3})
    assert set(got) == {"A", "D"}
    assert got["D"] == round((0.80 - 0.86) / 3, 4)


def test_the_shipped_weights_are_named_features() -> None:
    assert set(fusion.FUSION_WEIGHTS) <= set(fusion.FEATURE_NAMES)
    assert fusion.FUSION_WEIGHTS["lex"] > 0
    columns = fusion.feature_columns(inputs(), ["A", "B"], fusion.FEATURE_NAMES)
    assert set(columns) == set(fusion.FEATURE_NAMES)
    assert all(len(values) == 2 for values in columns.values())


class TestWithTheSemanticSignal:
    @pytest.fixture(autouse=True)
    def semantic(self) -> Referential:
        ref = Referential.load()
        require_semantic(ref)
        return ref

    def test_suggest_jobs_ranks_by_the_fused_relevance(self, monkeypatch) -> None:
        ref = Referential.load()
        phrases = ["service en salle", "prise de commande", "encaissement"]
        shipped = suggest_jobs(phrases, ref, limit=10)
        assert shipped and all(s.score >= 0.005 for s in shipped)  # the « no 0 % » rule
        relevances = [s.relevance for s in shipped]
        assert relevances == sorted(relevances, reverse=True)
        monkeypatch.setattr(fusion, "FUSION_WEIGHTS", {"lex": 1.0})
        lexical_only = suggest_jobs(phrases, ref, limit=10)
        assert lexical_only[0].relevance == 1.0  # the best lexical fiche, scaled to 1

    def test_job_names_under_0_9_join_only_when_weighted(self, monkeypatch) -> None:
        # The shipped fusion reads no job name under 0.9 (tenth pass: none passed the bar), so
        # suggest_jobs does not compute them; weighted, their fiches join the candidates.
        assert not fusion.uses_low_titles(fusion.FUSION_WEIGHTS)
        ref = Referential.load()
        monkeypatch.setattr(fusion, "FUSION_WEIGHTS", {"title_low": 1.0, "lex": 0.01})
        first = suggest_jobs(["maconerie"], ref, limit=3)[0]  # « maçonnerie », misspelt
        assert first.rome_code == "F1703"  # Maçonnerie
        assert first.relevance > 0.7

    def test_rome_likeness_of_rome_wording_and_of_peoples_words(self) -> None:
        matcher = matcher_for(Referential.load())
        rome = ["Accueillir, orienter et renseigner un client", "Procéder à l'encaissement"]
        people = ["je bosse à la caisse", "je range les rayons le soir"]
        rome_mean, rome_share = rome_likeness(matcher, rome)
        people_mean, people_share = rome_likeness(matcher, people)
        assert rome_mean > 0.9 and rome_share == 1.0
        assert people_mean < rome_mean and people_share < 1.0
        assert rome_likeness(matcher, []) == (0.0, 0.0)
