"""/marche end to end through both emulators: tension with its factors, offers and hires of the
quarter, salary range, for the profile's département or a typed place; cached per (métier,
territory, quarter); the service missing, rate-limited and failing; bad input."""

from __future__ import annotations

import pytest

from sandbox.france_travail import KNOWN_SCOPES
from tests.helpers_bot import FAST_TYPIST
from tests.helpers_cmd import WAIT, cmd_env, make_profile

pytestmark = pytest.mark.timeout(180)

MARKET_ENDPOINTS = ("marche_offres", "marche_embauches", "marche_tension", "marche_salaires")


def market_calls(env) -> int:
    return sum(env.ft.stats.calls[e] for e in MARKET_ENDPOINTS)


async def test_market_for_the_profile_and_for_a_typed_place(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 801)  # serveur (G1803), Paris
        user = env.user(801)
        await user.send("/marche")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Marché du travail : Serveur / Serveuse en restauration" in reply.text
        assert "Paris · " in reply.text and "trimestre" in reply.text
        assert "Tension de recrutement : " in reply.text and "/5" in reply.text
        assert "Pourquoi :" in reply.text and reply.text.count("• ") == 3
        assert "Offres sur le trimestre : " in reply.text
        assert "Embauches sur le trimestre : " in reply.text
        assert "Salaire brut mensuel : " in reply.text and "€" in reply.text
        assert market_calls(env) == 4
        # Cached per (métier, territory, quarter): asking again costs no call...
        await user.send("/marche G1803")
        assert "Paris · " in (await user.replies(timeout=WAIT, count=1))[-1].text
        assert market_calls(env) == 4
        # ...another territory does.
        await user.send("/marche serveur à Lyon")
        lyon = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Rhône · " in lyon.text
        await user.send("/marche aide-soignant 44")
        nantes = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Aide-soignant" in nantes.text and "Loire-Atlantique · " in nantes.text
        assert market_calls(env) == 12


async def test_market_without_a_profile_is_national(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(802)
        await user.send("/marche boulanger")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Marché du travail : Boulanger" in reply.text and "France entière" in reply.text


async def test_market_bad_input_gets_clear_french_answers(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(803)
        cases = {
            "/marche": "Indiquez un métier",
            "/marche ZZZ": "Je ne trouve aucun métier pour « ZZZ »",
            "/marche A9999": "Je ne trouve aucun métier pour « A9999 »",
            "/marche 12345678": "Je ne trouve aucun métier",
            "/marche serveur à Zzyzxville": "Je ne connais pas le lieu « Zzyzxville »",
            "/marche " + "boulanger " * 400: "Votre message est trop long",
        }
        for command, expected in cases.items():
            await user.send(command)
            reply = (await user.replies(timeout=WAIT, count=1))[-1]
            assert expected in reply.text, (command[:40], reply.text)
        assert market_calls(env) == 0


async def test_market_service_not_subscribed(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        scopes = KNOWN_SCOPES - {"api_stats-offres-demandes-emploiv1", "offresetdemandesemploi"}
        env.ft.config.client_scopes = {env.ft.client_id: scopes}
        await make_profile(env, 804)
        user = env.user(804)
        await user.send("/marche")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Service non activé pour ce bot" in reply.text
        assert "Marché du travail" in reply.text
        await user.send("/recherche serveur")
        assert "offre" in (await user.replies(timeout=WAIT, count=1))[-1].text
        await user.send("/entreprises")  # another optional service, still on
        assert "Entreprises qui recrutent" in (await user.replies(timeout=WAIT, count=1))[-1].text
        assert market_calls(env) == 0


async def test_market_rate_limited_and_failing(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(805)
        env.ft.faults.fail_next(40, kind=429, endpoint="marche")
        await user.send("/marche serveur")
        assert "reçoit trop de demandes" in (await user.replies(timeout=60, count=1))[-1].text
        env.ft.faults.clear()
        for fault, job in ((500, "boulanger"), ("malformed", "plombier")):
            env.ft.faults.fail_next(40, kind=fault, endpoint="marche_tension")
            await user.send(f"/marche {job}")
            down = (await user.replies(timeout=60, count=1))[-1]
            assert "ne répond pas pour le moment" in down.text, fault
            env.ft.faults.clear()
        assert (await env.storage.stats())["ft_errors_24h"] == 3
        await user.send("/marche boulanger")
        assert "Tension de recrutement" in (await user.replies(timeout=WAIT, count=1))[-1].text
