"""Crash safety: `ft-bot alerts --once` SIGKILLed mid-cycle, then run again.

The emulators run in this process; the cycle runs in a subprocess (`bot.alerts.run_once`, as
cron would start it) pointed at them by URL, with the same SQLite file across runs.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from ft_client.alert_schedule import Frequency, Schedule
from storage.saved_alerts import AlertCriteria, SavedAlert
from tests.helpers_alerts import LYON_CODE, PARIS_CODE, alert_env, wait_for

ROOT = Path(__file__).resolve().parent.parent
USERS = 60
# Sends and records one digest at a time, so that at most one can be in flight (accepted, not
# recorded) when the process dies.
SCRIPT = """
import asyncio
from bot import alerts
from bot.alerts import cycle as alert_cycle
from bot.config import Settings, setup_logging

alert_cycle.SEND_CONCURRENCY = 1
alert_cycle.UNRECORDED_LIMIT = 1
setup_logging("WARNING")
report = asyncio.run(alerts.run_once(Settings.from_env(dotenv_path=None)))
print(report.summary(), flush=True)
"""


def cycle_env(env_settings: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FT_", "TELEGRAM_"))}
    env.update(env_settings)
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.mark.slow
@pytest.mark.parametrize("saved", [False, True], ids=["profile alert", "with a saved alert"])
async def test_sigkill_mid_cycle_then_restart_sends_each_digest_once(
    tmp_path: Path, saved: bool
) -> None:
    async with alert_env(tmp_path) as env:
        now = datetime.now(UTC)
        for user_id in range(1, USERS + 1):
            # Due whatever the real time: alerts at midnight, every day.
            rome, town = ("G1803", PARIS_CODE) if user_id % 2 else ("J1501", LYON_CODE)
            await env.add_user(user_id, rome, town, alert_time=time(0, 0))
            if saved:
                # A second alert due at the same time: one merged message, recorded at once.
                other_rome, other_town = (
                    ("J1501", LYON_CODE) if user_id % 2 else ("G1803", PARIS_CODE)
                )
                await env.storage.add_saved_alert(
                    SavedAlert(
                        user_id=user_id,
                        alert_no=0,
                        label="Autre recherche",
                        criteria=AlertCriteria(
                            rome_codes=(other_rome,), commune_code=other_town, radius_km=10
                        ),
                        schedule=Schedule(Frequency.DAILY, time(0, 0)),
                    )
                )
        for rome, town in (("G1803", PARIS_CODE), ("J1501", LYON_CODE)):
            env.add_offer(rome=rome, place_code=town, created=now - timedelta(hours=1))
        settings = {
            "TELEGRAM_BOT_TOKEN": env.tg.token,
            "TELEGRAM_API_BASE_URL": env.tg.base_url,
            "FT_CLIENT_ID": env.ft.client_id,
            "FT_CLIENT_SECRET": env.ft.client_secret,
            "FT_API_BASE_URL": env.ft.base_url,
            "FT_TOKEN_URL": env.ft.token_url,
            "DATABASE_PATH": str(env.settings.database_path),
            "ALERT_TIMEZONE": "Europe/Paris",
        }

        def sent() -> int:
            return sum(len(env.messages(u)) for u in range(1, USERS + 1))

        async def start() -> asyncio.subprocess.Process:
            return await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                SCRIPT,
                cwd=tmp_path,  # no stray .env
                env=cycle_env(settings),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )

        first = await start()
        await wait_for(lambda: sent() >= 10, timeout=60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        assert first.returncode == -signal.SIGKILL
        killed_at = sent()
        assert 10 <= killed_at < USERS, "the kill must land in the middle of the cycle"

        second = await start()
        out, err = await asyncio.wait_for(second.communicate(), timeout=120)
        assert second.returncode == 0, err.decode()[-2000:]

        counts = [len(env.messages(u)) for u in range(1, USERS + 1)]
        assert all(count >= 1 for count in counts), counts  # nobody lost
        repeated = sum(count - 1 for count in counts)
        assert repeated <= 1, counts  # at most the one in flight at the kill
        assert "users_due=" in out.decode()

        [run] = await env.storage.last_alert_runs(1)  # the killed run recorded nothing
        assert run.outcome == "ok" and run.users_served == run.users_due
        assert USERS - killed_at <= run.users_due <= USERS - killed_at + 1

        if saved:
            # Each message held both alerts' offers, and both alerts were recorded served.
            assert all("Autre recherche" in m.text for u in (1, 2) for m in env.messages(u))
            for user_id in range(1, USERS + 1):
                [alert] = await env.storage.list_saved_alerts(user_id)
                assert alert.last_served_at is not None
        # A third run finds nobody due and sends nothing.
        third = await start()
        out, err = await asyncio.wait_for(third.communicate(), timeout=120)
        assert third.returncode == 0, err.decode()[-2000:]
        assert "users_due=0 " in out.decode()
        assert sent() == sum(counts)
