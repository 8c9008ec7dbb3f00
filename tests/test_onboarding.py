"""Onboarding (/start) end to end: Telegram emulator ↔ real bot ↔ FT emulator, storage."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from bot.callbacks import encode
from tests.helpers_bot import FAST_TYPIST, WAIT, bot_env, expect, press, step


async def test_full_onboarding_with_accents_typos_and_ambiguous_town(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1001, first_name="Léa")
        welcome = await step(user, "/start", "Bonjour Léa")
        assert "/supprimer" in welcome.text
        await expect(user, "Étape 1/5")

        # Typo + missing hyphen: still the care-assistant job, offered as a button.
        choices = await step(user, "aide soignnante", "Lequel correspond")
        assert "Aide-soignant / Aide-soignante (J1501)" in choices.button_texts
        added = await press(user, "Aide-soignant / Aide-soignante (J1501)", "Ajouté")
        assert added.edited  # the choices message became the confirmation
        # A ROME code typed directly, lower case.
        await step(user, "g1603", "Ajouté")
        # A slip by ear (« serveuze ») is respelt against the ROME titles and offered as a
        # choice saying so; the user's tap chooses it (under the threshold: test_onboarding_jobs).
        choices = await step(user, "serveuze", "Lequel correspond")
        assert "orthographe corrigée" in choices.text
        assert "Serveur / Serveuse en restauration (G1803)" in choices.button_texts
        await press(user, "Serveur / Serveuse en restauration (G1803)", "C'est le maximum")
        # A fourth job is refused.
        await step(user, "boulanger", "maximum")
        skills_prompt = await press(user, "Terminé", "Étape 2/5")
        proposed = [t for t in skills_prompt.button_texts if t.startswith("➕ ")]
        assert proposed, "the core skills of the chosen jobs are proposed"

        await step(user, "accueil, service en salle\nhygiène", "3 compétences ajoutées")
        ticked = await press(user, proposed[0], "Vos compétences (4)")
        assert "✅ " + proposed[0][2:] in ticked.button_texts
        await press(user, "Terminé", "Étape 3/5")
        assert user.last_message.reply_keyboard_texts == ["📍 Partager ma position"]

        # Ambiguous town: buttons with the département.
        towns = await step(user, "saint denis", "Plusieurs communes")
        assert {"Saint-Denis (93)", "Saint-Denis (974)"} <= set(towns.button_texts)
        await press(user, "Saint-Denis (93)", "Étape 4/5")
        await press(user, "20 km", "Étape 5/5")
        summary = await step(user, "7h30", "Tout est correct")
        assert "Saint-Denis (93), jusqu'à 20 km" in summary.text
        assert "07:30" in summary.text
        assert "Aide-soignant / Aide-soignante (J1501)" in summary.text
        assert await env.storage.get_profile(user.id) is None  # nothing saved before "Confirmer"

        await press(user, "✅ Confirmer", "Profil enregistré")
        await expect(user, "/match J1501")

        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert [job.code for job in profile.target_jobs] == ["J1501", "G1603", "G1803"]
        assert profile.skills[:3] == ("accueil", "service en salle", "hygiène")
        assert len(profile.skills) == 4
        assert (profile.place_code, profile.place_label) == ("93066", "Saint-Denis (93)")
        assert profile.radius_km == 20
        assert profile.alert_time == time(7, 30)
        assert profile.alerts_enabled
        # The draft is gone once saved.
        assert "draft" not in env.app.user_data[user.id]


async def test_restart_mid_conversation_resumes_at_the_same_step(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1002)
        await step(user, "/start", "Étape 1/5")
        await step(user, "G1803", "Ajouté")
        await press(user, "Terminé", "Étape 2/5")
        await step(user, "prise de commande; encaissement", "2 compétences ajoutées")

        await env.restart()

        # The old message's "Terminé" still works: the conversation is at the skills step.
        await press(user, "Terminé", "Étape 3/5")
        await env.restart()
        # Typing a town goes to the place step's handler, not to "not understood".
        await step(user, "Lyon 3e", "Étape 4/5")
        await env.restart()
        # /start in the middle repeats the current question instead of starting over.
        await step(user, "/start", "Reprenons")
        await expect(user, "Étape 4/5")
        await press(user, "50 km", "Étape 5/5")
        await press(user, "Pas d'alertes", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")

        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert profile.skills == ("prise de commande", "encaissement")
        assert profile.place_code == "69383"
        assert profile.radius_km == 50
        assert not profile.alerts_enabled
        assert env.restarts == 3


async def test_bad_input_at_every_step(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1003)
        first = await step(user, "/start", "Étape 1/5")

        # Jobs: "Terminé" forged before any job, huge text, emoji only, unknown words/codes,
        # HTML and SQL-looking text (escaped back, never breaking the message).
        await user.press_callback(first.message_id, encode("ob", "done"))
        await expect(user, "Choisissez au moins un métier")
        await step(user, "a" * 4096, "trop long")
        await step(user, "😀🎉👍", "Je n'ai pas trouvé de mots")
        await step(user, "...!!!", "Je n'ai pas trouvé de mots")
        await step(user, "xqzwvk", "Je ne trouve aucun métier pour « xqzwvk »")
        await step(user, "A0000", "Ce code ROME n'existe pas")
        # Digits alone, or a town typed one step too early, name no job: no random buttons.
        await step(user, "3", "Je ne trouve aucun métier pour « 3 »")
        await step(user, "paris 11", "Paris 11e Arrondissement est un lieu")
        html = await step(user, "<script>alert(1)</script>", "ne ressemble pas à un métier")
        assert "&lt;script&gt;" in (html.html or "")
        await step(user, "'; DROP TABLE users; --", "DROP TABLE")
        await step(user, "G1803", "Ajouté")
        await step(user, "G1803", "déjà dans votre liste")
        await press(user, "Terminé", "Étape 2/5")

        # Skills: nothing usable, one skill too long, emoji, too many; HTML kept verbatim.
        await step(user, "😀", "Je n'ai pas trouvé de mots")
        await step(user, "x" * 3000, "trop long")
        await step(user, "y" * 120, "au plus 80 caractères")
        await step(user, ", ; ,", "Je n'ai pas trouvé de mots")
        await step(user, "12", "Je n'ai pas trouvé de compétence")
        skills = await step(user, "<b>gras</b>, ' OR 1=1 --", "2 compétences ajoutées")
        assert "&lt;b&gt;gras&lt;/b&gt;" in (skills.html or "")
        many = ", ".join(f"compétence {i}" for i in range(40))
        await step(user, many, "maximum de 30 compétences")
        await press(user, "Tout effacer", "Étape 2/5")
        await press(user, "Terminé", "au moins une compétence")
        await step(user, "<b>gras</b>, ' OR 1=1 --", "2 compétences ajoutées")
        await press(user, "Terminé", "Étape 3/5")

        # Place: unknown town, emoji, a location at sea, then a location in Paris.
        await step(user, "Zzyzxville", "Je ne trouve pas de commune pour « Zzyzxville »")
        await step(user, "🏙️", "Je n'ai pas trouvé de mots")
        await user.send_location(0.0, 0.0)
        await expect(user, "pas trouvé de commune près de cette position")
        await user.send_location(48.8566, 2.3522)
        chosen = await expect(user, "Commune : Paris 4e Arrondissement")
        assert chosen.remove_keyboard
        await expect(user, "Étape 4/5")

        # Radius: words instead of a distance, then a typed distance.
        await step(user, "loin", "Choisissez une distance")
        await step(user, "500 km", "de 5 à 100 km")
        await step(user, "30 km", "Étape 5/5")

        # Alerts: impossible time, then a typed one.
        await step(user, "25:99", "Je n'ai pas compris l'heure")
        await step(user, "midi", "Je n'ai pas compris l'heure")
        await step(user, "18h45", "Tout est correct")

        # Summary: text instead of the buttons.
        await step(user, "oui", "Utilisez les boutons")
        await press(user, "✅ Confirmer", "Profil enregistré")

        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        # Trailing punctuation is trimmed from skills; the rest is kept verbatim.
        assert profile.skills == ("<b>gras</b>", "' OR 1=1")
        assert profile.place_code == "75104"
        assert profile.radius_km == 30
        assert profile.alert_time == time(18, 45)
        user_row = await env.storage.get_user(user.id)
        assert user_row is not None  # the SQL-looking text did nothing to the tables


async def test_forged_and_stale_buttons_are_refused_politely(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1004)
        message = await step(user, "/start", "Étape 1/5")
        forged = [
            "v1|fav|<x>",
            "garbage",
            "v0|ob|done",
            "v1|obr|20",  # a real onboarding button, but from another step
            "v1|obj|Z9999",
            encode("obt", "0800"),
        ]
        for data in forged:
            await user.press_callback(message.message_id, data)
            answer = await user.wait_callback_answer(timeout=WAIT)
            assert answer.text == "Ce bouton n'est plus valable.", data
            user.callback_answers.clear()
        # The conversation is undisturbed.
        await step(user, "G1803", "Ajouté")
        # After /annuler, the onboarding's own buttons are stale too.
        await step(user, "/annuler", "rien n'a été enregistré")
        await user.press_callback(message.message_id, encode("ob", "done"))
        answer = await user.wait_callback_answer(timeout=WAIT)
        assert answer.text == "Ce bouton n'est plus valable."


async def test_cancel_saves_nothing_and_start_begins_afresh(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1005)
        await step(user, "/annuler", "Il n'y a rien à annuler")
        await step(user, "/start", "Étape 1/5")
        await step(user, "G1803", "Ajouté")
        await press(user, "Terminé", "Étape 2/5")
        await step(user, "service en salle", "Compétence ajoutée")
        await press(user, "Terminé", "Étape 3/5")
        cancelled = await step(user, "/annuler", "C'est annulé")
        assert cancelled.remove_keyboard  # the location keyboard goes away
        assert await env.storage.get_profile(user.id) is None
        assert "draft" not in env.app.user_data[user.id]
        # Outside the conversation, a town is not understood as a place.
        await step(user, "Paris", "Je n'ai pas compris")
        # A new /start starts from the first step, with nothing from before.
        await step(user, "/start", "Étape 1/5")
        await step(user, "J1501", "Vos métiers :\n• Aide-soignant")
        await env.restart()
        await step(user, "/cancel", "C'est annulé")
        assert await env.storage.get_profile(user.id) is None


async def test_silence_ends_the_conversation_politely(tmp_path: Path) -> None:
    async with bot_env(
        tmp_path,
        alert_job=False,
        tg_kwargs=FAST_TYPIST,
        settings_overrides={"conversation_timeout_seconds": 0.5},
    ) as env:
        user = env.user(1008)
        await step(user, "/start", "Étape 1/5")
        await step(user, "G1803", "Ajouté")
        timed_out = await expect(user, "Je n'ai pas eu de réponse depuis un moment")
        assert timed_out.remove_keyboard
        assert "draft" not in env.app.user_data[user.id]
        assert await env.storage.get_profile(user.id) is None
        # The conversation is over: a job name is no longer taken as an answer.
        await step(user, "serveur", "Je n'ai pas compris")
        await step(user, "/start", "Étape 1/5")


async def test_html_in_the_users_own_name_is_shown_as_text(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1009, first_name="<b>Tom & Jerry</b>")
        welcome = await step(user, "/start", "Bonjour <b>Tom & Jerry</b> !")
        assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in (welcome.html or "")
