"""Alert timing in Europe/Paris across both daylight-saving changes, driven tick by tick."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.helpers_alerts import PARIS_CODE, AlertEnv, alert_env

PARIS = ZoneInfo("Europe/Paris")
TICK = timedelta(minutes=15)
ALERT_TIMES = {1: time(7, 0), 2: time(8, 0), 3: time(18, 0)}


async def run_ticks(env: AlertEnv, start: datetime, end: datetime) -> dict[int, list[datetime]]:
    """One cycle per tick from `start` to `end`; when each user received a message (UTC)."""
    received: dict[int, list[datetime]] = {user_id: [] for user_id in ALERT_TIMES}
    now = start
    while now < end:
        await env.cycle(now)
        for user_id, times in received.items():
            if len(env.messages(user_id)) > len(times):
                times.append(now)
        now += TICK
    return received


def add_offers_every_six_hours(env: AlertEnv, start: datetime, end: datetime) -> None:
    created = start - timedelta(hours=1)
    while created < end:
        env.add_offer(rome="G1803", place_code=PARIS_CODE, created=created)
        created += timedelta(hours=6)


@pytest.mark.parametrize(
    ("first_day", "change"),
    [
        # Sunday 29 March 2026: 02:00 CET → 03:00 CEST (UTC+1 → UTC+2).
        (datetime(2026, 3, 28, tzinfo=UTC), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        # Sunday 25 October 2026: 03:00 CEST → 02:00 CET (UTC+2 → UTC+1).
        (datetime(2026, 10, 24, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),
    ],
    ids=["spring-forward", "fall-back"],
)
async def test_users_are_served_at_their_local_time_across_dst(
    tmp_path: Path, first_day: datetime, change: datetime
) -> None:
    async with alert_env(tmp_path) as env:
        for user_id, alert_time in ALERT_TIMES.items():
            await env.add_user(user_id, "G1803", PARIS_CODE, alert_time=alert_time)
        end = first_day + timedelta(days=3)
        add_offers_every_six_hours(env, first_day, end)

        received = await run_ticks(env, first_day, end)

        offsets = {PARIS.utcoffset(first_day), PARIS.utcoffset(end)}
        assert len(offsets) == 2  # the window does cross the change
        for user_id, alert_time in ALERT_TIMES.items():
            times = received[user_id]
            assert len(times) == 3, (user_id, times)  # one digest a day, never two
            for sent in times:
                local = sent.astimezone(PARIS)
                assert local.time() == alert_time, (user_id, local)
            # Before and after the change, the same local time is a different UTC hour.
            assert times[0].hour != times[-1].hour
            assert times[0] < change < times[-1]


async def test_digest_missed_while_down_is_not_sent_late_but_covered_next_day(
    tmp_path: Path,
) -> None:
    day1 = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # Tuesday 08:00 in Paris
    async with alert_env(tmp_path) as env:
        await env.add_user(2, "G1803", PARIS_CODE, alert_time=time(8, 0))
        env.add_offer(rome="G1803", place_code=PARIS_CODE, created=day1 - timedelta(hours=2))
        assert (await env.cycle(day1)).messages_sent == 1

        # The bot is down all Wednesday; offers keep being published.
        missed = [
            env.add_offer(rome="G1803", place_code=PARIS_CODE, created=day1 + timedelta(hours=h))
            for h in (6, 20, 30)
        ]
        # Back on Thursday at 07:30: Wednesday's digest is not sent late…
        thursday = day1 + timedelta(days=2)
        early = await env.cycle(thursday - timedelta(minutes=30))
        assert early.users_due == 0 and len(env.messages(2)) == 1
        # …Thursday's, at 08:00, covers everything published since Tuesday's.
        report = await env.cycle(thursday)
        assert report.messages_sent == 1
        digest = env.messages(2)[-1]
        assert all(offer["id"] in digest.html for offer in missed)
        assert len(env.messages(2)) == 2
