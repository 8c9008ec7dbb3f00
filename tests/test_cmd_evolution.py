"""/evolution end to end through both emulators: the career moves from the profile's target
jobs (ROME mobility links, offline), ranked by coverage, with the skills to add and the
recruitment tension when Marché du travail answers in time; the "Évolution" button entry point;
the market service missing, rate-limited and failing (the moves still come); bad input; no
profile."""

from __future__ import annotations

import re

import pytest

from bot.handlers.evolution import TENSION_MOVES, evolution_callback_data
from sandbox.france_travail import KNOWN_SCOPES
from tests.helpers_bot import FAST_TYPIST, wait_until
from tests.helpers_cmd import WAIT, cmd_env, make_profile

pytestmark = pytest.mark.timeout(180)

MARKET_ENDPOINTS = ("marche_offres", "marche_embauches", "marche_tension", "marche_salaires")
MOVE_RE = re.compile(r"^(\d)\. (.+) \(([A-N]\d{4})\) — vos compétences couvrent (\d+)\s*%$", re.M)


def market_calls(env) -> int:
    return sum(env.ft.stats.calls[e] for e in MARKET_ENDPOINTS)


def moves_of(text: str) -> list[tuple[str, int]]:
    return [(code, int(percent)) for _, _, code, percent in MOVE_RE.findall(text)]


async def test_evolution_from_the_profile_with_tension_then_cached(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 901)  # serveur (G1803), Paris
        user = env.user(901)
        await user.send("/evolution")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Évolutions possibles depuis Serveur / Serveuse en restauration" in reply.text
        moves = moves_of(reply.text)
        waiter = env.services.referential.job("G1803")
        assert len(moves) == 6 and {code for code, _ in moves} <= set(waiter.mobility)
        percents = [percent for _, percent in moves]
        assert percents == sorted(percents, reverse=True) and percents[0] > 0
        assert reply.text.count("À acquérir : ") == 6
        assert "Tension de recrutement" in reply.text  # Marché du travail is on
        assert reply.button_texts == [f"🎯 {n}" for n in range(1, 7)]
        # The market look-ups that missed the deadline finish in the background: next time
        # every figure comes from the cache.
        # (≥: on a loaded machine the client may retry a slow call.)
        await wait_until(lambda: market_calls(env) >= 4 * TENSION_MOVES, timeout=30)
        before = market_calls(env)
        await user.send("/evolution")
        again = (await user.replies(timeout=WAIT, count=1))[-1]
        assert again.text.count("Tension de recrutement") == TENSION_MOVES
        assert "indisponible" not in again.text
        assert market_calls(env) == before  # all from the cache
        # 🎯 opens /match for that métier.
        first_code = moves[0][0]
        await user.press("🎯 1")
        label = env.services.referential.job(first_code).label
        detail = (await user.replies(timeout=WAIT, count=1))[-1]
        assert label.split(" / ")[0] in detail.text


async def test_evolution_button_entry_point_and_typed_job(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 902)
        user = env.user(902)
        await user.send("/evolution aide-soignant")
        typed = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Évolutions possibles depuis Aide-soignant" in typed.text
        assert {c for c, _ in moves_of(typed.text)} <= set(
            env.services.referential.job("J1501").mobility
        )
        # Another screen's "Évolution" button: v1|evo|<ROME>.
        assert evolution_callback_data("M1805") == "v1|evo|M1805"
        await user.press_callback(typed.message_id, evolution_callback_data("M1805"))
        pressed = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Évolutions possibles depuis Développeur / Développeuse informatique" in (
            pressed.text
        )
        await user.press_callback(typed.message_id, "v1|evo|A0000")  # no such métier
        assert "plus dans le répertoire" in (await user.replies(timeout=WAIT, count=1))[-1].text


async def test_evolution_without_a_profile_and_bad_input(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        stranger = env.user(903)
        await stranger.send("/evolution")
        reply = (await stranger.replies(timeout=WAIT, count=1))[-1]
        assert "il me faut vos métiers visés et vos compétences" in reply.text
        assert "/start" in reply.text
        sent = await stranger.send("/aide")
        message = (await stranger.replies(timeout=WAIT, count=1))[-1]
        assert "/evolution" in message.text and "/savoiretre" in message.text
        await stranger.press_callback(message.message_id, evolution_callback_data("G1803"))
        assert "/start" in (await stranger.replies(timeout=WAIT, count=1))[-1].text
        assert sent
        await make_profile(env, 904, jobs=())
        user = env.user(904)
        cases = {
            "/evolution": "pas encore de métier visé",
            "/evolution ZZZ": "Je ne trouve aucun métier pour « ZZZ »",
            "/evolution 12345": "Je ne trouve aucun métier",
            "/evolution " + "serveur " * 400: "Votre message est trop long",
        }
        for command, expected in cases.items():
            await user.send(command)
            answer = (await user.replies(timeout=WAIT, count=1))[-1]
            assert expected in answer.text, (command[:30], answer.text)
        assert market_calls(env) == 0


async def test_evolution_market_not_subscribed(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        scopes = KNOWN_SCOPES - {"api_stats-offres-demandes-emploiv1", "offresetdemandesemploi"}
        env.ft.config.client_scopes = {env.ft.client_id: scopes}
        await make_profile(env, 905)
        user = env.user(905)
        for _ in range(2):
            await user.send("/evolution")
            reply = (await user.replies(timeout=WAIT, count=1))[-1]
            assert len(moves_of(reply.text)) == 6
            assert "Tension" not in reply.text and "indisponible" not in reply.text
        assert market_calls(env) == 0
        assert (await env.storage.stats())["ft_errors_24h"] == 0


@pytest.mark.parametrize("fault", [429, 500])
async def test_evolution_market_rate_limited_or_failing(tmp_path, fault) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        await make_profile(env, 906)
        user = env.user(906)
        env.ft.faults.fail_next(400, kind=fault, endpoint="marche")
        await user.send("/evolution")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert len(moves_of(reply.text)) == 6 and "À acquérir" in reply.text
        assert "Tension de recrutement :" not in reply.text
        assert "Tension de recrutement indisponible pour le moment" in reply.text
        await wait_until(lambda: env.ft.stats.calls["marche_offres"] > 0)
        env.ft.faults.clear()
        env.services.ft.clear_cache()
        await user.send("/evolution")
        back = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Tension de recrutement :" in back.text
