"""`ft-bot` command line in real subprocesses: config errors, check, run, alerts --once, demo."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, time
from pathlib import Path

import aiohttp
import pytest

from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from sandbox.telegram import TelegramEmulator
from storage import Profile, Storage, TargetJob
from tests.helpers_bot import WAIT, expect, wait_until

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:TEST-TOKEN"
BOT_VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "FT_CLIENT_ID",
    "FT_CLIENT_SECRET",
    "FT_API_BASE_URL",
    "FT_TOKEN_URL",
    "DATABASE_PATH",
    "DATABASE_URL",
    "ADMIN_IDS",
    "ALERT_TIMEZONE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "PORT",
    "LOG_LEVEL",
)
PROCESS_TIMEOUT = 60.0


@contextlib.asynccontextmanager
async def running_bot(
    env: dict[str, str], cwd: Path
) -> AsyncIterator[tuple[asyncio.subprocess.Process, list[str]]]:
    """`python -m bot run` until it logs "ready"; on exit, SIGINT and wait for a clean stop.

    Yields the process and the lines it printed so far (complete once the block has exited)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output: list[str] = []
    ready = asyncio.Event()

    async def read_output() -> None:
        assert process.stdout is not None
        async for raw in process.stdout:
            output.append(raw.decode(errors="replace"))
            if "ready as @ft_job_bot" in output[-1]:
                ready.set()

    reader = asyncio.create_task(read_output())
    try:
        await asyncio.wait_for(ready.wait(), PROCESS_TIMEOUT)
        yield process, output
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), PROCESS_TIMEOUT)
        await asyncio.wait_for(reader, PROCESS_TIMEOUT)


def clean_env(**values: str) -> dict[str, str]:
    """The parent's environment without any bot variable, plus `values`."""
    env = {k: v for k, v in os.environ.items() if k not in BOT_VARIABLES}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(values)
    return env


def emulator_env(ft: FranceTravailEmulator, tg: TelegramEmulator, db: Path) -> dict[str, str]:
    return clean_env(
        TELEGRAM_BOT_TOKEN=tg.token,
        TELEGRAM_API_BASE_URL=tg.base_url,
        FT_CLIENT_ID=ft.client_id,
        FT_CLIENT_SECRET=ft.client_secret,
        FT_API_BASE_URL=ft.base_url,
        FT_TOKEN_URL=ft.token_url,
        DATABASE_PATH=str(db),
    )


async def run_cli(
    *args: str, env: dict[str, str], cwd: Path, stdin: bytes | None = None
) -> tuple[int, str, str]:
    """Run `python -m bot ARGS` without blocking the event loop (the emulators live in it)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), PROCESS_TIMEOUT)
    return process.returncode or 0, out.decode(), err.decode()


async def test_config_errors_one_line_per_problem_naming_each_variable(tmp_path: Path) -> None:
    env = clean_env(TELEGRAM_BOT_TOKEN="not-a-token secret", PORT="eighty", ADMIN_IDS="1,x")
    code, out, err = await run_cli("run", env=env, cwd=tmp_path)
    assert code == 2
    lines = [line.strip() for line in err.splitlines() if line.startswith("  ")]
    assert [line.split(" ")[0] for line in lines] == [
        "TELEGRAM_BOT_TOKEN",
        "FT_CLIENT_ID",
        "FT_CLIENT_SECRET",
        "ADMIN_IDS",
        "PORT",
    ]
    assert "not-a-token secret" not in out + err
    assert "Traceback" not in err


async def test_dotenv_in_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=eighty\n", encoding="utf-8")
    code, _, err = await run_cli("check", env=clean_env(), cwd=tmp_path)
    assert code == 2
    assert "PORT is not an integer: 'eighty'" in err


async def test_check_reaches_both_apis_and_reports_failures(tmp_path: Path) -> None:
    async with (
        FranceTravailEmulator(EmulatorConfig(seed=1, offer_count=200)) as ft,
        TelegramEmulator(token=TOKEN) as tg,
    ):
        env = emulator_env(ft, tg, tmp_path / "bot.sqlite3")
        code, out, err = await run_cli("check", env=env, cwd=tmp_path)
        assert code == 0, out + err
        assert "✓ configuration" in out
        assert "✓ France Travail: token and offers search" in out
        assert "✓ Telegram: getMe answered @ft_job_bot" in out
        assert "✗" not in out

        env["FT_CLIENT_SECRET"] = "wrong-secret"
        env["TELEGRAM_BOT_TOKEN"] = "654321:WRONG-TOKEN"
        code, out, err = await run_cli("check", env=env, cwd=tmp_path)
        assert code == 1
        assert "✗ France Travail" in out
        assert "✗ Telegram: the bot token was rejected" in out
        assert "WRONG-TOKEN" not in out + err
        assert "wrong-secret" not in out + err


async def test_run_polling_serves_users_and_keeps_secrets_out_of_debug_logs(
    tmp_path: Path,
) -> None:
    async with (
        FranceTravailEmulator(EmulatorConfig(seed=1, offer_count=200)) as ft,
        TelegramEmulator(token=TOKEN) as tg,
    ):
        env = emulator_env(ft, tg, tmp_path / "bot.sqlite3")
        env["LOG_LEVEL"] = "DEBUG"
        async with running_bot(env, tmp_path) as (process, output):
            user = tg.user(7, first_name="Zoé")
            await user.send("/start")
            await expect(user, "Étape 1/5", timeout=WAIT)
            # The command menu was registered, in French.
            commands = next(iter(tg.commands.values()))
            assert {"command": "start", "description": "Créer ou refaire mon profil"} in commands
        logs = "".join(output)
        assert process.returncode == 0, logs[-2000:]
        assert "DEBUG" in logs  # the level really was DEBUG
        for secret in (TOKEN, "TEST-TOKEN", ft.client_secret):
            assert secret not in logs
        # Personal text is not logged at INFO either.
        assert "Zoé" not in "".join(line for line in output if " INFO " in line)

        storage = await Storage.open(tmp_path / "bot.sqlite3")
        try:
            stored = await storage.get_user(7)
        finally:
            await storage.close()
        assert stored is not None
        assert stored.first_name == "Zoé"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections for as long as the block runs: bound, never
    listening, so no other test's server can take it meanwhile (``free_port`` only says the
    port was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


async def test_run_webhook_mode_checks_the_secret(tmp_path: Path) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram"
    async with (
        FranceTravailEmulator(EmulatorConfig(seed=1, offer_count=200)) as ft,
        TelegramEmulator(token=TOKEN) as tg,
    ):
        env = emulator_env(ft, tg, tmp_path / "bot.sqlite3")
        env.update(
            WEBHOOK_URL=hook,
            WEBHOOK_SECRET="s3cret_hook",
            PORT=str(port),
            WEBHOOK_LISTEN="127.0.0.1",
        )
        async with running_bot(env, tmp_path) as (process, output):
            await wait_until(lambda: tg.webhook.get("url") == hook)
            assert tg.webhook["secret_token"] == "s3cret_hook"
            user = tg.user(8, first_name="Inès")
            await user.send("/start")
            await expect(user, "Étape 1/5", timeout=WAIT)
            # A request without the secret is refused by PTB's webhook server.
            async with aiohttp.ClientSession() as session:
                forged = {
                    "update_id": 1,
                    "message": {
                        "message_id": 1,
                        "date": 0,
                        "chat": {"id": 8, "type": "private"},
                        "from": {"id": 8, "is_bot": False, "first_name": "X"},
                        "text": "/start",
                    },
                }
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                    async with session.post(hook, json=forged, headers=headers) as response:
                        assert response.status == 403
        logs = "".join(output)
        assert process.returncode == 0, logs[-2000:]
        assert "s3cret_hook" not in logs
        assert TOKEN not in logs


async def test_alerts_once_for_one_user(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    storage = await Storage.open(db)
    try:
        await storage.upsert_user(9, 9, "Léa", "fr")
        await storage.upsert_profile(
            Profile(
                user_id=9,
                target_jobs=(TargetJob("G1803", "Serveur / Serveuse en restauration"),),
                skills=("service en salle", "prise de commande", "encaissement"),
                place_code="75056",
                place_label="Paris (75)",
                radius_km=30,
                alert_time=time(8, 0),
            )
        )
    finally:
        await storage.close()
    async with (
        FranceTravailEmulator(EmulatorConfig(seed=3, offer_count=1500)) as ft,
        TelegramEmulator(token=TOKEN) as tg,
    ):
        # A fresh G1803 offer in Paris: there is something new to send today.
        template = next(o for o in ft.offers if o.get("romeCode") == "G1803")
        fresh = copy.deepcopy(template)
        fresh["id"] = "CLI0001"
        fresh["intitule"] = "Serveur / Serveuse en brasserie (H/F)"
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
        user = tg.user(9, first_name="Léa")
        env = emulator_env(ft, tg, db)
        code, out, err = await run_cli("alerts", "--once", "--user", "9", env=env, cwd=tmp_path)
        assert code == 0, out + err
        assert "alert cycle: users_due=1" in out
        assert "messages_sent=1" in out, out
        digest = await expect(user, "Votre alerte emploi", timeout=WAIT)
        assert "Serveur / Serveuse en brasserie (H/F)" in digest.text

        code, out, err = await run_cli("alerts", env=env, cwd=tmp_path)
        assert code == 2


@pytest.mark.slow
async def test_demo_piped_end_to_end(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/start",
            "serveur",
            "1",  # Serveur / Serveuse en restauration (G1803)
            "Terminé",
            "service en salle, prise de commande, encaissement",
            "terminé",
            "Paris",
            "2",  # 10 km
            "2",  # 08:00
            "1",  # Confirmer
            "/match G1803",
            "/recherche serveur à Paris",
            "1",  # the first offer's card
            "1",  # ⭐ Sauvegarder
            "/favoris",
            "/demo_alerte",
            "/demo_alerte",  # offers already sent do not come back
            "/quit",
            "",
        ]
    )
    code, out, err = await run_cli(
        "demo", env=clean_env(), cwd=tmp_path, stdin=script.encode("utf-8")
    )
    assert code == 0, err[-2000:]
    assert "Étape 1/5" in out
    assert "Serveur / Serveuse en restauration (G1803)" in out
    assert "Profil enregistré" in out
    assert "Lieu : Paris (75), jusqu'à 10 km" in out
    # The /match report for the code the bot proposed at onboarding.
    assert "Serveur / Serveuse en restauration (G1803)\nVos compétences couvrent" in out
    assert "« Serveur / Serveuse en restauration » —" in out  # /recherche by the ROME code
    assert "Offre sauvegardée dans vos /favoris" in out
    assert "Vos offres sauvegardées (1)" in out
    # The promise: a person sees an alert in the demo (then nothing sent twice).
    assert "Votre alerte emploi" in out
    assert out.index("Votre alerte emploi") < out.index("Aucune nouvelle offre")
    assert "Traceback" not in out + err
    # The temporary database went away with the demo; nothing was written here.
    assert not await asyncio.to_thread(lambda: any(tmp_path.iterdir()))
