"""`ft-bot worker` on the command line: its help, and every bad configuration stopping it in one
clear ✗ line with exit code 1, no traceback, no secret. Also ALERT_RUNNER for the other commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.assemble import build_application
from bot.config import ConfigError, Settings
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from sandbox.telegram import TelegramEmulator
from tests.postgres_server import PostgresServer
from tests.test_cli import TOKEN, clean_env, emulator_env, free_port, run_cli
from tests.test_cli_startup import assert_one_clear_line

WRONG = "Wrong-Pass-4242"


async def test_worker_help_names_its_options(tmp_path: Path) -> None:
    code, out, err = await run_cli("worker", "--help", env=clean_env(), cwd=tmp_path)
    assert code == 0, err
    for needle in ("--name", "--concurrency", "DATABASE_URL", "ALERT_RUNNER=workers", "SIGTERM"):
        assert needle in out
    code, out, err = await run_cli("worker", "--concurrency", "0", env=clean_env(), cwd=tmp_path)
    assert code == 2 and "between 1 and 200" in err


async def test_a_worker_on_sqlite_is_refused_in_one_line(tmp_path: Path) -> None:
    env = clean_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        FT_CLIENT_ID="PAR_test",
        FT_CLIENT_SECRET="wrong-secret",
        ALERT_RUNNER="workers",
        DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
    )
    code, out, err = await run_cli("worker", env=env, cwd=tmp_path)
    assert_one_clear_line(
        ("worker",), code, out, err, "ft-bot worker needs PostgreSQL", "DATABASE_URL=postgresql://"
    )
    assert not (tmp_path / "bot.sqlite3").exists()


async def test_a_worker_without_alert_runner_workers_is_refused(tmp_path: Path) -> None:
    env = clean_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        FT_CLIENT_ID="PAR_test",
        FT_CLIENT_SECRET="wrong-secret",
        DATABASE_URL=f"postgresql://ftbot:{WRONG}@127.0.0.1:{free_port()}/ftbot",
    )
    code, out, err = await run_cli("worker", env=env, cwd=tmp_path)
    assert_one_clear_line(("worker",), code, out, err, "ALERT_RUNNER=workers")
    assert WRONG not in out + err


@pytest.mark.parametrize("problem", ["wrong password", "unreachable"])
async def test_a_bad_database_url_stops_a_worker_in_one_line(
    problem: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    if problem == "wrong password":
        url = postgres_server.url.replace(postgres_server.password, WRONG)
        reason = "password authentication failed"
    else:
        url = f"postgresql://ftbot:{WRONG}@127.0.0.1:{free_port()}/ftbot"
        reason = "connection refused or host unreachable"
    async with (
        FranceTravailEmulator(EmulatorConfig(seed=1, offer_count=10)) as ft,
        TelegramEmulator(token=TOKEN) as tg,
    ):
        env = emulator_env(ft, tg, tmp_path / "bot.sqlite3")
        env.update(DATABASE_URL=url, ALERT_RUNNER="workers")
        code, out, err = await run_cli("worker", env=env, cwd=tmp_path)
    line = assert_one_clear_line(
        ("worker",), code, out, err, "database: cannot connect to PostgreSQL", "DATABASE_URL"
    )
    assert reason in line, line
    assert WRONG not in out + err and postgres_server.password not in out + err


async def test_alert_runner_workers_on_sqlite_stops_run_and_check_says_so(tmp_path: Path) -> None:
    env = clean_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        FT_CLIENT_ID="PAR_test",
        FT_CLIENT_SECRET="wrong-secret",
        ALERT_RUNNER="workers",
        DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
    )
    code, out, err = await run_cli("run", env=env, cwd=tmp_path)
    assert_one_clear_line(("run",), code, out, err, "ALERT_RUNNER=workers needs PostgreSQL")
    code, out, err = await run_cli("alerts", "--once", env=env, cwd=tmp_path)
    assert_one_clear_line(("alerts", "--once"), code, out, err, "the workers send the alerts")


def test_alert_runner_is_parsed_and_checked() -> None:
    base = {"TELEGRAM_BOT_TOKEN": TOKEN, "FT_CLIENT_ID": "x", "FT_CLIENT_SECRET": "y"}
    assert Settings.from_env(base, dotenv_path=None).alert_runner == "bot"
    settings = Settings.from_env(
        {**base, "ALERT_RUNNER": "Workers", "WORKER_CONCURRENCY": "3"}, dotenv_path=None
    )
    assert (settings.alert_runner, settings.worker_concurrency) == ("workers", 3)
    for bad in ({"ALERT_RUNNER": "cron"}, {"WORKER_CONCURRENCY": "0"}, {"WORKER_BATCH_SIZE": "x"}):
        with pytest.raises(ConfigError):
            Settings.from_env({**base, **bad}, dotenv_path=None)
    with pytest.raises(ConfigError, match="WORKER_STALLED_SECONDS"):
        Settings.from_env(
            {**base, "WORKER_HEARTBEAT_SECONDS": "10", "WORKER_STALLED_SECONDS": "15"}
        )


def test_with_workers_the_bot_schedules_neither_the_alert_cycle_nor_the_sweep() -> None:
    def jobs(runner: str) -> set[str]:
        settings = Settings(TOKEN, "x", "y", alert_runner=runner)
        application = build_application(settings, persistence=None)
        assert application.job_queue is not None
        return {job.name for job in application.job_queue.jobs() if job.name}

    assert jobs("bot") == {"alerts", "sweep"}
    assert jobs("workers") == set()


def test_check_reports_the_alert_runner() -> None:
    from bot.cli import _runner_problem

    sqlite_workers = Settings(TOKEN, "x", "y", alert_runner="workers")
    assert "needs PostgreSQL" in (_runner_problem(sqlite_workers) or "")
    postgres = "postgresql://u:p@127.0.0.1:5432/db"
    assert _runner_problem(sqlite_workers.with_overrides(database_url=postgres)) is None
    assert _runner_problem(Settings(TOKEN, "x", "y")) is None
