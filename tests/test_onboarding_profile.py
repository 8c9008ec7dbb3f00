"""/profil and editing a saved profile through the onboarding steps, end to end."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.callbacks import encode
from storage import Profile, TargetJob
from tests.helpers_bot import FAST_TYPIST, bot_env, expect, onboard, press, step


async def test_existing_profile_keep_restart_and_edit_from_profil(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1006)
        await onboard(env, user)
        served = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
        await env.storage.mark_served(user.id, served)

        # /start again: keep it.
        welcome = await step(user, "/start", "Vous avez déjà un profil")
        assert "Serveur / Serveuse en restauration (G1803)" in welcome.text
        await press(user, "Garder mon profil", "profil est inchangé")

        # /profil: the card and one button per part.
        card = await step(user, "/profil", "Métiers visés")
        assert "Serveur / Serveuse en restauration (G1803)" in card.text
        assert {"Métiers", "Compétences", "Lieu", "Distance", "Contrats", "Alertes"} <= set(
            card.button_texts
        )
        # Place: "75015" is the 15th arrondissement; back to the summary directly.
        await press(user, "Lieu", "Étape 3/5")
        await step(user, "75015", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert profile.place_code == "75115"
        assert profile.radius_km == 10  # unchanged
        assert profile.last_alert_at == served  # editing does not reset alert bookkeeping

        # Contracts: tick CDI and CDD, then untick CDD.
        await step(user, "/profil", "Métiers visés")
        await press(user, "Contrats", "types de contrat")
        await press(user, "➕ CDI", "types de contrat")
        await press(user, "➕ CDD", "types de contrat")
        await press(user, "✅ CDD", "types de contrat")
        await press(user, "Terminé", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert profile.contract_types == ("CDI",)

        # Summary "Modifier" → alerts → off.
        await step(user, "/profil", "Métiers visés")
        await press(user, "Alertes", "Étape 5/5")
        await press(user, "Pas d'alertes", "Tout est correct")
        await press(user, "✏️ Modifier", "Que voulez-vous modifier")
        back = await press(user, "↩️ Retour", "Tout est correct")
        assert "Alertes : désactivées" in back.text
        await press(user, "✏️ Modifier", "Que voulez-vous modifier")
        await press(user, "Distance", "Étape 4/5")
        await press(user, "100 km", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert (profile.alerts_enabled, profile.radius_km) == (False, 100)
        assert profile.contract_types == ("CDI",)

        # /start → start over: a new profile replaces the old one only on "Confirmer".
        await step(user, "/start", "Vous avez déjà un profil")
        await press(user, "Recommencer", "Étape 1/5")
        await step(user, "/annuler", "C'est annulé : votre profil enregistré n'a pas changé")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert profile.place_code == "75115"


async def test_profil_without_profile_and_edit_buttons_of_deleted_profile(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1007)
        await step(user, "/profil", "pas encore de profil")
        await step(user, "/profile", "pas encore de profil")  # the English alias
        await env.storage.upsert_user(user.id, user.id, "Léa", "fr")
        await env.storage.upsert_profile(
            Profile(user_id=user.id, target_jobs=(TargetJob("G1803", "Serveur"),), skills=("x",))
        )
        card = await step(user, "/profil", "Métiers visés")
        # A forged part name is refused like any stale button.
        await user.press_callback(card.message_id, encode("pf", "bogus"))
        assert (await user.wait_callback_answer()).text == "Ce bouton n'est plus valable."
        await env.storage.delete_user(user.id)
        await user.press_callback(card.message_id, encode("pf", "place"))
        await expect(user, "pas encore de profil")


async def test_edit_jobs_and_skills_from_profil(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1010)
        await onboard(env, user)

        # Jobs: the saved one is kept, a second is added; new skill proposals come next.
        await step(user, "/profil", "Métiers visés")
        await press(user, "Métiers", "Déjà choisis")
        await step(user, "boulanger", "Lequel correspond")
        await press(user, "Boulanger / Boulangère (D1102)", "Ajouté")
        await press(user, "Terminé", "Étape 2/5")
        await press(user, "Terminé", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert [job.code for job in profile.target_jobs] == ["G1803", "D1102"]

        # Skills: wipe them and type new ones.
        await step(user, "/profil", "Métiers visés")
        await press(user, "Compétences", "Étape 2/5")
        await press(user, "Tout effacer", "Étape 2/5")
        await step(user, "pétrissage, façonnage", "2 compétences ajoutées")
        await press(user, "Terminé", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert profile.skills == ("pétrissage", "façonnage")
        assert profile.place_code is not None and profile.radius_km == 10  # untouched
