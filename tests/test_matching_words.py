"""People's own words: typos read as the ROME word they are closest to, generic words that
alone name no métier. Each mechanism is general (not a per-word table)."""

from __future__ import annotations

import pytest

from ft_client.matching import match_job, suggest_jobs
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
