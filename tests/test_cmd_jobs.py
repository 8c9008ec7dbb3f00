"""/metiers (alias /jobs) end to end; under the list, Évolution and (while the soft-skills
service is on) Savoir-être for the first métier."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from bot import cards
from bot.handlers.jobs import MESSAGE_LIMIT, with_first_job_buttons
from sandbox.france_travail import KNOWN_SCOPES
from tests.helpers_bot import FAST_TYPIST
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


async def test_metiers_with_skills_matching_nothing(tmp_path, monkeypatch) -> None:
    # The lexical path, whatever ran before in this process: once another test has loaded the
    # semantic index, matches by meaning reach skills even from gibberish (a known limit,
    # tests/test_matching_junk.py), and this test would depend on the test order.
    monkeypatch.setenv("FT_SEMANTIC", "0")
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 111, skills=("qwxzv", "zzkqj"))
        user = env.user(111)
        await user.send("/metiers")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Je ne trouve pas de métier" in reply.text
        assert not reply.buttons


CARE_SKILLS = ("toilette des patients", "prise de constantes", "aide au repas")


async def test_metiers_offers_career_moves_and_soft_skills_for_the_first_job(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 112, skills=CARE_SKILLS)
        user = env.user(112)
        await user.send("/metiers")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert len(reply.text) <= MESSAGE_LIMIT
        first = reply.buttons[0][0].text.split(" · ")[0]
        assert [b.text for b in reply.buttons[-1]] == ["🧭 Évolution", "🤝 Savoir-être"]
        assert f"🧭 Évolution, 🤝 Savoir-être : pour {first[:39]}" in reply.text
        assert all(len(row) <= 3 for row in reply.buttons)
        await user.press("🧭 Évolution", message_id=reply.message_id)
        moves = (await user.replies(timeout=WAIT, count=1))[-1]
        assert f"Évolutions possibles depuis {first}" in moves.text
        await user.press("🤝 Savoir-être", message_id=reply.message_id)
        screen = (await user.replies(timeout=WAIT, count=1))[-1]
        assert f"Savoir-être : {first}" in screen.text and screen.button_texts
        assert env.ft.stats.calls["softskills"] >= 1


async def test_metiers_hides_soft_skills_when_the_service_is_off(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        scopes = KNOWN_SCOPES - {"api_matchviasoftskillsv1"}
        env.ft.config.client_scopes = {env.ft.client_id: scopes}
        await make_profile(env, 113, skills=CARE_SKILLS)
        user = env.user(113)
        await user.send("/savoiretre")  # the bot learns the scope is refused
        assert "Service non activé" in (await user.replies(timeout=WAIT, count=1))[-1].text
        await user.send("/metiers")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert [b.text for b in reply.buttons[-1]] == ["🧭 Évolution"]
        assert "Savoir-être" not in reply.text and "🧭 Évolution : pour" in reply.text
        await user.press("🧭 Évolution", message_id=reply.message_id)
        assert "Évolutions possibles" in (await user.replies(timeout=WAIT, count=1))[-1].text
        assert env.ft.stats.calls["softskills"] == 0


async def test_metiers_soft_skills_failing_is_said_after_the_tap(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 114, skills=CARE_SKILLS)
        user = env.user(114)
        await user.send("/metiers")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        env.ft.faults.fail_next(40, kind=500, endpoint="softskills")
        await user.press("🤝 Savoir-être", message_id=reply.message_id)
        down = (await user.replies(timeout=60, count=1))[-1]
        assert "ne répond pas pour le moment" in down.text


def test_longest_list_stays_under_the_limit() -> None:
    """Five métiers with the longest titles: the line naming the first one still fits, or is
    left out rather than pushing the message over the limit."""
    views = [cards.JobSuggestionView(f"A100{i}", "Ouvrier " * 20, 0.5) for i in range(5)]
    base = cards.job_suggestions(views)

    soft_skills_off = SimpleNamespace(ft=SimpleNamespace(service_enabled=lambda api: False))
    message, keyboard = with_first_job_buttons(
        base,
        cards.job_suggestions_keyboard(views),
        views[0],
        soft_skills_off,  # type: ignore[arg-type]
    )
    assert len(message) <= MESSAGE_LIMIT and message.startswith(base)
    assert "🧭 Évolution : pour" in message  # 1 000 characters before it: the line fits
    assert [b.text for b in keyboard.inline_keyboard[-1]] == ["🧭 Évolution"]
    assert len(keyboard.inline_keyboard) == 6
