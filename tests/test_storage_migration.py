"""Upgrading: a database written by the aiosqlite-only storage opens and keeps every row, and
``python -m storage.migrate`` copies a SQLite database into PostgreSQL without losing a user.
Bad PostgreSQL settings fail with one clear line that never shows the password.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import PersistenceInput

from storage import (
    AlertRun,
    FavouriteSnapshot,
    SqlitePersistence,
    Storage,
    StorageError,
    StorageUnavailableError,
    TargetJob,
)
from storage.migrate import copy_database, migrate_database
from storage.schema import DATA_TABLES
from tests.helpers_storage import add_user
from tests.postgres_server import PostgresServer, free_loopback_port

REPO = Path(__file__).resolve().parents[1]
# Written by the aiosqlite-only storage (main at 6189cc4, before SQLAlchemy): see its users below.
LEGACY_DB = REPO / "tests" / "fixtures" / "storage_legacy_v1.db"
LEGACY_AT = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
BIG_ID = 7_123_456_789  # above 2**31: BIGINT on PostgreSQL


@pytest.fixture
def legacy_path(tmp_path: Path) -> Path:
    path = tmp_path / "legacy.sqlite3"
    shutil.copyfile(LEGACY_DB, path)
    return path


async def test_database_from_the_aiosqlite_storage_opens_with_every_row(legacy_path: Path) -> None:
    async with Storage.open(legacy_path) as storage:
        assert await storage.integrity_check() == "ok"
        lea = await storage.get_user(42)
        assert lea is not None and lea.first_name == "Léa 😀" and lea.created_at == LEGACY_AT
        profile = await storage.get_profile(42)
        assert profile is not None
        assert profile.target_jobs == (TargetJob("G1603", "Personnel de cuisine"),)
        assert profile.skills == ("Cuisson", "Hygiène HACCP", "'); DROP TABLE users;--")
        assert (profile.place_code, profile.radius_km) == ("2A004", 30)
        assert profile.alert_time == time(7, 45) and profile.alert_days == frozenset({0, 2, 4})
        assert profile.last_alert_at == LEGACY_AT
        assert await storage.filter_unsent(42, ["193XKZP", "200ABCD", "NEW1"]) == ["NEW1"]
        [favourite] = await storage.list_favourites(42)
        assert favourite.url == "https://x.fr/?a=1&b=<"
        big = await storage.get_user(BIG_ID)
        assert big is not None and big.blocked
        [run] = await storage.last_alert_runs()
        assert (run.outcome, run.detail) == ("partial", "1 group failed")
        export = await storage.export_user(42)
        assert export["bot_memory"]["user_data"] == {"step": "city", "job": "Cuisinier"}
        assert export["bot_memory"]["conversations"] == [
            {"name": "onboarding", "key": [42, 42], "state": 1}
        ]
        persistence = SqlitePersistence(storage, store_data=PersistenceInput())
        assert await persistence.get_bot_data() == {"announcement": "Bonjour 👋"}
        # And the old file takes new writes.
        await storage.mark_sent(42, ["NEW1"])
        assert await storage.filter_unsent(42, ["NEW1"]) == []


async def _add_many_users(storage: Storage, count: int) -> None:
    now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    for uid in range(1000, 1000 + count):
        await add_user(storage, uid, skills=(f"compétence {uid}",), radius_km=uid % 200)
        await storage.mark_sent(uid, [f"O{uid}x{k}" for k in range(3)], at=now)
        if uid % 3 == 0:
            await storage.add_favourite(uid, FavouriteSnapshot(f"F{uid}", "Serveur H/F"), at=now)
        if uid % 5 == 0:
            await storage.ptb_store("user_data", uid, '{"step":"job"}')
            await storage.ptb_store_conversation("onboarding", f"[{uid},{uid}]", "0")


def _comparable(export: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in export.items() if key != "exported_at"}


async def _all_rows(storage: Storage) -> dict[str, list[tuple[Any, ...]]]:
    from sqlalchemy import select

    rows = {}
    for table in DATA_TABLES:
        query = select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(row) for row in await storage._fetchall(query)]
    return rows


async def test_migration_to_postgresql_keeps_every_users_data(
    legacy_path: Path, postgres_database_url: str
) -> None:
    async with Storage.open(legacy_path) as source:
        await _add_many_users(source, 60)
        user_ids = [row[0] for row in await source._fetchall("SELECT user_id FROM users")]
        before = {uid: _comparable(await source.export_user(uid)) for uid in user_ids}
        rows_before = await _all_rows(source)
        now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        stats_before = await source.stats(now)

    report = await migrate_database(legacy_path, postgres_database_url)
    assert report.rows["users"] == len(user_ids) == 63
    assert "***" in report.target and postgres_database_url.split(":")[2] not in report.summary()

    async with Storage.open(postgres_database_url) as target:
        assert target.backend == "postgresql"
        assert await _all_rows(target) == rows_before
        for uid in user_ids:
            assert _comparable(await target.export_user(uid)) == before[uid], uid
        assert await target.stats(now) == stats_before
        persistence = SqlitePersistence(target, store_data=PersistenceInput())
        assert await persistence.get_bot_data() == {"announcement": "Bonjour 👋"}
        assert (await persistence.get_conversations("onboarding"))[(42, 42)] == 1
        # Generated ids continue after the copied ones.
        run_id = await target.record_alert_run(
            AlertRun(started_at=now, finished_at=now + timedelta(seconds=1))
        )
        assert run_id == max(row[0] for row in rows_before["alert_runs"]) + 1
        # A second copy into the same database is refused, nothing is mixed.
        async with Storage.open(legacy_path) as source:
            with pytest.raises(StorageError, match="already holds data"):
                await copy_database(source, target)


def test_migrate_command_line(
    legacy_path: Path, postgres_database_url: str, postgres_server: PostgresServer
) -> None:
    command = [sys.executable, "-m", "storage.migrate", "--from", str(legacy_path), "--to"]
    wrong = postgres_database_url.replace(postgres_server.password, "not-the-password")
    failed = subprocess.run(
        [*command, wrong], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert failed.returncode == 1
    assert failed.stdout == "" and len(failed.stderr.strip().splitlines()) == 1, failed.stderr
    assert "password authentication failed" in failed.stderr
    assert "not-the-password" not in failed.stderr

    done = subprocess.run(
        [*command, postgres_database_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "users 3," in done.stdout and postgres_server.password not in done.stdout
    again = subprocess.run(
        [*command, postgres_database_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 1 and "already holds data" in again.stderr


async def test_wrong_password_is_one_clear_line_without_the_password(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.url.replace(postgres_server.password, "Secret-Wrong-42")
    with pytest.raises(StorageUnavailableError) as caught:
        await Storage.open(url)
    message = str(caught.value)
    assert "\n" not in message and "Secret-Wrong-42" not in message
    assert message.startswith("cannot connect to PostgreSQL at 127.0.0.1:")
    assert "password authentication failed" in message


async def test_unreachable_postgresql_is_one_clear_line() -> None:
    url = f"postgresql://ftbot:Secret-Pw-7@127.0.0.1:{free_loopback_port()}/ftbot"
    with pytest.raises(StorageUnavailableError) as caught:
        await Storage.open(url)
    message = str(caught.value)
    assert "\n" not in message and "Secret-Pw-7" not in message
    assert "connection refused or host unreachable" in message


async def test_missing_source_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no SQLite database"):
        await migrate_database(tmp_path / "nope.sqlite3", "postgresql://u:p@127.0.0.1:1/db")
    assert not (tmp_path / "nope.sqlite3").exists()


@pytest.mark.parametrize("problem", ["wrong password", "unreachable"])
def test_ft_bot_check_reports_a_bad_database_url_in_one_line(
    problem: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    closed = f"http://127.0.0.1:{free_loopback_port()}"  # the APIs fail fast, on loopback
    if problem == "wrong password":
        url = postgres_server.url.replace(postgres_server.password, "Secret-Wrong-42")
        expected = "password authentication failed"
    else:
        url = f"postgresql://ftbot:Secret-Wrong-42@127.0.0.1:{free_loopback_port()}/ftbot"
        expected = "connection refused or host unreachable"
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
        "FT_CLIENT_ID": "id",
        "FT_CLIENT_SECRET": "secret",
        "TELEGRAM_API_BASE_URL": f"{closed}/bot",
        "FT_API_BASE_URL": closed,
        "FT_TOKEN_URL": f"{closed}/token",
        "DATABASE_URL": url,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    [line] = [line for line in output.splitlines() if "database" in line]
    assert line.startswith("✗ database: cannot connect to PostgreSQL at 127.0.0.1:"), line
    assert expected in line
    assert "Secret-Wrong-42" not in output


def test_database_url_setting_selects_postgresql_and_hides_its_password() -> None:
    from bot.config import ConfigError, Settings

    env = {"DATABASE_PATH": "data/x.sqlite3"}
    assert Settings.from_env(env, require_credentials=False).database_location == Path(
        "data/x.sqlite3"
    )
    url = "postgresql://bot:S3cret-pw@db.internal:5432/ftbot"
    settings = Settings.from_env({**env, "DATABASE_URL": url}, require_credentials=False)
    assert settings.database_location == url
    assert settings.database_display == "postgresql://bot:***@db.internal:5432/ftbot"
    assert "S3cret-pw" not in repr(settings) and "S3cret-pw" in settings.secret_values()
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"DATABASE_URL": "mysql://u:S3cret-pw@h/db"}, require_credentials=False)
    assert "DATABASE_URL must be postgresql://" in str(caught.value)
    assert "S3cret-pw" not in str(caught.value)
