"""The optional profile fields and removing one job or skill, end to end through the Telegram
and France Travail emulators (issue 14 item 5)."""

from __future__ import annotations

from pathlib import Path

from bot.callbacks import encode
from bot.handlers.profile import skill_checksum
from storage import Profile, TargetJob
from tests.helpers_bot import FAST_TYPIST, bot_env, expect, onboard, press, step

STALE = "Ce bouton n'est plus valable."


async def _to_summary(user: object) -> None:
    await step(user, "/start", "Étape 1/5")  # type: ignore[arg-type]
    message = await step(user, "serveur", "Lequel correspond")  # type: ignore[arg-type]
    await press(user, message.button_texts[0], "Ajouté")  # type: ignore[arg-type]
    await press(user, "Terminé", "Étape 2/5")  # type: ignore[arg-type]
    await step(user, "service en salle", "compétence")  # type: ignore[arg-type]
    await press(user, "Terminé", "Étape 3/5")  # type: ignore[arg-type]
    await step(user, "Paris", "Étape 4/5")  # type: ignore[arg-type]
    await press(user, "10 km", "Étape 5/5")  # type: ignore[arg-type]
    await press(user, "08:00", "Tout est correct")  # type: ignore[arg-type]


async def test_onboarding_with_the_optional_step(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(2001)
        await _to_summary(user)
        step_message = await press(user, "➕ Permis et expérience", "Facultatif")
        assert {"➕ B", "➕ CE", "Débutant", "Passer"} <= set(step_message.button_texts)
        await press(user, "➕ B", "Facultatif")
        ticked = await press(user, "➕ CE", "Facultatif")
        assert {"✅ B", "✅ CE", "Terminé"} <= set(ticked.button_texts)
        await press(user, "✅ B", "Facultatif")  # untick
        await press(user, "1 à 2 ans", "Facultatif")
        summary = await press(user, "Terminé", "Tout est correct")
        assert "Permis : CE" in summary.text and "Expérience : 1 à 2 ans" in summary.text
        await press(user, "✅ Confirmer", "Profil enregistré")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert profile.driving_licences == ("CE",) and profile.experience == "1-2ans"
        assert (profile.languages, profile.working_time, profile.remote_wanted) == ((), None, None)


async def test_onboarding_skipping_the_optional_step(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(2002)
        await _to_summary(user)
        await press(user, "➕ Permis et expérience", "Facultatif")
        summary = await press(user, "Passer", "Tout est correct")
        assert "Permis" not in summary.text
        await press(user, "✅ Confirmer", "Profil enregistré")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert (profile.driving_licences, profile.experience) == ((), None)
        # Not opening the step at all is skipping it too (onboard() confirms straight away).
        other = env.user(2003)
        saved = await onboard(env, other)
        assert (saved.driving_licences, saved.languages, saved.remote_wanted) == ((), (), None)


async def test_each_field_edited_alone_in_profil(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(2004)
        await onboard(env, user)
        card = await step(user, "/profil", "Métiers visés")
        assert {"Permis", "Langues", "Expérience", "Temps de travail", "Télétravail"} <= set(
            card.button_texts
        )

        await press(user, "Permis", "Quels permis")
        await press(user, "➕ D", "Quels permis")
        await press(user, "Terminé", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")

        await step(user, "/profil", "Métiers visés")
        await press(user, "Langues", "Quelles langues")
        await press(user, "➕ Espagnol", "Quelles langues")
        await press(user, "➕ Anglais", "Quelles langues")
        await press(user, "Terminé", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")

        await step(user, "/profil", "Métiers visés")
        await press(user, "Expérience", "Votre expérience")
        await press(user, "3 ans et +", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")

        await step(user, "/profil", "Métiers visés")
        await press(user, "Temps de travail", "temps de travail")
        await press(user, "Temps partiel", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")

        await step(user, "/profil", "Métiers visés")
        await press(user, "Télétravail", "télétravail")
        await press(user, "Oui", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")

        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert profile.driving_licences == ("D",)
        assert profile.languages == ("Anglais", "Espagnol")
        assert (profile.experience, profile.working_time, profile.remote_wanted) == (
            "3ans+",
            "temps_partiel",
            True,
        )
        card = await step(user, "/profil", "Métiers visés")
        for line in (
            "Permis : D",
            "Langues : Anglais, Espagnol",
            "Expérience : 3 ans et +",
            "Temps de travail : temps partiel",
            "Télétravail : oui",
        ):
            assert line in card.text

        # "Indifférent" clears a choice.
        await press(user, "Temps de travail", "temps de travail")
        await press(user, "Indifférent", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None and profile.working_time is None
        assert profile.languages == ("Anglais", "Espagnol")  # the others are kept


async def test_remove_one_job_and_one_skill(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(2005)
        await env.storage.upsert_user(user.id, user.id, "Léa", "fr")
        await env.storage.upsert_profile(
            Profile(
                user_id=user.id,
                target_jobs=(TargetJob("G1803", "Serveur"), TargetJob("D1102", "Boulanger")),
                skills=("Accueil", "Caisse", "Pétrissage"),
                place_code="75056",
                place_label="Paris",
            )
        )
        await step(user, "/profil", "Métiers visés")
        listing = await press(user, "➖ Retirer un métier", "Quel métier retirer")
        assert listing.button_texts == ["➖ Serveur", "➖ Boulanger"]
        done = await press(user, "➖ Serveur", "« Serveur » retiré")
        assert "Boulanger (D1102)" in done.text and "Serveur (G1803)" not in done.text
        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert [j.code for j in profile.target_jobs] == ["D1102"]

        listing = await press(user, "➖ Retirer une compétence", "Quelle compétence retirer")
        await press(user, "➖ Caisse", "« Caisse » retiré")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None and profile.skills == ("Accueil", "Pétrissage")

        # The old list's buttons: "Caisse" is gone, and index 1 is now another skill.
        await user.press_callback(listing.message_id, encode("pfrs", 1, skill_checksum("Caisse")))
        assert (await user.wait_callback_answer()).text == STALE
        profile = await env.storage.get_profile(user.id)
        assert profile is not None and profile.skills == ("Accueil", "Pétrissage")

        # The last job cannot be removed (use "Métiers" to change it).
        await step(user, "/profil", "Métiers visés")
        await press(user, "➖ Retirer un métier", "Gardez au moins un métier")
        await user.press_callback(listing.message_id, encode("pfrj", "D1102"))
        await expect(user, "Gardez au moins un métier")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None and [j.code for j in profile.target_jobs] == ["D1102"]


async def test_forged_field_buttons_and_unknown_licence(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(2006)
        await onboard(env, user)
        await step(user, "/profil", "Métiers visés")
        message = await press(user, "Permis", "Quels permis")
        for data in (
            "v1|obl|Z",  # unknown licence code
            "v1|obl|b",
            "v1|obg|99",  # no such language
            "v1|obx|expert",
            "v1|obw|mi_temps",
            "v1|obm|peut_etre",
            "v1|pfrs|0|nothex",
            "v1|pfl|favs",
        ):
            await user.press_callback(message.message_id, data)
            assert (await user.wait_callback_answer()).text == STALE, data
            user.callback_answers.clear()
        # Typed text at a button step: the buttons are asked for.
        await step(user, "permis B", "Utilisez les boutons")
        await press(user, "➕ B", "Quels permis")
        await press(user, "Terminé", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None and profile.driving_licences == ("B",)
