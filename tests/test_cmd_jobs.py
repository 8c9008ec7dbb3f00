"""/metiers (alias /jobs) end to end."""

from __future__ import annotations

import re

import pytest

from tests.helpers_cmd import WAIT, cmd_env, make_profile

pytestmark = pytest.mark.timeout(120)


async def test_metiers_suggests_jobs_with_match_buttons(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(
            env, 109, skills=("prise de commande", "service en salle", "encaissement")
        )
        user = env.user(109)
        await user.send("/metiers")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Les métiers qui correspondent" in reply.text
        assert reply.buttons
        await user.press(reply.buttons[0][0].text)
        report = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Vos compétences couvrent" in report.text


async def test_metiers_without_skills_asks_then_suggests(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(110)
        await user.send("/jobs")
        assert (
            "j'ai besoin de vos compétences" in (await user.replies(timeout=WAIT, count=1))[-1].text
        )
        await user.send("toilette des patients, prise de constantes, aide au repas")
        replies = await user.replies(timeout=WAIT, count=2)
        assert "Les métiers qui correspondent" in replies[-1].text
        # The issue's own example: a care assistant's words find Aide-soignant (J1501).
        assert "(J1501)" in replies[-1].text
        # Shown best score first: the percentages a user reads never go up down the list.
        shown = [int(p) for p in re.findall(r"(\d+)\s*%", replies[-1].text)]
        assert shown and shown == sorted(shown, reverse=True)


async def test_metiers_with_skills_matching_nothing(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 111, skills=("qwxzv", "zzkqj"))
        user = env.user(111)
        await user.send("/metiers")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Je ne trouve pas de métier" in reply.text
        assert not reply.buttons
