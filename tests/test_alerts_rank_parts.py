"""An alert's ranking cut into parts (the event loop gets a turn between two) gives exactly the
ranking in one piece: same offers, same order, same scores and explanations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.alerts.planning import merge_ranked, rank_for, rank_in_parts
from ft_client.models import Offer
from storage import Profile, TargetJob
from tests.helpers_alerts import LYON_CODE, PARIS_CODE, job_skills, offer_json, referential

NOW = datetime(2026, 12, 2, 7, tzinfo=UTC)


def offers() -> list[Offer]:
    """70 offers of four jobs in two towns, a day apart, with twins (same content, other ids:
    equal scores, so the order between them is the ids')."""
    made = []
    for index in range(35):
        rome = ("G1803", "G1602", "J1501", "K2204")[index % 4]
        place = (PARIS_CODE, LYON_CODE)[index % 2]
        created = NOW - timedelta(days=index % 5, hours=index % 3)
        for twin in ("a", "b"):
            data = offer_json(
                rome=rome,
                place_code=place,
                created=created,
                skills=1 + index % 4,
                offer_id=f"{rome}{index:03d}{twin}",
            )
            offer = Offer.from_json(data)
            assert offer is not None
            made.append(offer)
    # Shuffled by a fixed rule: the parts must not rely on the input's order.
    return made[1::2][::-1] + made[::2]


def waiter() -> Profile:
    return Profile(
        user_id=1,
        target_jobs=(TargetJob("G1803", "Serveur"),),
        skills=(*job_skills("G1803", 3), "anglais", "travail en équipe"),
        place_code=PARIS_CODE,
        radius_km=30,
    )


@pytest.mark.parametrize("part_size", [1, 7, 16, 200])
def test_parts_merged_equal_the_ranking_in_one_piece(part_size: int) -> None:
    ref = referential()
    sample = offers()
    whole = rank_for(waiter(), ref, sample, NOW)
    parts = list(rank_in_parts(waiter(), ref, sample, NOW, part_size=part_size))
    assert len(parts) == -(-len(sample) // part_size)
    assert merge_ranked(parts) == whole
    # The twins tie: the order between them is their ids', as in one piece.
    scores = [r.score for r in whole]
    assert len(set(scores)) < len(scores)


def test_no_offers_no_parts() -> None:
    assert list(rank_in_parts(waiter(), referential(), [], NOW)) == []
    assert merge_ranked([]) == []


def test_one_skill_fit_shared_by_a_persons_alerts_changes_nothing() -> None:
    """The cycle keeps one `SkillFit` per person for all their alerts and parts: each alert's
    ranking is exactly what a fresh ranking gives, whatever was ranked with that fit before."""
    from ft_client.matching import MatchProfile, SkillFit

    ref = referential()
    sample = offers()
    person = waiter()
    elsewhere = MatchProfile(
        skills=person.skills, target_rome_codes=("G1602",), commune=LYON_CODE, radius_km=10
    )
    fit = SkillFit(person.skills, ref)
    first = merge_ranked(rank_in_parts(person, ref, sample[:40], NOW, skill_fit=fit))
    second = merge_ranked(rank_in_parts(person, ref, sample, NOW, elsewhere, 9, skill_fit=fit))
    assert first == rank_for(person, ref, sample[:40], NOW)
    assert second == rank_for(person, ref, sample, NOW, elsewhere)
    assert first != second[: len(first)]  # the other alert's criteria did change the ranking
    # A fit made for other skills is not used (its matches would be someone else's).
    other = SkillFit(("soudure à l'arc",), ref)
    assert merge_ranked(rank_in_parts(person, ref, sample, NOW, skill_fit=other)) == rank_for(
        person, ref, sample, NOW
    )
