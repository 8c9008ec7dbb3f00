"""The job-name signal of ``suggest_jobs``: a short phrase that names a job (alias or ROME
title recognised by ``find_jobs``) counts for that fiche in the ranking; skill descriptions and
words that name no job do not."""

from __future__ import annotations

import pytest

from ft_client.matching import fusion, suggest_jobs
from ft_client.referential import Referential


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


def test_a_short_phrase_naming_a_job_counts_in_the_ranking(ref: Referential) -> None:
    from ft_client.matching.suggest import TITLE_MAX_WORDS, title_relevance

    named = title_relevance(ref, ["auxiliaire de vie", "cariste"])
    assert {"K1302", "N1101"} <= set(named)
    long_phrase = "conduite d'un chariot élévateur et travail de cariste en entrepôt"
    assert len(long_phrase.split()) > TITLE_MAX_WORDS
    assert title_relevance(ref, [long_phrase]) == {}
    assert title_relevance(ref, ["bonjour"]) == {}


def test_naming_the_job_moves_it_up(ref: Referential, monkeypatch) -> None:
    from ft_client.matching import suggest

    phrases = ["poissonnier", "accueil des clients", "encaissement"]
    with_names = [s.rome_code for s in suggest_jobs(phrases, ref, limit=5)]
    monkeypatch.setattr(suggest, "TITLE_WEIGHT", 0.0)  # the lexical path
    monkeypatch.setattr(fusion, "FUSION_WEIGHTS", {**fusion.FUSION_WEIGHTS, "title": 0.0})
    without = [s.rome_code for s in suggest_jobs(phrases, ref, limit=5)]
    assert "D1105" in with_names
    assert with_names.index("D1105") <= (without.index("D1105") if "D1105" in without else 5)
