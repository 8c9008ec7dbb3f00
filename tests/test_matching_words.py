"""People's own words: typos read as the ROME word they are closest to, generic words that
alone name no métier. Each mechanism is general (not a per-word table)."""

from __future__ import annotations

import pytest

from ft_client.matching import (
    FIND_JOBS_THRESHOLD,
    find_jobs,
    is_recognised,
    match_job,
    suggest_jobs,
)
from ft_client.matching.jobs import alias_key, generic_only
from ft_client.matching.skills import matcher_for
from ft_client.referential import Referential
from ft_client.textnorm import tokens


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("bouclanger", "boulanger"), ("soigante", "soignante"), ("maçonerie", "maconnerie")],
)
def test_a_typo_is_read_as_the_closest_rome_word(ref: Referential, typed: str, meant: str) -> None:
    matcher = matcher_for(ref)
    # Words are compared in their canonical form (accents, feminine and plural folded).
    assert matcher.known_word(tokens(typed)[0]) == tokens(meant)[0]
    assert matcher.phrase_stems(typed) == matcher.phrase_stems(meant)


def test_a_word_rome_lacks_is_kept_not_forced_onto_a_neighbour(ref: Referential) -> None:
    matcher = matcher_for(ref)
    # No ROME word is close enough: the word stays itself (the user vocabulary handles it).
    assert matcher.known_word("django") == "django"
    assert matcher.known_word("instagram") == "instagram"
    # Known words and short words are never "corrected".
    assert matcher.known_word("boulanger") == "boulanger"
    assert matcher.known_word("sql") == "sql"


def test_a_typo_in_a_job_word_still_finds_the_job(ref: Referential) -> None:
    # "bouclanger" shares its 6-letter stem with "bouclage" (hairdressing): without the
    # word-level typo step the hairdressers came first.
    codes = [s.rome_code for s in suggest_jobs(["bouclanger"], ref, limit=3)]
    assert codes[0] in {"D1102", "D1108"}


def test_a_typo_matches_the_same_skills_and_explains_with_the_users_phrase(
    ref: Referential,
) -> None:
    job = ref.job("D1102")
    assert job is not None
    right = match_job(["fabrication du pain"], job, referential=ref)
    typo = match_job(["fabriquation du pain"], job, referential=ref)
    assert right.coverage > 0
    assert typo.coverage == pytest.approx(right.coverage, abs=0.02)
    assert {m.user_skill for m in typo.matched} == {"fabriquation du pain"}


@pytest.mark.parametrize("query", ["gestion", "client", "équipe", "travail en équipe", "qualité"])
def test_a_generic_word_alone_does_not_pick_a_metier(ref: Referential, query: str) -> None:
    hits = find_jobs(query, ref, limit=3)
    # Close matches at most: the bot asks to rephrase rather than adding "Contrôleur de gestion".
    assert hits
    assert not is_recognised(hits)
    assert all(h.score < FIND_JOBS_THRESHOLD for h in hits)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("développeur", "M1805"),
        ("animateur", "G1203"),
        ("vendeur", "D1214"),
        ("agent de sécurité", "K2503"),
    ],
)
def test_a_frequent_word_that_heads_rome_titles_is_still_a_job(
    ref: Referential, query: str, code: str
) -> None:
    hits = find_jobs(query, ref, limit=3)
    assert is_recognised(hits)
    assert hits[0].rome_code == code


def test_generic_only_needs_every_word_generic(ref: Referential) -> None:
    assert generic_only(alias_key("gestion d'équipe"), ref)
    assert not generic_only(alias_key("gestion de paie"), ref)
    assert not generic_only((), ref)
