"""/match and empty searches linking to the other France Travail services, end to end through
both emulators: « 🏢 Entreprises » (La Bonne Boîte), « 🧭 Évolution », « 🤝 Savoir-être » and
the market line with « 📊 Marché »; the métier's soft skills in Détail; « 🏢 Entreprises qui
recrutent » under an empty search; /match <words> through ROMEO. Each service on, off (scope
missing), failing and slow."""

from __future__ import annotations

import time

import pytest

from bot import callbacks
from bot.handlers.evolution import MARKET_DEADLINE_SECONDS
from sandbox.france_travail import KNOWN_SCOPES
from tests.helpers_bot import FAST_TYPIST
from tests.helpers_cmd import WAIT, add_offers, cmd_env, make_profile

pytestmark = pytest.mark.timeout(240)

MARKET_ENDPOINTS = ("marche_offres", "marche_embauches", "marche_tension", "marche_salaires")
SERVICE_BUTTONS = ("🏢 Entreprises", "🧭 Évolution", "🤝 Savoir-être")
MARKET_SCOPES = {"api_stats-offres-demandes-emploiv1", "offresetdemandesemploi"}
OTHER_SCOPES = {"api_labonneboitev2", "api_matchviasoftskillsv1"}


def market_calls(env) -> int:
    return sum(env.ft.stats.calls[e] for e in MARKET_ENDPOINTS)


def assert_phone_sized(message) -> None:
    assert len(message.text) <= 1200
    assert all(len(row) <= 3 for row in message.buttons)


async def test_match_links_to_every_service_when_on(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 901)  # serveur (G1803), Paris, 10 km
        add_offers(env, "Serveur en brasserie", 4, rome_code="G1803")
        user = env.user(901)
        await user.send("/match G1803")
        report = (await user.replies(timeout=WAIT, count=1))[-1]
        assert_phone_sized(report)
        assert "📊 Marché : tension " in report.text and "/5" in report.text
        assert "Savoir-être :" not in report.text  # nothing ticked yet
        for label in (*SERVICE_BUTTONS, "📊 Marché", "🔎 Détail"):
            assert label in report.button_texts, label
        assert market_calls(env) == 4
        # Entreprises: La Bonne Boîte for this métier around the person.
        await user.press("🏢 Entreprises", message_id=report.message_id)
        companies = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Entreprises qui recrutent : Serveur / Serveuse en restauration" in companies.text
        assert "Près de Paris · 10 km" in companies.text
        assert env.ft.stats.calls["labonneboite"] == 1
        # Marché: the full card, from the cache filled by /match.
        await user.press("📊 Marché", message_id=report.message_id)
        market = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Marché du travail : Serveur / Serveuse en restauration" in market.text
        assert "Paris · " in market.text and "Tension de recrutement" in market.text
        assert market_calls(env) == 4
        await user.press("🧭 Évolution", message_id=report.message_id)
        moves = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Évolutions possibles depuis Serveur / Serveuse en restauration" in moves.text
        # Détail: the métier's soft skills, with the button to tick them.
        await user.press("🔎 Détail", message_id=report.message_id)
        detail = (await user.replies(timeout=WAIT, count=1))[-1]
        assert_phone_sized(detail)
        assert "🤝 Savoir-être attendu" in detail.text
        assert detail.text.count("• ") >= 3
        assert detail.button_texts == ["🤝 Savoir-être"]
        soft_calls = env.ft.stats.calls["softskills"]
        assert soft_calls == 1
        await user.press("🤝 Savoir-être", message_id=detail.message_id)
        screen = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Savoir-être : Serveur / Serveuse en restauration" in screen.text
        await user.press(screen.button_texts[0], message_id=screen.message_id)
        await user.replies(timeout=WAIT, count=1)
        assert env.ft.stats.calls["softskills"] == soft_calls  # cached
        # Ticked: the savoir-être line comes under the coverage line.
        calls = market_calls(env)  # Évolution asked the tension of the moves too
        await user.send("/match G1803")
        again = (await user.replies(timeout=WAIT, count=1))[-1]
        assert_phone_sized(again)
        lines = again.text.split("\n")
        assert lines[2].startswith("🤝 Savoir-être : ") and "1 qualité cochée" in lines[2]
        assert lines[1].startswith("Vos compétences couvrent")
        assert market_calls(env) == calls  # cached per (métier, territory, quarter)


async def test_match_without_the_optional_services(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        scopes = KNOWN_SCOPES - MARKET_SCOPES - OTHER_SCOPES
        env.ft.config.client_scopes = {env.ft.client_id: scopes}
        await make_profile(env, 902)
        user = env.user(902)
        await user.send("/match G1803")
        report = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "G1803" in report.text and "Marché :" not in report.text
        assert "📊 Marché" not in report.button_texts
        assert "🧭 Évolution" in report.button_texts  # offline: always there
        assert "🤝 Savoir-être" not in report.button_texts
        await user.press("🔎 Détail", message_id=report.message_id)
        detail = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Détail : Serveur" in detail.text and "Savoir-être" not in detail.text
        assert not detail.buttons
        # La Bonne Boîte is hidden (the token request named the missing scopes); an old
        # button still pressed gets the plain explanation.
        assert "🏢 Entreprises" not in report.button_texts
        await user.press_callback(report.message_id, callbacks.encode("coj", "G1803"))
        off = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Service non activé pour ce bot" in off.text
        await user.press_callback(report.message_id, callbacks.encode("mkj", "G1803"))
        assert (
            "Service non activé pour ce bot" in (await user.replies(timeout=WAIT, count=1))[-1].text
        )
        assert (await env.storage.stats())["ft_errors_24h"] == 0


@pytest.mark.parametrize("fault", [429, 500])
async def test_match_with_the_services_failing(tmp_path, fault: int) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 903)
        add_offers(env, "Serveur en brasserie", 4, rome_code="G1803")
        user = env.user(903)
        for endpoint in ("marche", "softskills"):
            env.ft.faults.fail_next(40, kind=fault, endpoint=endpoint)
        await user.send("/match G1803")
        report = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Les meilleures offres près de Paris" in report.text
        assert "Marché :" not in report.text and "📊 Marché" not in report.button_texts
        await user.press("🔎 Détail", message_id=report.message_id)
        detail = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Détail : Serveur" in detail.text and "Savoir-être attendu" not in detail.text
        env.ft.faults.clear()
        await user.send("/match G1803")
        back = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "📊 Marché : tension " in back.text


async def test_a_slow_market_never_delays_match(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 904)
        user = env.user(904)
        env.ft.faults.fail_next(40, kind="timeout", endpoint="marche")
        started = time.monotonic()
        await user.send("/match G1803")
        report = (await user.replies(timeout=WAIT, count=1))[-1]
        assert time.monotonic() - started < MARKET_DEADLINE_SECONDS + 3.0
        assert "G1803" in report.text and "Marché :" not in report.text


async def test_empty_search_offers_companies_that_hire(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 905)
        user = env.user(905)
        await user.send("/recherche scaphandrier à Mende")
        empty = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Aucune offre" in empty.text
        assert "🏢 Entreprises qui recrutent" in empty.button_texts
        await user.press("🏢 Entreprises qui recrutent", message_id=empty.message_id)
        companies = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Entreprises qui recrutent : Scaphandrier" in companies.text
        assert "Près de Mende" in companies.text
        assert env.ft.stats.calls["labonneboite"] == 1
        # A forged or forgotten search key is a stale button, not a crash.
        stale = callbacks.encode("cos", "0123456789")
        await user.press_callback(empty.message_id, stale)
        answer = await user.wait_callback_answer(timeout=WAIT)
        assert answer.text == "Ce bouton n'est plus valable."


async def test_empty_search_without_la_bonne_boite(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        env.ft.config.client_scopes = {env.ft.client_id: KNOWN_SCOPES - {"api_labonneboitev2"}}
        await make_profile(env, 906)
        user = env.user(906)
        await user.send("/entreprises")  # the client learns the scope is missing
        assert "Service non activé" in (await user.replies(timeout=WAIT, count=1))[-1].text
        await user.send("/recherche scaphandrier à Mende")
        empty = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Aucune offre" in empty.text
        assert "🏢 Entreprises qui recrutent" not in empty.button_texts


async def test_match_words_ask_romeo(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 907)
        user = env.user(907)
        await user.send("/match coiffeuse")
        report = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "(D1202)" in report.text
        assert env.ft.stats.calls["romeo"] == 1
        # Curated aliases keep the offline answer, without asking ROMEO.
        await user.send("/match plongeur")
        plongeur = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Scaphandrier" not in plongeur.text
        assert env.ft.stats.calls["romeo"] == 1
        # A code needs no look-up.
        await user.send("/match G1803")
        await user.replies(timeout=WAIT, count=1)
        assert env.ft.stats.calls["romeo"] == 1


@pytest.mark.parametrize("fault", ["off", 500])
async def test_match_words_without_romeo(tmp_path, fault: object) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        if fault == "off":
            env.ft.config.client_scopes = {env.ft.client_id: KNOWN_SCOPES - {"api_romeov2"}}
        else:
            env.ft.faults.fail_next(40, kind=500, endpoint="romeo")
        await make_profile(env, 908)
        user = env.user(908)
        await user.send("/match coiffeuse")
        report = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "(D1202)" in report.text  # the offline look-up alone
