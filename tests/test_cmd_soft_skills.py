"""/savoiretre and its buttons end to end through both emulators: the métier's soft skills
(Match via Soft Skills), ticked and unticked by the person, kept in their profile data (exported
by /mesdonnees, erased by /supprimer); the "Savoir-être" entry point other screens link to; the
service missing (explained, button hidden), rate-limited and failing."""

from __future__ import annotations

import json

import pytest

from bot.handlers.soft_skills import SERVICE_API, soft_skills_button, view_callback_data
from bot.soft_skill_profile import coverage_line
from sandbox.france_travail import KNOWN_SCOPES
from tests.helpers_bot import FAST_TYPIST
from tests.helpers_cmd import WAIT, cmd_env, make_profile

pytestmark = pytest.mark.timeout(180)


async def test_tick_soft_skills_kept_exported_and_erased(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 951)  # serveur (G1803)
        user = env.user(951)
        await user.send("/savoiretre")
        screen = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Savoir-être : Serveur / Serveuse en restauration" in screen.text
        assert "Savoir-être coché : 0 sur 8 · 0 % de l'attendu" in screen.text
        labels = screen.button_texts
        assert len(labels) == 8 and all(label.startswith("▫️ ") for label in labels)
        await user.press(labels[0])
        ticked_screen = (await user.replies(timeout=WAIT, count=1))[-1]
        assert ticked_screen.edited and ticked_screen.message_id == screen.message_id
        assert ticked_screen.button_texts[0] == "✅ " + labels[0][3:]
        assert "Savoir-être coché : 1 sur 8" in ticked_screen.text
        await user.press(ticked_screen.button_texts[3])
        two = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Savoir-être coché : 2 sur 8" in two.text
        assert env.ft.stats.calls["softskills"] == 1  # ticking costs no call
        user_data = env.app.user_data[951]
        assert "2 qualités cochées" in (coverage_line(user_data, "G1803") or "")
        # Unticking.
        await user.press(two.button_texts[3])
        assert "Savoir-être coché : 1 sur 8" in (await user.replies(timeout=WAIT, count=1))[-1].text
        # Exported with the person's data...
        await user.send("/mesdonnees")
        export = (await user.replies(timeout=WAIT, count=1))[-1]
        data = json.loads(export.document.decode("utf-8"))
        kept = data["bot_memory"]["user_data"]["soft_skills"]["G1803"]
        assert list(kept["ticked"].values()) == [labels[0][3:]] and 0 < kept["share"] < 1
        # ...and erased with it.
        await user.send("/supprimer")
        await user.replies(timeout=WAIT, count=1)
        await user.press("Oui, tout effacer")
        await user.replies(timeout=WAIT, count=1)
        await env.app.update_persistence()
        assert "soft_skill" not in json.dumps(await env.storage.export_user(951))
        assert coverage_line(env.app.user_data.get(951), "G1803") is None


async def test_typed_job_entry_point_and_bad_input(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(952)  # no profile
        await user.send("/savoiretre boulanger")
        screen = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Savoir-être : Boulanger" in screen.text and len(screen.button_texts) == 8
        # The "Savoir-être" button other screens show: v1|ssv|<ROME>, only while the service is on.
        button = soft_skills_button("J1501", env.services)
        assert button is not None and button.callback_data == view_callback_data("J1501")
        assert view_callback_data("J1501") == "v1|ssv|J1501"
        await user.press_callback(screen.message_id, view_callback_data("J1501"))
        other = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Savoir-être : Aide-soignant" in other.text
        await user.press(other.button_texts[1])
        assert "1 sur 8" in (await user.replies(timeout=WAIT, count=1))[-1].text
        # Forged or stale toggles change nothing.
        await user.press_callback(other.message_id, "v1|sst|J1501|42")
        answer = await user.wait_callback_answer(timeout=WAIT)
        assert answer.show_alert and "a changé" in (answer.text or "")
        cases = {
            "/savoiretre": "Indiquez un métier",
            "/savoiretre ZZZ": "Je ne trouve aucun métier pour « ZZZ »",
            "/savoiretre " + "boulanger " * 300: "Votre message est trop long",
        }
        for command, expected in cases.items():
            await user.send(command)
            reply = (await user.replies(timeout=WAIT, count=1))[-1]
            assert expected in reply.text, (command[:30], reply.text)


async def test_soft_skills_service_not_subscribed(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        scopes = KNOWN_SCOPES - {"api_matchviasoftskillsv1"}
        env.ft.config.client_scopes = {env.ft.client_id: scopes}
        await make_profile(env, 953)
        user = env.user(953)
        await user.send("/savoiretre")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Service non activé pour ce bot" in reply.text
        assert "Match via Soft Skills" in reply.text and not reply.button_texts
        assert not env.services.ft.service_enabled(SERVICE_API)
        assert soft_skills_button("G1803", env.services) is None  # hidden on other screens
        await user.send("/evolution")  # the rest keeps working
        assert "Évolutions possibles" in (await user.replies(timeout=WAIT, count=1))[-1].text
        assert env.ft.stats.calls["softskills"] == 0
        assert (await env.storage.stats())["ft_errors_24h"] == 0


async def test_soft_skills_rate_limited_and_failing(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 954)
        user = env.user(954)
        env.ft.faults.fail_next(40, kind=429, endpoint="softskills")
        await user.send("/savoiretre")
        busy = (await user.replies(timeout=60, count=1))[-1]
        assert "« Match via Soft Skills » reçoit trop de demandes" in busy.text
        env.ft.faults.clear()
        env.ft.faults.fail_next(40, kind=500, endpoint="softskills")
        await user.send("/savoiretre")
        down = (await user.replies(timeout=60, count=1))[-1]
        assert "ne répond pas pour le moment" in down.text
        env.ft.faults.clear()
        await user.send("/savoiretre")
        screen = (await user.replies(timeout=WAIT, count=1))[-1]
        assert len(screen.button_texts) == 8
        # The service fails between showing and ticking: said in an alert, nothing ticked.
        env.services.ft.clear_cache()
        env.ft.faults.fail_next(40, kind=500, endpoint="softskills")
        await user.press(screen.button_texts[0])
        answer = await user.wait_callback_answer(timeout=60)
        assert answer.show_alert and "indisponible" in (answer.text or "")
        assert coverage_line(env.app.user_data.get(954), "G1803") is None
        assert (await env.storage.stats())["ft_errors_24h"] == 3
