"""The weights of ``suggest_jobs``' fusion shift with the share of a profile's phrases whose words
reach no ROME skill (``fusion.FUSION_WEIGHTS``' ``u_*`` features: more meaning and BM25, less
lexical relevance): there only meaning tells the métier, while a profile whose phrases all
reach skills (ROME wording) keeps the fixed weights."""

from __future__ import annotations

import pytest

from ft_client.matching import fusion, suggest_jobs
from ft_client.matching.skills import matcher_for
from ft_client.referential import Referential
from tests.helpers_semantic import require_semantic

PLACED = ["service en salle", "prise de commande", "encaissement"]
BIKE_DELIVERY = ["livraison de repas à vélo", "deliveroo"]


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


def test_the_unplaced_share_counts_phrases_reaching_no_skill(ref: Referential) -> None:
    from ft_client.matching.suggest import unplaced_share

    matcher = matcher_for(ref)
    assert unplaced_share(matcher, []) == 0.0
    assert unplaced_share(matcher, PLACED) == 0.0
    assert unplaced_share(matcher, ["deliveroo"]) == 1.0
    assert unplaced_share(matcher, ["deliveroo", *PLACED]) == 0.25


class TestWithTheSemanticSignal:
    @pytest.fixture(autouse=True)
    def semantic(self, ref: Referential) -> None:
        require_semantic(ref)

    def test_placed_profiles_keep_the_fixed_weights(self, ref: Referential, monkeypatch) -> None:

        before = [(s.rome_code, s.relevance) for s in suggest_jobs(PLACED, ref, limit=20)]
        unplaced = {name: 0.0 for name in fusion.FUSION_WEIGHTS if name.startswith("u_")}
        assert unplaced
        monkeypatch.setattr(fusion, "FUSION_WEIGHTS", {**fusion.FUSION_WEIGHTS, **unplaced})
        assert [(s.rome_code, s.relevance) for s in suggest_jobs(PLACED, ref, limit=20)] == before

    def test_unplaced_phrases_weigh_meaning_more(self, ref: Referential, monkeypatch) -> None:
        from ft_client.matching import suggest
        from ft_client.matching.semantic import loaded_semantic

        extra = fusion.FUSION_WEIGHTS["u_sem"]
        assert extra > 0
        index = loaded_semantic(ref)
        assert index is not None
        meaning = suggest.top_scaled(index.scores(BIKE_DELIVERY), suggest.SEMANTIC_CANDIDATES)
        with_extra = {s.rome_code: s for s in suggest_jobs(BIKE_DELIVERY, ref, limit=50)}
        monkeypatch.setattr(fusion, "FUSION_WEIGHTS", {**fusion.FUSION_WEIGHTS, "u_sem": 0.0})
        fixed = {s.rome_code: s for s in suggest_jobs(BIKE_DELIVERY, ref, limit=50)}
        common = set(with_extra) & set(fixed)
        assert common
        for code in common:  # every phrase unplaced: share 1
            expected = fixed[code].relevance + extra * meaning.get(code, 0.0)
            assert with_extra[code].relevance == pytest.approx(expected, abs=2e-4)
            assert with_extra[code].score == fixed[code].score  # the coverage shown
        # The delivery rider, first by meaning, goes before the bike mechanic (« vélo »). With
        # the sixth pass's hand weights only the unplaced weight put it first; the fusion
        # fitted across writers (ninth pass) does with or without its ``u_*`` terms.
        assert next(iter(with_extra)) == "N4105"
