"""Gibberish typed as skills, with the semantic index loaded (as in the bot after warm-up).

Known limit, kept visible: multilingual-e5-small puts gibberish at cosines of 0.85-0.88 with
many skill labels, as close as real jargon (« nounou », « deliveroo », acronyms), so matches
by meaning (``meaning.py``) reach skills from it and /metiers shows métiers at low, or for
« blabla truc » high, coverage. Neither cosine statistics (best, top-k mean, gap, z-score)
nor letter-trigram plausibility separated the dev sets' unplaced phrases from gibberish
(session 7, docs/matching-measurements.md). The test is a strict xfail: it fails the suite
the day the limit is lifted, so that this mark goes."""

from __future__ import annotations

import pytest

from ft_client.matching import suggest_jobs
from ft_client.referential import Referential
from tests.helpers_semantic import require_semantic

GIBBERISH = (["qwxzv", "zzkqj"], ["blabla truc"], ["kjhkjh lkjlkj"], ["ezfzefzef"])


@pytest.mark.xfail(strict=True, reason="gibberish reaches skills by meaning (see docstring)")
def test_gibberish_covers_no_job() -> None:
    ref = Referential.load()
    require_semantic(ref)
    for junk in GIBBERISH:
        assert all(s.score == 0 for s in suggest_jobs(junk, ref)), junk


def test_gibberish_covers_no_job_on_the_lexical_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FT_SEMANTIC", "0")
    ref = Referential.load()
    for junk in GIBBERISH:
        assert all(s.score == 0 for s in suggest_jobs(junk, ref)), junk
