"""bot.soft_skill_profile: ticked soft skills kept in user_data, and their savoir-être share —
a part of its own that never changes the skills coverage (property test) and only grows with
ticks."""

from __future__ import annotations

import json
import random
from typing import Any

from bot.soft_skill_profile import (
    SHOWN,
    USER_DATA_KEY,
    coverage_line,
    match_coverage,
    shown_soft_skills,
    soft_share,
    ticked,
    toggle,
)
from ft_client.models import SoftSkill


def skills(rng: random.Random, count: int = 23) -> list[SoftSkill]:
    return [
        SoftSkill(f"soft_skill_{n:02d}", f"Qualité {n}", None, round(rng.random(), 4))
        for n in range(1, count + 1)
    ]


def test_toggle_keeps_json_in_user_data_and_untoggles() -> None:
    shown = shown_soft_skills(skills(random.Random(1)))
    assert len(shown) == SHOWN and shown == sorted(shown, key=lambda s: -s.score)
    user_data: dict[str, Any] = {}
    assert toggle(user_data, "G1803", "Serveur", shown[0], shown) is True
    assert toggle(user_data, "G1803", "Serveur", shown[2], shown) is True
    assert ticked(user_data, "G1803") == {
        shown[0].key: shown[0].label,
        shown[2].key: shown[2].label,
    }
    entry = json.loads(json.dumps(user_data))[USER_DATA_KEY]["G1803"]
    assert entry["job"] == "Serveur" and entry["total"] == SHOWN
    assert entry["share"] == soft_share(shown, [shown[0].key, shown[2].key]) > 0
    line = coverage_line(user_data, "G1803")
    assert line is not None and "Savoir-être" in line and "2 qualités cochées" in line
    assert toggle(user_data, "G1803", "Serveur", shown[0], shown) is False
    assert "1 qualité cochée" in (coverage_line(user_data, "G1803") or "")
    assert toggle(user_data, "G1803", "Serveur", shown[2], shown) is False
    assert user_data == {}  # nothing left behind
    assert coverage_line(user_data, "G1803") is None and ticked(None, "G1803") == {}


def test_property_soft_share_is_its_own_part_and_only_grows() -> None:
    rng = random.Random(16)
    for _ in range(300):
        shown = shown_soft_skills(skills(rng, rng.randint(1, 23)))
        hard = round(rng.random(), 4)
        user_data: dict[str, Any] = {}
        assert match_coverage(hard, user_data, "G1803").soft_skills is None
        previous = 0.0
        order = list(shown)
        rng.shuffle(order)
        for skill in order:  # ticking one more never lowers the share...
            toggle(user_data, "G1803", "Serveur", skill, shown)
            part = match_coverage(hard, user_data, "G1803")
            assert part.skills == hard  # ...and never touches the skills coverage
            assert part.soft_skills is not None and previous <= part.soft_skills <= 1.0
            previous = part.soft_skills
        assert previous == 1.0  # everything shown ticked
        # Ticks on another métier change nothing here.
        toggle(user_data, "J1501", "Aide-soignant", shown[0], shown)
        assert match_coverage(hard, user_data, "G1803").soft_skills == 1.0


def test_garbage_in_user_data_is_ignored() -> None:
    for junk in (
        {USER_DATA_KEY: "x"},
        {USER_DATA_KEY: {"G1803": 3}},
        {USER_DATA_KEY: {"G1803": {"ticked": []}}},
    ):
        assert ticked(junk, "G1803") == {}
        assert match_coverage(0.4, junk, "G1803").soft_skills is None
    assert soft_share([], ["a"]) == 0.0
