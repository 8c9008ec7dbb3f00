"""The contract-type, driving-licence and quiet-days screens of /alertes (issue 15), end to end
through both emulators: each setting is made by pressing buttons, then the next digest of the
alert cycle changes accordingly. Bad input: forged codes and another person's alert number
change nothing and are answered in French.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import saved_alert_cards as sc
from bot.criteria import CONTRACT_SHORT_LABELS
from bot.handlers.alert_schedule_screens import refusal
from ft_client.alert_filters import AlertFilters
from ft_client.alert_schedule import Frequency, Schedule
from ft_client.offer_facts import normalise_licence_code
from ft_client.query import CONTRACT_TYPES
from storage.saved_alerts import AlertCriteria, SavedAlert
from tests.helpers_alerts import PARIS_CODE, AlertEnv, alert_env, offer_json

pytestmark = pytest.mark.timeout(240)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday, 10:00 in Paris
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
WAIT = 10.0
WAITER = "G1803"
LIVE = {"sweep_minutes": 0}  # digests asked of the France Travail emulator


async def screen(user: Any) -> Any:
    """The bot's latest message or edit."""
    return (await user.replies(timeout=WAIT, count=1))[-1]


async def answer(user: Any) -> str:
    return (await user.wait_callback_answer(timeout=WAIT)).text or ""


async def add_saved(env: AlertEnv, user_id: int, schedule: Schedule | None = None) -> SavedAlert:
    return await env.storage.add_saved_alert(
        SavedAlert(
            user_id=user_id,
            alert_no=0,
            label="Serveur · Paris",
            criteria=AlertCriteria(
                rome_codes=(WAITER,), commune_code=PARIS_CODE, place_label="Paris", radius_km=10
            ),
            schedule=schedule or Schedule(Frequency.DAILY, time(8, 0)),
        ),
        at=NOW - 10 * DAY,
    )


def add(env: AlertEnv, created: datetime, **fields: Any) -> str:
    """A waiter offer in Paris (``contract`` given, or CDI) with raw API ``fields`` on top."""
    offer = offer_json(
        rome=WAITER, place_code=PARIS_CODE, created=created, contract=fields.pop("contract", "CDI")
    )
    offer.update(fields)
    env.ft.add_offer(offer)
    return str(offer["id"])


def permis(code: str, requirement: str = "E") -> dict[str, Any]:
    labels = {"B": "B - Véhicule léger", "C": "C - Poids lourd", "CE": "CE - Super lourd"}
    return {"permis": [{"libelle": labels[code], "exigence": requirement}]}


def sent_ids(env: AlertEnv, user_id: int) -> list[list[str]]:
    """The offer ids of each digest sent to ``user_id`` so far (the screens name none)."""
    found = [re.findall(r"A\d{6}", m.html or "") for m in env.messages(user_id)]
    return [ids for ids in found if ids]


async def open_card(user: Any) -> None:
    """/alertes, then saved alert 1's card."""
    await user.send("/alertes")
    await screen(user)
    await user.press("⚙️ 1. Serveur · Paris")
    await screen(user)


def test_the_screens_offer_the_codes_the_filters_accept() -> None:
    assert set(sc.CONTRACT_CHOICES) == CONTRACT_TYPES == set(CONTRACT_SHORT_LABELS)
    assert len(set(sc.LICENCE_CHOICES)) == 16
    assert all(normalise_licence_code(code) == code for code in sc.LICENCE_CHOICES)


def test_a_schedule_without_a_day_is_refused_with_the_right_reason() -> None:
    daily_quiet_wednesday = Schedule(Frequency.DAILY, time(8, 0), quiet_days=frozenset({2}))
    weekly_wednesday = Schedule(Frequency.WEEKLY, time(8, 0), weekday=2, quiet_days=frozenset({2}))
    assert "Le mercredi" in (refusal(daily_quiet_wednesday, weekly_wednesday) or "")
    weekly_thursday = Schedule(Frequency.WEEKLY, time(8, 0), weekday=3)
    quiet_thursday = Schedule(Frequency.WEEKLY, time(8, 0), weekday=3, quiet_days=frozenset({3}))
    assert "au moins un jour" in (refusal(weekly_thursday, quiet_thursday) or "")
    assert refusal(weekly_thursday, daily_quiet_wednesday) is None


async def test_contract_types_chosen_by_buttons_change_the_next_digest(tmp_path: Path) -> None:
    async with alert_env(tmp_path, settings_overrides=LIVE, polling=True) as env:
        await env.add_user(1, WAITER, PARIS_CODE)
        await env.storage.set_alerts(1, False)  # the saved alert alone
        await add_saved(env, 1)
        user = env.tg.user(1)
        await open_card(user)
        await user.press("🧰 Filtres")
        await screen(user)
        await user.press("📄 Contrats")
        contracts = await screen(user)
        assert "Tous les contrats sont gardés" in contracts.text
        assert "✅ Tous les contrats" in contracts.button_texts
        assert {"CDI", "CDD", "Intérim", "Saisonnier", "Libéral"} <= set(contracts.button_texts)
        await user.press("CDI")
        chosen = await screen(user)
        assert chosen.message_id == contracts.message_id  # edited in place
        assert "✅ CDI" in chosen.button_texts and "Contrats gardés : CDI." in chosen.text
        assert (await env.storage.get_saved_alert(1, 1)).filters.contract_types == ("CDI",)

        cdi = add(env, NOW - HOUR)
        cdd = add(env, NOW - 2 * HOUR, contract="CDD")
        assert (await env.cycle(NOW)).messages_sent == 1
        assert sent_ids(env, 1) == [[cdi]]
        assert cdd not in sent_ids(env, 1)[0]

        # Bad input on this screen: unknown code, lower case, another alert number.
        await user.press_callback(chosen.message_id, "v1|sfc|1|XYZ")
        assert "Type de contrat inconnu" in await answer(user)
        await user.press_callback(chosen.message_id, "v1|sfc|1|cdd")  # not a shape we make
        assert "plus valable" in await answer(user)
        await user.press_callback(chosen.message_id, "v1|sfc|2|CDD")
        assert "n'existe pas" in await answer(user)
        # Another person pressing alert 1's buttons reaches nothing of person 1's.
        await env.add_user(9, WAITER, PARIS_CODE)
        await env.storage.set_alerts(9, False)  # not in the next digests' count
        intruder = env.tg.user(9)
        await intruder.send("/alertes")
        theirs = await screen(intruder)
        for data in ("v1|sfc|1|CDD", "v1|sfc|1|any", "v1|sfp|1|B", "v1|sfc|1|open"):
            await intruder.press_callback(theirs.message_id, data)
            assert "n'existe pas" in await answer(intruder)
        assert (await env.storage.get_saved_alert(1, 1)).filters == AlertFilters(
            contract_types=("CDI",)
        )

        # « Tous les contrats »: the CDD offers come back the next day.
        await user.press("Tous les contrats", message_id=chosen.message_id)
        cleared = await screen(user)
        assert "Tous les contrats sont gardés" in cleared.text
        assert (await env.storage.get_saved_alert(1, 1)).filters.contract_types == ()
        tomorrow = NOW + DAY
        later_cdd = add(env, tomorrow - HOUR, contract="CDD")
        assert (await env.cycle(tomorrow)).messages_sent == 1
        assert later_cdd in sent_ids(env, 1)[-1]


async def test_licences_held_chosen_by_buttons_change_the_next_digest(tmp_path: Path) -> None:
    """On the profile's own alert (number 0): the same screens as a saved alert's."""
    async with alert_env(tmp_path, settings_overrides=LIVE, polling=True) as env:
        await env.add_user(2, WAITER, PARIS_CODE)
        user = env.tg.user(2)
        await user.send("/alertes")
        overview = await screen(user)
        await user.press("🧰 Filtres", message_id=overview.message_id)
        assert "Filtres de « Alerte de votre profil »" in (await screen(user)).text
        await user.press("🚗 Permis")
        licences = await screen(user)
        assert "Aucun filtre de permis" in licences.text
        assert licences.button_texts[:4] == ["B", "BE", "B96", "B1"]
        await user.press("B")
        held = await screen(user)
        assert "✅ B" in held.button_texts and "Permis déclarés : B." in held.text
        settings = await env.storage.get_profile_alert_settings(2)
        assert settings.filters.licences_held == ("B",)

        car = add(env, NOW - HOUR, **permis("B"))
        lorry = add(env, NOW - 2 * HOUR, **permis("C"))
        lorry_wished = add(env, NOW - 3 * HOUR, **permis("C", "S"))  # souhaité, not exigé
        none = add(env, NOW - 4 * HOUR)
        assert (await env.cycle(NOW)).messages_sent == 1
        assert sorted(sent_ids(env, 2)[0]) == sorted([car, lorry_wished, none])
        assert lorry not in sent_ids(env, 2)[0]

        # Bad input: an unknown licence, another person's (or no) alert number.
        await user.press_callback(held.message_id, "v1|sfp|0|ZZ")
        assert "Permis inconnu" in await answer(user)
        await user.press_callback(held.message_id, "v1|sfp|1|C")
        assert "n'existe pas" in await answer(user)
        assert (await env.storage.get_profile_alert_settings(2)).filters.licences_held == ("B",)

        # CE held: a C lorry is drivable (CE implies C) and comes the next day.
        await user.press("CE", message_id=held.message_id)
        await screen(user)
        filters = (await env.storage.get_profile_alert_settings(2)).filters
        assert filters.licences_held == ("B", "CE")
        await user.press("⬅️ Retour aux filtres", message_id=held.message_id)
        summary = await screen(user)
        assert "permis : B / CE" in summary.text
        tomorrow = NOW + DAY
        later_lorry = add(env, tomorrow - HOUR, **permis("C"))
        assert (await env.cycle(tomorrow)).messages_sent == 1
        assert later_lorry in sent_ids(env, 2)[-1]


async def test_a_quiet_day_sends_nothing_and_the_next_day_catches_up(tmp_path: Path) -> None:
    async with alert_env(tmp_path, settings_overrides=LIVE, polling=True) as env:
        await env.add_user(3, WAITER, PARIS_CODE)
        await env.storage.set_alerts(3, False)
        await add_saved(env, 3)
        user = env.tg.user(3)
        await open_card(user)
        await user.press("🗓 Fréquence")
        frequency = await screen(user)
        assert "🕗 tous les jours à 08:00" in frequency.text
        await user.press("🤫 Jours sans envoi")
        quiet = await screen(user)
        assert quiet.button_texts[:7] == [
            "✅ lundi",
            "✅ mardi",
            "✅ mercredi",
            "✅ jeudi",
            "✅ vendredi",
            "✅ samedi",
            "✅ dimanche",
        ]
        await user.press("✅ mercredi")
        toggled = await screen(user)
        assert "🔕 mercredi" in toggled.button_texts
        assert "tous les jours sauf mercredi à 08:00" in toggled.text
        assert (await env.storage.get_saved_alert(3, 1)).schedule.quiet_days == {2}

        offer = add(env, NOW - HOUR)
        wednesday = await env.cycle(NOW)
        assert wednesday.users_due == 0 and sent_ids(env, 3) == []
        thursday = await env.cycle(NOW + DAY)
        assert thursday.messages_sent == 1 and offer in sent_ids(env, 3)[0]

        # The alert's card shows them too.
        await user.press("⬅️ Retour à l'alerte", message_id=toggled.message_id)
        card = await screen(user)
        assert "tous les jours sauf mercredi à 08:00" in card.text


async def test_a_schedule_left_without_a_day_is_refused(tmp_path: Path) -> None:
    async with alert_env(tmp_path, polling=True) as env:
        await env.add_user(4, WAITER, PARIS_CODE)
        await env.add_user(5, WAITER, PARIS_CODE)
        weekdays = Schedule(Frequency.WEEKDAYS, time(8, 0), quiet_days=frozenset({0, 1, 2, 3}))
        await add_saved(env, 4, weekdays)
        user = env.tg.user(4)
        await open_card(user)
        await user.press("🗓 Fréquence")
        await screen(user)
        await user.press("🤫 Jours sans envoi")
        quiet = await screen(user)
        # Monday to Friday: the weekend is not offered; four days are quiet already.
        assert quiet.button_texts[:5] == [
            "🔕 lundi",
            "🔕 mardi",
            "🔕 mercredi",
            "🔕 jeudi",
            "✅ vendredi",
        ]
        assert "du lundi au vendredi sauf lundi, mardi, mercredi et jeudi" in quiet.text
        await user.press("✅ vendredi")
        assert "au moins un jour d'envoi" in await answer(user)
        stored = await env.storage.get_saved_alert(4, 1)
        assert stored.schedule == weekdays
        await user.press_callback(quiet.message_id, "v1|sqd|1|d6")  # Sunday: not a sending day
        assert "pas un jour d'envoi" in await answer(user)
        await user.press_callback(quiet.message_id, "v1|sqd|1|d9")  # not a shape we make
        assert "plus valable" in await answer(user)
        await user.press_callback(quiet.message_id, "v1|sqd|0|d1")
        assert "carte" in await answer(user)

        # Weekly on a quiet day: refused; on another day: fine (quiet days outside it ignored).
        await user.press_callback(quiet.message_id, "v1|saf|1|w2")
        assert "Le mercredi est un jour sans envoi" in await answer(user)
        assert (await env.storage.get_saved_alert(4, 1)).schedule == weekdays
        await user.press_callback(quiet.message_id, "v1|saf|1|w4")
        card = await screen(user)
        assert "chaque vendredi à 08:00" in card.text and "sauf" not in card.text

        # « Envoyer tous ces jours » clears them; the daily alert then sends every day.
        await user.press_callback(quiet.message_id, "v1|saf|1|daily")
        await screen(user)
        await user.press_callback(quiet.message_id, "v1|sqd|1|open")
        reopened = await screen(user)
        assert "tous les jours sauf lundi, mardi, mercredi et jeudi" in reopened.text
        # Daily: all seven days quiet is refused at the seventh.
        for day in ("vendredi", "samedi"):
            await user.press(f"✅ {day}", message_id=quiet.message_id)
            await screen(user)
        await user.press("✅ dimanche", message_id=quiet.message_id)
        assert "au moins un jour d'envoi" in await answer(user)
        assert (await env.storage.get_saved_alert(4, 1)).schedule.days == {6}
        await user.press("✅ Envoyer tous ces jours", message_id=quiet.message_id)
        await screen(user)
        assert (await env.storage.get_saved_alert(4, 1)).schedule.quiet_days == frozenset()

        # Another person pressing alert 1's buttons reaches nothing of person 4's.
        before = await env.storage.get_saved_alert(4, 1)
        assert before.schedule.quiet_days == frozenset()
        intruder = env.tg.user(5)
        await intruder.send("/alertes")
        theirs = await screen(intruder)
        for data in ("v1|sqd|1|d3", "v1|sqd|1|none", "v1|sqd|1|open", "v1|saf|1|w3"):
            await intruder.press_callback(theirs.message_id, data)
            assert "n'existe pas" in await answer(intruder)
        assert await env.storage.get_saved_alert(4, 1) == before
