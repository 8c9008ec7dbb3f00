"""/alertes end to end: on/off, time buttons, typed time, day toggles — all stored."""

from __future__ import annotations

from datetime import time

import pytest

from bot.handlers.alert_settings import parse_time
from tests.helpers_bot import step
from tests.helpers_cmd import WAIT, cmd_env, make_profile

pytestmark = pytest.mark.timeout(120)


def test_parse_time() -> None:
    assert parse_time("07:30") == time(7, 30)
    assert parse_time("7h30") == time(7, 30)
    assert parse_time("7 h") == time(7, 0)
    assert parse_time("18") == time(18, 0)
    assert parse_time(" 23:59 ") == time(23, 59)
    for bad in ("", "24:00", "12:60", "midi", "7h300", "😀", "1" * 5000, "<b>8</b>"):
        assert parse_time(bad) is None


async def test_alert_settings_buttons_are_stored(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 401)
        storage = env.services.storage
        user = env.user(401)
        await user.send("/alertes")
        card = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Activées" in card.text
        assert "08:00" in card.text
        assert "tous les jours" in card.text

        await user.press("🔕 Désactiver")
        edited = (await user.replies(timeout=WAIT, count=1))[-1]
        assert edited.message_id == card.message_id
        assert "Désactivées" in edited.text
        assert (await storage.get_profile(401)).alerts_enabled is False

        await user.press("🔔 Activer")
        await user.replies(timeout=WAIT, count=1)
        await user.press("12:00")
        edited = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "✅ 12:00" in edited.button_texts
        profile = await storage.get_profile(401)
        assert profile.alerts_enabled is True
        assert profile.alert_time == time(12, 0)

        await user.press("✅ Sam")
        await user.replies(timeout=WAIT, count=1)
        await user.press("✅ Dim")
        edited = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "du lundi" in edited.text or "lundi, mardi, mercredi, jeudi, vendredi" in edited.text
        assert (await storage.get_profile(401)).alert_days == frozenset(range(5))
        assert "Sam" in edited.button_texts

        await user.press("Autre heure…")
        assert "HH:MM" in (await user.replies(timeout=WAIT, count=1))[-1].text
        await user.send("25:99")
        assert "n'est pas une heure valable" in (await user.replies(timeout=WAIT, count=1))[-1].text
        await user.send("7h45")
        replies = await user.replies(timeout=WAIT, count=2)
        assert "07:45" in replies[0].text
        assert (await storage.get_profile(401)).alert_time == time(7, 45)
        # The question is answered: plain text is no longer taken as a time.
        await user.send("08:15")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "07:45" not in reply.text
        assert (await storage.get_profile(401)).alert_time == time(7, 45)


async def test_last_day_cannot_be_removed(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 402)
        storage = env.services.storage
        await storage.set_alerts(402, True, days=[2])
        user = env.user(402)
        await user.send("/alerts")
        card = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "mercredi" in card.text
        await user.press("✅ Mer")
        answer = await user.wait_callback_answer(timeout=WAIT)
        assert "Gardez au moins un jour" in answer.text
        assert (await storage.get_profile(402)).alert_days == frozenset({2})


@pytest.mark.parametrize(
    ("argument", "enabled", "at"),
    [("off", False, time(8, 0)), ("07:30", True, time(7, 30)), ("on", True, time(8, 0))],
)
async def test_alert_command_arguments(tmp_path, argument: str, enabled: bool, at: time) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 403, alerts_enabled=argument != "on")
        user = env.user(403)
        # « 07:30 » is confirmed first, then the card: wait for the card, however late it
        # comes on a loaded machine (a fixed quiet time once read the confirmation only).
        await step(user, f"/alertes {argument}", "Vos alertes quotidiennes")
        profile = await env.services.storage.get_profile(403)
        assert profile.alerts_enabled is enabled
        assert profile.alert_time == at


async def test_alerts_bad_input_and_no_profile(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(404)
        await user.send("/alertes")
        assert "/start" in (await user.replies(timeout=WAIT, count=1))[-1].text
        await make_profile(env, 404)
        await user.send("/alertes <b>midi</b>' OR 1=1")
        replies = await user.replies(timeout=WAIT, count=2)
        assert "« <b>midi</b>' OR 1=1 » n'est pas une heure valable" in replies[0].text
        assert (await env.services.storage.get_profile(404)).alert_time == time(8, 0)
        # A forged day number outside 0-6 is refused by the callback validation.
        await user.press_callback(replies[-1].message_id, "v1|ald|9")
        assert "plus valable" in (await user.wait_callback_answer(timeout=WAIT)).text
