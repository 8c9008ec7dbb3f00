"""ft_client.careers: the ROME mobility links from a person's target jobs, ranked by coverage,
with the key skills to add — offline, from the bundled referential."""

from __future__ import annotations

import pytest

from ft_client.careers import KEY_SKILLS, career_moves, moves_from
from ft_client.matching import match_job
from tests.helpers_bot import shared_referential

WAITER_SKILLS = ("service en salle", "prise de commande", "encaissement")


def test_moves_come_from_the_mobility_links_best_covered_first() -> None:
    ref = shared_referential()
    waiter = ref.job("G1803")
    assert waiter is not None and len(waiter.mobility) >= 5  # the bundled links are there
    moves = career_moves(WAITER_SKILLS, ["G1803"], ref, limit=20)
    assert [m.rome_code for m in moves] != [] and {m.rome_code for m in moves} == set(
        waiter.mobility
    )
    coverages = [m.coverage for m in moves]
    assert coverages == sorted(coverages, reverse=True)
    assert coverages[0] > 0 and coverages[-1] == 0  # a real spread, not all equal
    for move in moves:
        job = ref.job(move.rome_code)
        assert job is not None and move.label == job.label
        report = match_job(WAITER_SKILLS, job, referential=ref)
        assert move.coverage == report.coverage
        assert move.skills_to_add == tuple(m.label for m in report.missing[:KEY_SKILLS])
        assert 3 <= len(move.skills_to_add) <= 5
        assert (
            move.from_code == "G1803"
            and move.link_order == waiter.mobility.index(move.rome_code) + 1
        )


def test_without_skills_the_publishers_order_stands() -> None:
    ref = shared_referential()
    moves = career_moves([], ["J1501"], ref, limit=20)
    assert [m.rome_code for m in moves] == list(ref.job("J1501").mobility)  # type: ignore[union-attr]
    assert all(m.coverage == 0 for m in moves)


def test_several_targets_no_duplicates_no_target_unknown_codes_ignored() -> None:
    ref = shared_referential()
    # G1803 lists G1603 among its moves: a target is never proposed as a move.
    moves = career_moves(WAITER_SKILLS, ["G1803", "G1603", "Z9999", "G1803"], ref, limit=50)
    codes = [m.rome_code for m in moves]
    assert len(codes) == len(set(codes))
    assert "G1803" not in codes and "G1603" not in codes
    assert {m.from_code for m in moves} == {"G1803", "G1603"}
    assert career_moves(WAITER_SKILLS, ["Z9999"], ref) == []
    assert len(career_moves(WAITER_SKILLS, ["G1803", "G1603"], ref, limit=3)) == 3


def test_more_skills_never_lower_a_moves_coverage() -> None:
    ref = shared_referential()
    before = {m.rome_code: m.coverage for m in moves_from(WAITER_SKILLS, "G1803", ref, limit=20)}
    more = (*WAITER_SKILLS, "accueil des clients", "préparation de boissons")
    after = {m.rome_code: m.coverage for m in moves_from(more, "G1803", ref, limit=20)}
    assert all(after[code] >= value for code, value in before.items())
    assert any(after[code] > value for code, value in before.items())


def test_bad_limits() -> None:
    with pytest.raises(ValueError):
        career_moves(WAITER_SKILLS, ["G1803"], shared_referential(), limit=0)
