"""Onboarding job step end to end (Telegram emulator ↔ real bot): a town typed as a job, the
words of job seekers (workplace, nickname, everyday title), close matches and junk; ROMEO
subscribed, missing, failing and slow; a town that reads as a job ("Tours")."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.job_lookup import ROMEO_DEADLINE_SECONDS
from sandbox.france_travail import KNOWN_SCOPES
from tests.helpers_bot import FAST_TYPIST, bot_env, expect, press, step

pytestmark = pytest.mark.timeout(120)


async def test_a_town_typed_as_a_job_is_named_as_a_place(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1201)
        await step(user, "/start", "Étape 1/5")
        reply = await step(user, "Paris", "Paris est un lieu : quel métier cherchez-vous ?")
        # No job offered for a town (it used to offer "Poseur de façade vitrée").
        assert reply.button_texts == []
        await step(user, "lyon 3e", "Lyon 3e Arrondissement est un lieu")
        # Still at the job step: a real job is then taken.
        await step(user, "serveuse", "Lequel correspond")
        await press(user, "Serveur / Serveuse en restauration (G1803)", "Ajouté")
        assert (await env.storage.get_profile(user.id)) is None


async def test_job_seekers_words_find_their_job(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1202)
        await step(user, "/start", "Étape 1/5")

        # A workplace: the jobs done there, with the reason they are offered.
        ehpad = await step(user, "ehpad", "Lequel correspond")
        assert "lieu de travail" in ehpad.text
        assert "Aide-soignant / Aide-soignante (J1501)" in ehpad.button_texts
        assert not any("Monteur" in label for label in ehpad.button_texts)
        # A nickname.
        nounou = await step(user, "nounou", "Lequel correspond")
        assert "Garde d'enfant (K1303)" in nounou.button_texts
        # "plongeur": the restaurant dishwasher, not the diver nor the navy.
        plongeur = await step(user, "plongeur", "Lequel correspond")
        assert plongeur.button_texts[0].startswith("Plongeur officier / Plongeuse officière")
        assert not any(
            "Scaphandrier" in label or "Combattant" in label for label in plongeur.button_texts
        )
        await press(user, plongeur.button_texts[0], "Ajouté")
        await user.press("Garde d'enfant (K1303)", message_id=nounou.message_id)
        await expect(user, "Vos métiers")
        await press(user, "Terminé", "Étape 2/5")


async def test_close_matches_are_suggestions_and_junk_is_answered_clearly(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1203)
        await step(user, "/start", "Étape 1/5")

        # Under the confidence threshold: "Vouliez-vous dire…" buttons and a rephrase hint;
        # nothing is added until the user taps one.
        close = await step(user, "vaisselle", "Vouliez-vous dire")
        assert "écrivez le métier autrement" in close.text
        assert close.button_texts and "Terminé" not in close.button_texts
        assert "Ajouté" not in close.text

        for junk in ("zzzz", "xqzwvk"):
            await step(user, junk, f"Je ne trouve aucun métier pour « {junk} »")
        await step(user, "🙂🙂🙂", "Je n'ai pas trouvé de mots")
        # 5 000 characters: Telegram sends them as a 4 096-character message and the rest.
        for part in ("z" * 4096, "z" * 904):
            await step(user, part, "Votre message est trop long")
        sql = await step(user, "'; DROP TABLE jobs; --", "ne ressemble pas à un métier")
        assert sql.button_texts == []

        # The suggestion, once tapped, is the user's own choice.
        await user.press(close.button_texts[0], message_id=close.message_id)
        await expect(user, "Ajouté")


# ---------------------------------------------------------------- ROMEO and the job step
async def test_romeo_subscribed_answers_the_job_step(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1204)
        await step(user, "/start", "Étape 1/5")
        reply = await step(user, "coiffeuse", "Lequel correspond")
        assert "ROMEO (France Travail)" in reply.text
        assert reply.button_texts[0].endswith("(D1202)")
        assert env.ft.stats.calls["romeo"] == 1
        # Words the curated alias table knows keep its answer: no title look-alike
        # ("Scaphandrier" for "plongeur") comes back through ROMEO.
        plongeur = await step(user, "plongeur", "Lequel correspond")
        assert "ROMEO" not in plongeur.text
        assert plongeur.button_texts[0].startswith("Plongeur officier / Plongeuse officière")
        assert not any("Scaphandrier" in label for label in plongeur.button_texts)
        assert env.ft.stats.calls["romeo"] == 1
        await user.press(reply.button_texts[0], message_id=reply.message_id)
        assert "(D1202)" in (await expect(user, "Ajouté")).text


async def test_romeo_not_subscribed_leaves_the_offline_job_step(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        env.ft.config.client_scopes = {env.ft.client_id: KNOWN_SCOPES - {"api_romeov2"}}
        user = env.user(1205)
        await step(user, "/start", "Étape 1/5")
        reply = await step(user, "coiffeuse", "Lequel correspond")
        assert "titre ROME" in reply.text and "ROMEO" not in reply.text
        assert reply.button_texts[0].endswith("(D1202)")
        await step(user, "vaisselle", "Vouliez-vous dire")
        await step(user, "Paris", "Paris est un lieu")
        assert env.ft.stats.calls["romeo"] == 0
        assert (await env.storage.stats())["ft_errors_24h"] == 0


@pytest.mark.parametrize("fault", [429, 500])
async def test_romeo_busy_or_failing_leaves_the_offline_job_step(
    tmp_path: Path, fault: int
) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1206)
        await step(user, "/start", "Étape 1/5")
        env.ft.faults.fail_next(40, kind=fault, endpoint="romeo")
        reply = await step(user, "coiffeuse", "Lequel correspond")
        assert "titre ROME" in reply.text and "ROMEO" not in reply.text
        assert reply.button_texts[0].endswith("(D1202)")
        assert env.ft.stats.calls["romeo"] >= 1
        env.ft.faults.clear()
        back = await step(user, "coiffeuse", "Lequel correspond")
        assert "ROMEO (France Travail)" in back.text


async def test_romeo_slower_than_its_deadline_leaves_the_offline_job_step(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1207)
        await step(user, "/start", "Étape 1/5")
        await env.services.ft.authenticate()
        env.ft.faults.latency = 6.0
        started = time.monotonic()
        reply = await step(user, "coiffeuse", "Lequel correspond")
        # The 2 s deadline, not ROMEO's 6 s (a loaded machine adds some).
        assert time.monotonic() - started < ROMEO_DEADLINE_SECONDS + 3.0
        assert "titre ROME" in reply.text and "ROMEO" not in reply.text


# ---------------------------------------------------------------- a town that reads as a job
@pytest.mark.parametrize("romeo", [True, False])
async def test_a_town_that_reads_as_a_job_is_asked_about(tmp_path: Path, romeo: bool) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        if not romeo:
            env.ft.config.client_scopes = {env.ft.client_id: KNOWN_SCOPES - {"api_romeov2"}}
        user = env.user(1208)
        await step(user, "/start", "Étape 1/5")
        # "Tours" used to be taken as the job Régleur (a 0.9 title look-alike), even by ROMEO.
        question = await step(user, "Tours", "Tours : la ville ou un métier ?")
        assert "Ajouté" not in question.text
        assert any("(H2912)" in label for label in question.button_texts)
        assert "Terminé" not in question.button_texts
        assert (env.ft.stats.calls["romeo"] >= 1) is romeo
        # Nothing was added: the person either writes the job …
        await step(user, "serveuse", "Lequel correspond")
        # … or meant the job after all, and taps it.
        await user.press(
            next(label for label in question.button_texts if "(H2912)" in label),
            message_id=question.message_id,
        )
        added = await expect(user, "Ajouté")
        assert "(H2912)" in added.text
        # "Paris" reads as no job: still simply a place, no question.
        paris = await step(user, "Paris", "Paris est un lieu")
        assert paris.button_texts == []
