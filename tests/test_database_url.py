"""DATABASE_URL wired all the way: `ft-bot check`, `alerts --once`, `run` and the bot's own
services use the PostgreSQL database it names (and never create the SQLite file)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from sandbox.telegram import TelegramEmulator
from storage import LATEST_SCHEMA_VERSION, Profile, Storage, TargetJob
from tests.helpers_bot import WAIT, bot_env, expect, onboard
from tests.postgres_server import PostgresServer
from tests.test_cli import TOKEN, emulator_env, free_port, run_cli, running_bot
from tests.test_cli_startup import COMMANDS, assert_one_clear_line

pytestmark = pytest.mark.timeout(300)


async def _seed_alert_user(url: str, user_id: int) -> None:
    async with Storage.open(url) as storage:
        await storage.upsert_user(user_id, user_id, "Léa", "fr")
        await storage.upsert_profile(
            Profile(
                user_id=user_id,
                target_jobs=(TargetJob("G1803", "Serveur / Serveuse en restauration"),),
                skills=("service en salle", "prise de commande"),
                place_code="75056",
                place_label="Paris (75)",
                radius_km=30,
                alert_time=time(8, 0),
            )
        )


def _fresh_paris_offer(ft: FranceTravailEmulator) -> str:
    template = next(o for o in ft.offers if o.get("romeCode") == "G1803")
    fresh = copy.deepcopy(template)
    fresh["id"] = "PGS0001"
    fresh["dateCreation"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    fresh["dateActualisation"] = fresh["dateCreation"]
    fresh["lieuTravail"] = {
        "libelle": "75 - Paris 11e Arrondissement",
        "latitude": 48.859,
        "longitude": 2.38,
        "codePostal": "75011",
        "commune": "75111",
    }
    ft.add_offer(fresh)
    return str(fresh["id"])


async def test_cli_commands_use_the_postgresql_database(
    postgres_server: PostgresServer, postgres_database_url: str, tmp_path: Path
) -> None:
    url = postgres_database_url
    sqlite_file = tmp_path / "bot.sqlite3"
    async with (
        FranceTravailEmulator(EmulatorConfig(seed=3, offer_count=1500)) as ft,
        TelegramEmulator(token=TOKEN) as tg,
    ):
        env = emulator_env(ft, tg, sqlite_file)
        env["DATABASE_URL"] = url

        code, out, err = await run_cli("check", env=env, cwd=tmp_path)
        assert code == 0, out + err
        [line] = [line for line in out.splitlines() if "database" in line]
        assert line.startswith("✓ database: postgresql://ftbot:***@127.0.0.1:"), line
        assert postgres_server.password not in out + err
        async with Storage.open(url) as storage:  # check created and migrated the schema there
            assert await storage.schema_version() == LATEST_SCHEMA_VERSION

        await _seed_alert_user(url, 9)
        offer_id = _fresh_paris_offer(ft)
        user = tg.user(9, first_name="Léa")
        code, out, err = await run_cli("alerts", "--once", "--user", "9", env=env, cwd=tmp_path)
        assert code == 0, out + err
        assert "messages_sent=1" in out, out
        await expect(user, "Votre alerte emploi", timeout=WAIT)
        async with Storage.open(url) as storage:
            assert await storage.filter_unsent(9, [offer_id]) == []  # recorded in PostgreSQL

        async with running_bot(env, tmp_path) as (process, output):
            newcomer = tg.user(7, first_name="Zoé")
            await newcomer.send("/start")
            await expect(newcomer, "Étape 1/5", timeout=WAIT)
        assert process.returncode == 0, "".join(output)[-2000:]
        assert postgres_server.password not in "".join(output)
        async with Storage.open(url) as storage:
            stored = await storage.get_user(7)
            assert stored is not None and stored.first_name == "Zoé"
            # The conversation state went to PostgreSQL too (persistence on the same database).
            assert await storage.ptb_load_conversations("onboarding") != []
    assert not sqlite_file.exists()


async def test_onboarding_stores_the_profile_in_postgresql(
    postgres_database_url: str, tmp_path: Path
) -> None:
    overrides = {"database_url": postgres_database_url}
    async with bot_env(tmp_path, settings_overrides=overrides, alert_job=False) as env:
        assert env.storage.backend == "postgresql"
        profile = await onboard(env, env.user(21))
    async with Storage.open(postgres_database_url) as storage:
        assert await storage.get_profile(21) == profile
        assert (await storage.get_user(21)) is not None
    assert not (tmp_path / "bot.sqlite3").exists()


@pytest.mark.parametrize("problem", ["wrong password", "unreachable"])
async def test_a_bad_database_url_stops_every_command_in_one_line(
    problem: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    wrong = "Wrong-Pass-4242"
    if problem == "wrong password":
        url = postgres_server.url.replace(postgres_server.password, wrong)
        reason = "password authentication failed"
    else:
        url = f"postgresql://ftbot:{wrong}@127.0.0.1:{free_port()}/ftbot"
        reason = "connection refused or host unreachable"
    async with (
        FranceTravailEmulator(EmulatorConfig(seed=1, offer_count=200)) as ft,
        TelegramEmulator(token=TOKEN) as tg,
    ):
        env = emulator_env(ft, tg, tmp_path / "bot.sqlite3")
        env["DATABASE_URL"] = url
        for command in COMMANDS:
            code, out, err = await run_cli(*command, env=env, cwd=tmp_path)
            line = assert_one_clear_line(
                command, code, out, err, "database: cannot connect to PostgreSQL", "DATABASE_URL"
            )
            assert reason in line, line
            assert wrong not in out + err
    assert not (tmp_path / "bot.sqlite3").exists()
