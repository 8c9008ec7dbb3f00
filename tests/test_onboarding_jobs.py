"""Onboarding job step end to end (Telegram emulator ↔ real bot): a town typed as a job, the
words of job seekers (workplace, nickname, everyday title), close matches and junk."""

from __future__ import annotations

from pathlib import Path

from tests.helpers_bot import FAST_TYPIST, bot_env, expect, press, step


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
