"""/entreprises end to end through both emulators: companies near the person (La Bonne Boîte),
keeping one (exported by /mesdonnees, erased by /supprimer), the service missing, rate-limited
and failing, and bad input (nothing, 5 000 characters, an unknown place, an unknown job)."""

from __future__ import annotations

import json

import pytest

from sandbox.france_travail import KNOWN_SCOPES
from tests.helpers_bot import FAST_TYPIST, small_ft_config
from tests.helpers_cmd import WAIT, cmd_env, make_profile

pytestmark = pytest.mark.timeout(180)

SERVICE_OFF = "Service non activé pour ce bot"
LONG = ("/entreprises " + "serveur à Lyon " * 400)[:5000]  # 5 000 characters typed


async def test_companies_near_the_profile_and_keeping_one(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 701)  # serveur (G1803), Paris, 10 km
        user = env.user(701)
        await user.send("/entreprises")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Entreprises qui recrutent : Serveur / Serveuse en restauration" in reply.text
        assert "Près de Paris · 10 km" in reply.text
        assert "Restauration traditionnelle" in reply.text  # the NAF activity
        assert "salariés" in reply.text and " km" in reply.text
        assert "potentiel d'embauche" in reply.text
        assert "e-mail" in reply.text and "Candidature spontanée" in reply.text
        assert reply.button_texts[:2] == ["⭐ 1", "⭐ 2"]
        request = env.ft.stats.calls["labonneboite"]
        assert request == 1
        # The first company, by name, is what gets kept.
        first_name = reply.text.split("\n")[3].split("</b>")[0]
        name = first_name.split(". ", 1)[1].split(" — ")[0]
        await user.press("⭐ 1")
        saved = (await user.replies(timeout=WAIT, count=1))[-1]
        assert f"Entreprise sauvegardée : {name}" in saved.text
        await user.send("/entreprises favoris")
        listing = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Mes entreprises sauvegardées" in listing.text and name in listing.text
        await user.send("/mesdonnees")
        export = (await user.replies(timeout=WAIT, count=1))[-1]
        data = json.loads(export.document.decode("utf-8"))
        kept = data["bot_memory"]["user_data"]["saved_companies"]
        assert [c["name"] for c in kept] == [name]
        # Removing it from the list.
        await user.press("🗑 1")
        emptied = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Aucune entreprise sauvegardée" in emptied.text
        # Saved again, then /supprimer erases it with everything else.
        await user.send("/entreprises")
        await user.replies(timeout=WAIT, count=1)
        await user.press("⭐ 2")
        await user.replies(timeout=WAIT, count=1)
        await user.send("/supprimer")
        await user.replies(timeout=WAIT, count=1)
        await user.press("Oui, tout effacer")
        await user.replies(timeout=WAIT, count=1)
        await env.app.update_persistence()
        assert "saved_companies" not in json.dumps(await env.storage.export_user(701))
        await user.send("/entreprises favoris")
        assert (
            "Aucune entreprise sauvegardée" in (await user.replies(timeout=WAIT, count=1))[-1].text
        )


async def test_companies_for_a_typed_job_and_place(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(702)  # no profile at all
        await user.send("/entreprises boulanger à Lyon")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Entreprises qui recrutent : Boulanger" in reply.text
        assert "Près de Lyon" in reply.text
        await user.send("/entreprises aide à domicile à Nantes")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Près de Nantes" in reply.text
        await user.send("/entreprises G1803 69")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Près de Rhône" in reply.text


async def test_companies_bad_input_gets_clear_french_answers(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(703)
        cases = {
            "/entreprises": "Indiquez un métier et un lieu",  # no profile, nothing typed
            LONG[:4096]: "Votre message est trop long",
            "/entreprises serveur à Zzyzxville": "Je ne connais pas le lieu « Zzyzxville »",
            "/entreprises qsdfghjk à Lyon": "Je ne trouve aucun métier pour « qsdfghjk »",
            "/entreprises serveur": "Où chercher ?",  # no place, none in a profile
            "/entreprises <b>x</b> à Lyon": "Je ne trouve aucun métier pour « &lt;b&gt;",
        }
        for command, expected in cases.items():
            await user.send(command)
            reply = (await user.replies(timeout=WAIT, count=1))[-1]
            assert expected in reply.html if "&lt;" in expected else expected in reply.text, (
                command[:40],
                reply.text,
            )
        # A 5 000-character message arrives as two (Telegram's limit): the rest is plain text.
        await user.send(LONG[4096:])
        assert "Je n'ai pas compris" in (await user.replies(timeout=WAIT, count=1))[-1].text
        assert env.ft.stats.calls["labonneboite"] == 0


async def test_companies_service_not_subscribed(tmp_path) -> None:
    config = small_ft_config()
    async with cmd_env(tmp_path, ft_config=config, tg_kwargs=FAST_TYPIST) as env:
        env.ft.config.client_scopes = {env.ft.client_id: KNOWN_SCOPES - {"api_labonneboitev2"}}
        await make_profile(env, 704)
        user = env.user(704)
        await user.send("/entreprises")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert SERVICE_OFF in reply.text and "La Bonne Boîte" in reply.text
        # Everything else keeps working, and the service is not asked again.
        await user.send("/recherche serveur")
        assert "offre" in (await user.replies(timeout=WAIT, count=1))[-1].text
        await user.send("/entreprises boulanger à Lyon")
        assert SERVICE_OFF in (await user.replies(timeout=WAIT, count=1))[-1].text
        assert env.ft.stats.calls["labonneboite"] == 0
        assert (await env.storage.stats())["ft_errors_24h"] == 0  # configuration, not outage


async def test_companies_rate_limited_and_failing(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 705)
        user = env.user(705)
        env.ft.faults.fail_next(20, kind=429, endpoint="labonneboite")
        await user.send("/entreprises")
        busy = (await user.replies(timeout=60, count=1))[-1]
        assert "reçoit trop de demandes" in busy.text
        env.ft.faults.clear()
        for fault in (503, "malformed"):
            env.ft.faults.fail_next(20, kind=fault, endpoint="labonneboite")
            await user.send("/entreprises boulanger à Lyon")
            down = (await user.replies(timeout=60, count=1))[-1]
            assert "ne répond pas pour le moment" in down.text, fault
            env.ft.faults.clear()
        assert (await env.storage.stats())["ft_errors_24h"] == 3
        await user.send("/entreprises boulanger à Lyon")
        assert "Entreprises qui recrutent" in (await user.replies(timeout=WAIT, count=1))[-1].text
