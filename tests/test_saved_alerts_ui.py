"""Alerts people control (issue 15) end to end through the emulators: an alert from /recherche
(refused at 5), /alertes' list and each alert's card (fréquence, pause, on/off, supprimer),
filters with bad input, forged alert numbers, HTML in names and words."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest

from ft_client.alert_filters import MAX_WORDS
from ft_client.alert_schedule import Frequency, Schedule
from storage.saved_alerts import AlertCriteria, SavedAlert
from tests.helpers_cmd import WAIT, add_offers, cmd_env, make_profile

pytestmark = pytest.mark.timeout(240)

CREATE = "🔔 Créer une alerte pour cette recherche"


async def last(user: Any) -> Any:
    return (await user.replies(timeout=WAIT, count=1))[-1]


async def answer(user: Any) -> str:
    return (await user.wait_callback_answer(timeout=WAIT)).text or ""


async def add_alert(env: Any, user_id: int, label: str = "Serveur · Paris") -> SavedAlert:
    return await env.services.storage.add_saved_alert(
        SavedAlert(
            user_id=user_id,
            alert_no=0,
            label=label,
            criteria=AlertCriteria(
                rome_codes=("G1803",), commune_code="75056", place_label="Paris"
            ),
            schedule=Schedule(at=time(8, 0)),
        )
    )


async def test_an_alert_from_a_search_up_to_five_then_deleted(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        add_offers(env, "Serveur en salle", 3, rome_code="G1803")
        await make_profile(env, 801)
        storage = env.services.storage
        user = env.user(801)
        await user.send("/recherche serveur")
        results = await last(user)
        assert CREATE in results.button_texts
        await user.press(CREATE)
        created = await last(user)
        assert "Alerte « " in created.text and "créée" in created.text
        [alert] = await storage.list_saved_alerts(801)
        assert alert.criteria.rome_codes == ("G1803",) and alert.criteria.commune_code == "75056"
        assert alert.schedule.at == time(8, 0)  # the profile's alert time
        for _ in range(3):
            await user.press(CREATE, message_id=results.message_id)
            await last(user)
        assert len(await storage.list_saved_alerts(801)) == 4
        await user.press(CREATE, message_id=results.message_id)
        assert "déjà 5 alertes" in (await last(user)).text
        assert len(await storage.list_saved_alerts(801)) == 4

        await user.send("/alertes")
        overview = await last(user)
        assert "Activées" in overview.text  # the profile alert's card is still first
        assert "Vos alertes (5/5)" in overview.text
        assert "🕗 tous les jours à 08:00" in overview.text
        manage = next(b for b in overview.button_texts if b.startswith("⚙️ 1."))
        await user.press(manage)
        card = await last(user)
        assert card.message_id == overview.message_id  # edited in place
        await user.press("🗑 Supprimer")
        assert "Supprimer l'alerte" in (await last(user)).text
        await user.press("Oui, supprimer")
        assert "supprimée" in await answer(user)
        after = await last(user)
        assert "Vos alertes (4/5)" in after.text
        assert [a.alert_no for a in await storage.list_saved_alerts(801)] == [2, 3, 4]


async def test_forged_alert_numbers_change_nothing(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 811)
        await make_profile(env, 812)
        storage = env.services.storage
        theirs = await add_alert(env, 811, "Alerte de Léa")
        intruder = env.user(812)
        await intruder.send("/alertes")
        overview = await last(intruder)
        assert "Alerte de Léa" not in overview.text
        # 812 has no alert number 1: 811's alert 1 is out of their reach whatever they send.
        for data in (
            "v1|sa|1|delyes",
            "v1|sa|1|off",
            "v1|saf|1|w3",
            "v1|sfl|1|remote",
            "v1|sap|1|7",
        ):
            await intruder.press_callback(overview.message_id, data)
            assert "n'existe pas" in await answer(intruder)
        await intruder.press_callback(overview.message_id, "v1|sa|99999|del")  # not a shape we make
        assert "plus valable" in await answer(intruder)
        await intruder.press_callback(overview.message_id, "v1|fbu|193XKZP")  # not their feedback
        assert "plus valable" in await answer(intruder)
        assert await storage.get_saved_alert(811, 1) == theirs
        assert await storage.list_saved_alerts(812) == []
        # A typed answer for a number that is not theirs is refused too.
        await intruder.press_callback(overview.message_id, "v1|sfl|0|salary")
        await last(intruder)
        from bot.handlers.match import AWAIT_KEY

        env.app.user_data[812][AWAIT_KEY]["alert"] = "1"  # as if a forged question were pending
        await intruder.send("1800")
        assert "n'existe pas" in (await last(intruder)).text
        assert (await storage.get_saved_alert(811, 1)).filters == theirs.filters


async def test_frequency_pause_and_switch(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 821)
        storage = env.services.storage
        await add_alert(env, 821)
        user = env.user(821)
        await user.send("/alertes")
        await last(user)
        await user.press("⚙️ 1. Serveur · Paris")
        await last(user)
        await user.press("🗓 Fréquence")
        assert "À quelle fréquence" in (await last(user)).text
        await user.press("Le mercredi")
        card = await last(user)
        assert "chaque mercredi à 08:00" in card.text
        alert = await storage.get_saved_alert(821, 1)
        assert (alert.schedule.frequency, alert.schedule.weekday) == (Frequency.WEEKLY, 2)

        await user.press("🔕 Désactiver")
        assert "désactivée" in (await last(user)).text
        assert not (await storage.get_saved_alert(821, 1)).schedule.enabled
        await user.press("🔔 Activer")
        await last(user)

        await user.press("⏸ Pause jusqu'au…")
        assert "Jusqu'à quelle date" in (await last(user)).text
        await user.send("32/13")
        assert "n'est pas une date valable" in (await last(user)).text
        await user.send("<b>demain</b>")
        bad = await last(user)
        assert "&lt;b&gt;demain" in (bad.html or "")
        until = datetime.now(env.services.settings.alert_timezone).date() + timedelta(days=10)
        await user.send(until.strftime("%d/%m/%Y"))
        assert "en pause jusqu'au" in (await last(user)).text
        assert (await storage.get_saved_alert(821, 1)).schedule.paused_until == until
        # The profile's own alert pauses with a button.
        await user.send("/alertes")
        overview = await last(user)
        assert "en pause jusqu'au" in overview.text
        await user.press("⏸ Pause jusqu'au…", message_id=overview.message_id)
        await last(user)
        await user.press("7 jours")
        await last(user)
        settings = await storage.get_profile_alert_settings(821)
        assert settings.paused_until is not None


async def test_filters_and_bad_input(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 831)
        storage = env.services.storage
        await add_alert(env, 831)
        user = env.user(831)
        await user.send("/alertes")
        overview = await last(user)
        await user.press("🧰 Filtres", message_id=overview.message_id)  # the profile alert's
        assert "Filtres de « Alerte de votre profil »" in (await last(user)).text
        await user.press("💶 Salaire minimum")
        assert "par mois" in (await last(user)).text
        for bad, says in (("-5", "négatif"), ("1e9", "pas compris"), ("abc", "pas compris")):
            await user.send(bad)
            assert says in (await last(user)).text
            assert (await storage.get_profile_alert_settings(831)).filters.min_salary is None
        await user.send("1 800 €")
        saved = await last(user)
        assert "Filtre enregistré" in saved.text and "≥ 1\u202f800 €/mois" in saved.text
        assert (await storage.get_profile_alert_settings(831)).filters.min_salary == 1800
        await user.press("Sans salaire indiqué : gardées")
        await last(user)
        assert not (await storage.get_profile_alert_settings(831)).filters.keep_unsalaried

        await user.send("/alertes")
        await last(user)
        await user.press("⚙️ 1. Serveur · Paris")
        await last(user)
        await user.press("🧰 Filtres")
        await last(user)
        await user.press("🚫 Mots à exclure")
        await last(user)
        await user.send(", ".join(f"mot{i}" for i in range(200)))
        assert f"Au plus {MAX_WORDS} mots" in (await last(user)).text
        # Telegram splits a 5 000-character message; the longest one it carries, one word:
        await user.send("x" * 4096)
        assert "caractères" in (await last(user)).text
        await user.send("ok, " + "y" * 41)
        assert "40 caractères" in (await last(user)).text
        assert (await storage.get_saved_alert(831, 1)).filters.excluded_words == ()
        await user.send("<b>nuit</b>, stage")
        saved = await last(user)
        assert "&lt;b&gt;nuit&lt;/b&gt;" in (saved.html or "")
        assert (await storage.get_saved_alert(831, 1)).filters.excluded_words == (
            "<b>nuit</b>",
            "stage",
        )
        await user.press("🏢 Entreprises à exclure")
        await last(user)
        await user.send("Mauvais Patron SA")
        await last(user)
        await user.press("Télétravail seulement")
        await last(user)
        await user.press("Temps partiel")
        await last(user)
        filters = (await storage.get_saved_alert(831, 1)).filters
        assert filters.excluded_companies == ("Mauvais Patron SA",)
        assert filters.remote_only and filters.working_time == "temps_partiel"
        await user.press("✅ Télétravail seulement")
        await last(user)
        assert not (await storage.get_saved_alert(831, 1)).filters.remote_only
        export = await storage.export_user(831)
        assert export["saved_alerts"][0]["filters"]["excluded_companies"] == ["Mauvais Patron SA"]
