"""Saved alerts, schedules and pauses in the alert cycle (issue 15, phase 2), through both
emulators: a sweep fills the offers table, then the cycle serves from it (the merged digest also
on the live fallback, `SWEEP_MINUTES=0`).

Covered: alerts due together → one message grouped by alert, no offer twice, every alert
recorded served; a weekly alert only on its day, also found by `due_for_alerts(user_ids=…)`;
« pause jusqu'au » for the profile alert and for a saved alert; a changed saved alert looks
back again.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.sweep_job import run_sweep
from ft_client.alert_filters import AlertFilters
from ft_client.alert_schedule import Frequency, Schedule
from storage.saved_alerts import AlertCriteria, SavedAlert
from tests.helpers_alerts import LYON_CODE, PARIS_CODE, AlertEnv, alert_env, job_skills

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday, 10:00 in Paris
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
LOOKBACK = 3
VERSAILLES = "78646"  # about 17 km from the centre of Paris
WAITER, COOK = "G1803", "G1602"


async def sweep(env: AlertEnv, at: datetime) -> None:
    await run_sweep(env.client, env.storage, LOOKBACK, clock=lambda: at)


async def add_saved(
    env: AlertEnv,
    user_id: int,
    label: str,
    rome: str,
    place: str | None,
    radius_km: int | None = 10,
    *,
    schedule: Schedule | None = None,
    filters: AlertFilters | None = None,
) -> SavedAlert:
    ref_place = env.services.referential.place(place) if place else None
    return await env.storage.add_saved_alert(
        SavedAlert(
            user_id=user_id,
            alert_no=0,
            label=label,
            criteria=AlertCriteria(
                rome_codes=(rome,),
                commune_code=place,
                place_label=ref_place.display_label if ref_place else None,
                radius_km=radius_km if place else None,
            ),
            schedule=schedule or Schedule(Frequency.DAILY, time(8, 0)),
            filters=filters or AlertFilters(),
        ),
        at=NOW - 10 * DAY,
    )


async def add_person(env: AlertEnv, user_id: int, *, profile_alert: bool = True) -> None:
    """Profile alert: waiter in Paris (10 km), daily at 08:00; skills of both jobs."""
    await env.add_user(
        user_id, (WAITER, COOK), PARIS_CODE, skills=job_skills(WAITER, 2) + job_skills(COOK, 2)
    )
    if not profile_alert:
        await env.storage.set_alerts(user_id, False)


def ids_in(html: str) -> list[str]:
    return re.findall(r"A\d{6}", html)


@pytest.mark.parametrize("source", ["local", "live"])
async def test_alerts_due_together_make_one_message_without_an_offer_twice(
    tmp_path: Path, source: str
) -> None:
    overrides = {"sweep_minutes": 0} if source == "live" else None
    async with alert_env(tmp_path, settings_overrides=overrides) as env:
        await add_person(env, 1)
        lyon = await add_saved(env, 1, "Cuisinier à Lyon", COOK, LYON_CODE)
        wide = await add_saved(env, 1, "Serveur autour de Paris", WAITER, PARIS_CODE, 30)
        paris = [
            env.add_offer(rome=WAITER, place_code=PARIS_CODE, created=NOW - i * HOUR)
            for i in (1, 2)
        ]
        versailles = env.add_offer(rome=WAITER, place_code=VERSAILLES, created=NOW - 3 * HOUR)
        cook = env.add_offer(rome=COOK, place_code=LYON_CODE, created=NOW - HOUR)
        if source == "local":
            await sweep(env, NOW)
        report = await env.cycle(NOW)
        assert report.source == source
        assert report.users_due == 1 and report.messages_sent == 1 and report.failures == 0
        [message] = env.messages(1)
        html = message.html or ""
        found = ids_in(html)
        assert sorted(found) == sorted({o["id"] for o in [*paris, versailles, cook]})
        assert len(found) == len(set(found))  # no offer twice across the alerts
        # Grouped by alert, the profile's first, then the saved ones by number.
        headings = [
            html.index(t)
            for t in ("Alerte de votre profil", "— Cuisinier à Lyon", "— Serveur autour de Paris")
        ]
        assert headings == sorted(headings)
        assert "Vos alertes emploi du mercredi 25 novembre" in message.text
        # The Paris offers are in the profile's section, Versailles alone in the wide one.
        assert html.index(paris[0]["id"]) < headings[1] < html.index(cook["id"]) < headings[2]
        assert html.index(versailles["id"]) > headings[2]
        stars = [f"{icon} {n}" for n in range(1, 5) for icon in ("⭐", "🙈")]
        assert message.button_texts == stars

        # Everything recorded at once: offers sent, the profile and both saved alerts served.
        assert await env.storage.filter_unsent(1, found) == []
        profile = await env.storage.get_profile(1)
        assert profile is not None and profile.last_alert_at is not None
        for alert in await env.storage.list_saved_alerts(1):
            assert alert.last_served_at == profile.last_alert_at
            assert alert.served_criteria == alert.criteria.canonical()
        assert {lyon.alert_no, wide.alert_no} == {1, 2}
        # Nobody is due again today.
        again = await env.cycle(NOW + HOUR)
        assert again.users_due == 0 and len(env.messages(1)) == 1


async def test_a_saved_alert_alone_is_labelled_and_keeps_the_profile_alert_due(
    tmp_path: Path,
) -> None:
    async with alert_env(tmp_path) as env:
        await add_person(env, 1)
        await env.storage.set_alerts(1, True, time=time(18, 0))  # the profile alert: tonight
        await add_saved(env, 1, "Cuisinier à Lyon", COOK, LYON_CODE)
        cook = env.add_offer(rome=COOK, place_code=LYON_CODE, created=NOW - HOUR)
        waiter = env.add_offer(rome=WAITER, place_code=PARIS_CODE, created=NOW - HOUR)
        await sweep(env, NOW)
        assert (await env.cycle(NOW)).messages_sent == 1
        [message] = env.messages(1)
        assert "— Cuisinier à Lyon" in message.text and ids_in(message.html or "") == [cook["id"]]
        profile = await env.storage.get_profile(1)
        assert profile is not None and profile.last_alert_at is None  # its own alert not served
        evening = NOW + 9 * HOUR
        await sweep(env, evening)
        assert (await env.cycle(evening)).messages_sent == 1
        assert ids_in(env.messages(1)[-1].html or "") == [waiter["id"]]
        assert "Votre alerte emploi" in env.messages(1)[-1].text


async def test_a_weekly_alert_is_sent_on_its_day_only(tmp_path: Path) -> None:
    thursday = Schedule(Frequency.WEEKLY, time(8, 0), weekday=3)
    async with alert_env(tmp_path) as env:
        await add_person(env, 1, profile_alert=False)
        await add_person(env, 2, profile_alert=False)
        await add_saved(env, 1, "Le jeudi", WAITER, PARIS_CODE, schedule=thursday)
        offer = env.add_offer(rome=WAITER, place_code=PARIS_CODE, created=NOW - HOUR)
        await sweep(env, NOW)
        report = await env.cycle(NOW)  # Wednesday
        assert report.users_due == 0 and env.messages(1) == []
        tz = env.settings.alert_timezone
        assert await env.storage.due_for_alerts(NOW + DAY, tz, user_ids=[2]) == []
        [due] = await env.storage.due_for_alerts(NOW + DAY, tz, user_ids=[1, 2])
        assert due.user_id == 1  # due through its saved alert only
        assert await env.storage.due_user_ids(NOW + DAY, tz, user_ids=[1, 2]) == [1]
        assert await env.storage.due_user_ids(NOW + DAY, tz, user_ids=[2]) == []
        await sweep(env, NOW + DAY)
        report = await env.cycle(NOW + DAY)  # Thursday
        assert report.users_due == 1 and report.messages_sent == 1
        assert ids_in(env.messages(1)[0].html or "") == [offer["id"]]
        # Friday: not its day.
        env.add_offer(rome=WAITER, place_code=PARIS_CODE, created=NOW + DAY + HOUR)
        await sweep(env, NOW + 2 * DAY)
        assert (await env.cycle(NOW + 2 * DAY)).users_due == 0
        assert len(env.messages(1)) == 1


@pytest.mark.parametrize("which", ["profile", "saved"])
async def test_a_paused_alert_is_silent_until_the_day_after_its_pause(
    tmp_path: Path, which: str
) -> None:
    until = date(2026, 11, 26)  # Thursday, inclusive
    async with alert_env(tmp_path) as env:
        await add_person(env, 1, profile_alert=which == "profile")
        if which == "profile":
            await env.storage.modify_profile_alert_settings(
                1, lambda s: s.replace(paused_until=until)
            )
        else:
            await add_saved(
                env,
                1,
                "En pause",
                WAITER,
                PARIS_CODE,
                schedule=Schedule(Frequency.DAILY, time(8, 0), paused_until=until),
            )
        first = env.add_offer(rome=WAITER, place_code=PARIS_CODE, created=NOW - HOUR)
        for day in (0, 1):
            await sweep(env, NOW + day * DAY)
            assert (await env.cycle(NOW + day * DAY)).users_due == 0
        assert env.messages(1) == []
        later = env.add_offer(rome=WAITER, place_code=PARIS_CODE, created=NOW + DAY + HOUR)
        await sweep(env, NOW + 2 * DAY)
        report = await env.cycle(NOW + 2 * DAY)  # Friday: the pause is over
        assert report.users_due == 1 and report.messages_sent == 1
        sent = ids_in(env.messages(1)[0].html or "")
        # The window looks back at most ALERT_LOOKBACK_DAYS: both offers are still in it.
        assert sorted(sent) == sorted([first["id"], later["id"]])


async def test_a_changed_saved_alert_looks_back_again(tmp_path: Path) -> None:
    async with alert_env(tmp_path) as env:
        await add_person(env, 1, profile_alert=False)
        alert = await add_saved(env, 1, "Serveur", WAITER, PARIS_CODE)
        # Offers in Lyon published yesterday; the alert moves to Lyon today after its digest.
        lyon = env.add_offer(rome=WAITER, place_code=LYON_CODE, created=NOW - 20 * HOUR)
        await sweep(env, NOW)
        assert (await env.cycle(NOW)).users_due == 1  # nothing yet: served, no message
        assert env.messages(1) == []
        await env.storage.modify_saved_alert(
            1,
            alert.alert_no,
            lambda a: a.replace(
                criteria=AlertCriteria(rome_codes=(WAITER,), commune_code=LYON_CODE, radius_km=10)
            ),
        )
        tomorrow = NOW + DAY
        await sweep(env, tomorrow)
        assert (await env.cycle(tomorrow)).messages_sent == 1
        # Created before the last digest, yet sent: a changed alert looks back again.
        assert ids_in(env.messages(1)[0].html or "") == [lyon["id"]]
