"""A worker's warm-up (`bot.worker.warmup.warm_up_ranking`) builds what ranking offers uses and
none of the look-ups of a person's requests (job titles, place names, full text, suggestions):
the memory a worker saves. What it skips stays buildable on first use."""

from __future__ import annotations

import gc

import pytest

from bot.worker import warmup
from ft_client.matching import fulltext
from ft_client.matching.skills import _matchers, matcher_for
from ft_client.referential import DATA_DIR, Referential


@pytest.fixture
def fresh(monkeypatch) -> Referential:
    """A referential of its own (not the shared, maybe fully warmed, one); no real gc.freeze."""
    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    ref = Referential.from_files(DATA_DIR)
    yield ref
    assert frozen == [True]
    _matchers.pop(id(ref), None)
    fulltext._indexes.pop(id(ref), None)


def test_ranking_parts_built_request_look_ups_not(fresh: Referential) -> None:
    warmup.warm_up_ranking(fresh)
    built = vars(fresh)
    assert {"skill_index", "_places"} <= built.keys()
    assert not {"_job_index", "_place_index", "_postal_index", "_grid"} & built.keys()
    assert id(fresh) not in fulltext._indexes
    matcher = matcher_for(fresh)
    assert matcher._stem_jobs is None and matcher._skill_jobs_core is None
    assert len(matcher._phrase_cache) > 0  # the sample profile was ranked


def test_what_was_skipped_is_built_on_first_use(fresh: Referential) -> None:
    warmup.warm_up_ranking(fresh)
    assert fresh.find_jobs("boulanger")[0].rome_code == "D1102"
    assert fresh.find_places("Paris")
    assert "_job_index" in vars(fresh)


def test_a_referential_without_the_sample_job_still_warms_up(
    fresh: Referential, monkeypatch
) -> None:
    monkeypatch.setattr(warmup, "_JOB", "Z9999")
    warmup.warm_up_ranking(fresh)  # no sample offer to rank: nothing built, no error
    assert "skill_index" not in vars(fresh)
