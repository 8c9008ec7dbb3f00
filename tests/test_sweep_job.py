"""The sweep in the bot: `ft-bot sweep --once` fills the offers table (a second run fetches only
what is new), and the JobQueue job runs and never overlaps itself."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import sweep_job
from bot.config import ConfigError, Settings
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from sandbox.telegram import TelegramEmulator
from storage import Storage
from tests.helpers_alerts import LYON_CODE, PARIS_CODE, alert_env, offer_json, wait_for
from tests.test_cli import TOKEN, emulator_env, run_cli

HOUR = timedelta(hours=1)


async def test_sweep_once_fills_the_table_then_fetches_only_what_is_new(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    config = EmulatorConfig(seed=3, offer_count=0, include_samples=False)
    async with FranceTravailEmulator(config) as ft, TelegramEmulator(token=TOKEN) as tg:
        now = datetime.now(UTC)
        first = [
            offer_json(rome="G1803", place_code=PARIS_CODE, created=now - i * HOUR)
            for i in range(1, 6)
        ]
        for offer in first:
            ft.add_offer(offer)
        # Older than the first sweep's window (a day): never fetched.
        ft.add_offer(offer_json(rome="G1803", place_code=PARIS_CODE, created=now - 30 * HOUR))
        env = emulator_env(ft, tg, db)

        code, out, err = await run_cli("sweep", "--once", env=env, cwd=tmp_path)
        assert code == 0, out + err
        [line] = out.splitlines()
        assert "5 offers (5 new)" in line and "5 offers stored" in line, line
        calls_after_first = ft.stats.calls["offres_search"]
        async with Storage.open(db) as storage:
            assert await storage.count_offers() == 5
            mark = await storage.high_water_mark()
            assert mark is not None and now - timedelta(seconds=5) <= mark
            report = await storage.last_sweep_report()
            assert report is not None and report["new_offers"] == 5

        await asyncio.sleep(1.1)  # the next offers are created after the mark
        later = [
            offer_json(rome="K2204", place_code=LYON_CODE, created=datetime.now(UTC))
            for _ in range(3)
        ]
        for offer in later:
            ft.add_offer(offer)
        code, out, err = await run_cli("sweep", "--once", env=env, cwd=tmp_path)
        assert code == 0, out + err
        assert "3 offers (3 new)" in out and "8 offers stored" in out, out
        # One search for the sweep of the new window, one for the start-up check.
        assert ", 1 calls (" in out
        assert ft.stats.calls["offres_search"] - calls_after_first == 2
        async with Storage.open(db) as storage:
            found = await storage.candidate_offers(
                ["K2204"], 45.76, 4.84, 20, now - timedelta(days=1)
            )
            assert sorted(c.offer.id for c in found) == sorted(o["id"] for o in later)

        code, out, err = await run_cli("sweep", env=env, cwd=tmp_path)
        assert code == 2 and "--once" in out


async def test_the_job_sweeps_and_never_overlaps_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first run is due this long after the job is registered (while the bot is built): the
    # application is started well before.
    monkeypatch.setattr(sweep_job, "FIRST_SWEEP_DELAY_SECONDS", 2.0)
    async with alert_env(tmp_path, settings_overrides={"sweep_minutes": 1}) as env:
        jobs = env.app.job_queue.get_jobs_by_name(sweep_job.JOB_NAME)  # type: ignore[union-attr]
        assert len(jobs) == 1
        [job] = jobs
        assert job.job.trigger.interval == timedelta(minutes=1)
        assert job.job.coalesce is True and job.job.max_instances == 1
        state: sweep_job.SweepJobState = job.data  # type: ignore[assignment]
        for i in range(4):
            env.add_offer(rome="G1803", place_code=PARIS_CODE, created=datetime.now(UTC) - i * HOUR)
        # Started, the application runs the job by itself.
        await env.app.start()
        try:
            await wait_for(lambda: env.search_calls() == 1)
            await wait_for(lambda: not state.lock.locked())
        finally:
            await env.app.stop()
        assert await env.storage.count_offers() == 4

        env.add_offer(rome="G1803", place_code=PARIS_CODE, created=datetime.now(UTC))

        # A tick while a sweep runs does nothing, in this process or in another one.
        async with state.lock:
            await job.run(env.app)
        with sweep_job.sweep_lock(env.settings.database_path) as mine:
            assert mine
            await job.run(env.app)
        assert env.search_calls() == 1 and await env.storage.count_offers() == 4

        # Two ticks at once: one sweep.
        await asyncio.gather(job.run(env.app), job.run(env.app))
        assert env.search_calls() == 2
        assert await env.storage.count_offers() == 5


async def test_no_job_when_sweep_minutes_is_zero(tmp_path: Path) -> None:
    async with alert_env(tmp_path, settings_overrides={"sweep_minutes": 0}) as env:
        assert env.app.job_queue.get_jobs_by_name(sweep_job.JOB_NAME) == ()  # type: ignore[union-attr]


def test_sweep_minutes_from_the_environment() -> None:
    base = {"TELEGRAM_BOT_TOKEN": "1:x", "FT_CLIENT_ID": "id", "FT_CLIENT_SECRET": "secret"}
    assert Settings.from_env(base, dotenv_path=None).sweep_minutes == 15
    assert Settings.from_env({**base, "SWEEP_MINUTES": "0"}, dotenv_path=None).sweep_minutes == 0
    with pytest.raises(ConfigError, match="SWEEP_MINUTES must be between 0 and 1440"):
        Settings.from_env({**base, "SWEEP_MINUTES": "2000"}, dotenv_path=None)
