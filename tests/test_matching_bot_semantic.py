"""Issue 12 end to end through the emulators in the production configuration: the semantic
index loaded (as the bot's start-up `warm_up` loads it), so `/metiers` ranks by the fitted
fusion of words, BM25, meaning and job names. The other bot tests run the lexical path (a
process that never warms up keeps it)."""

from __future__ import annotations

import re

import pytest

from ft_client.matching.semantic import loaded_semantic
from ft_client.referential import Referential
from tests.helpers_cmd import WAIT, cmd_env, make_profile
from tests.helpers_semantic import require_semantic

pytestmark = pytest.mark.timeout(180)

# The space before « % » is a narrow no-break space in the bot's French.
_SHOWN_PERCENT = re.compile(r"\(([A-N]\d{4})\)[^\n]*?(\d+)\s%")


@pytest.fixture(autouse=True)
def semantic_index() -> None:
    ref = Referential.load()  # the instance the bot's services load too
    require_semantic(ref)
    assert loaded_semantic(ref) is not None


def shown_percents(text: str) -> dict[str, int]:
    """ROME code → the percentage a `/metiers` line shows for it."""
    return {code: int(percent) for code, percent in _SHOWN_PERCENT.findall(text)}


@pytest.mark.parametrize(
    ("skills", "expected"),
    [
        (("sql", "django", "git"), {"M1805"}),
        (("livraison de repas à vélo", "deliveroo"), {"N4104", "N4105"}),
        (("toilette des personnes âgées", "aide au repas", "ehpad"), {"K1302", "J1501"}),
    ],
)
async def test_metiers_in_peoples_words_with_meaning(
    tmp_path, skills: tuple[str, ...], expected: set[str]
) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 311, skills=skills)
        user = env.user(311)
        await user.send("/metiers")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        shown = shown_percents(reply.text)
        assert expected & set(shown), reply.text
        assert all(percent > 0 for percent in shown.values())  # no métier offered at 0 %


async def test_adding_true_transversal_skills_lowers_no_shown_percent(tmp_path) -> None:
    skills = ("service en salle", "prise de commande", "encaissement")
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 312, skills=skills)
        await make_profile(env, 313, skills=(*skills, "permis B", "travail en équipe"))
        shown = []
        for user_id in (312, 313):
            user = env.user(user_id)
            await user.send("/metiers")
            shown.append(shown_percents((await user.replies(timeout=WAIT, count=1))[-1].text))
    before, after = shown
    assert before, "the waiter's métiers are listed"
    assert "G1803" in before
    lowered = {code: (before[code], after[code]) for code in before.keys() & after.keys()}
    assert all(new >= old for old, new in lowered.values()), lowered
