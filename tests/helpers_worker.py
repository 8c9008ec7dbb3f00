"""Harness for `ft-bot worker` tests: both emulators in this process on loopback, a real
PostgreSQL database, and worker processes started as `python -m bot worker` pointed at them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from sandbox.telegram import TelegramEmulator, TelegramLimits
from storage import Profile, Storage, TargetJob
from tests.helpers_alerts import LYON_CODE, PARIS_CODE, job_skills, offer_json, referential

ROOT = Path(__file__).resolve().parent.parent
PLACES = (("G1803", PARIS_CODE), ("J1501", LYON_CODE))


@dataclass
class WorkerProcess:
    name: str
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    def log(self) -> str:
        return "\n".join(self.lines)

    def has(self, text: str) -> bool:
        return any(text in line for line in self.lines)


@dataclass
class WorkerEnv:
    ft: FranceTravailEmulator
    tg: TelegramEmulator
    storage: Storage
    database_url: str
    tmp_path: Path
    processes: list[WorkerProcess] = field(default_factory=list)

    def environment(self, **overrides: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("FT_", "TELEGRAM_", "DATABASE_", "ALERT_", "WORKER_", "SWEEP_"))
        }
        env.update(
            {
                "PYTHONPATH": str(ROOT),
                "TELEGRAM_BOT_TOKEN": self.tg.token,
                "TELEGRAM_API_BASE_URL": self.tg.base_url,
                "FT_CLIENT_ID": self.ft.client_id,
                "FT_CLIENT_SECRET": self.ft.client_secret,
                "FT_API_BASE_URL": self.ft.base_url,
                "FT_TOKEN_URL": self.ft.token_url,
                "DATABASE_URL": self.database_url,
                "ALERT_RUNNER": "workers",
                "ALERT_TIMEZONE": "Europe/Paris",
                "LOG_LEVEL": "INFO",
                # Short heartbeats so that a killed worker's jobs are taken over in seconds.
                "WORKER_HEARTBEAT_SECONDS": "1",
                "WORKER_STALLED_SECONDS": "4",
                "WORKER_PLAN_SECONDS": "2",
                "SWEEP_MINUTES": "0",
            }
        )
        env.update(overrides)
        return env

    async def add_users(self, count: int) -> list[int]:
        """`count` users due whatever the time (alerts at midnight, every day), two places."""
        ref = referential()
        ids = list(range(1, count + 1))
        # The offers first: a worker may plan the first users before the last is stored, and a
        # user served before any offer exists gets no message (no empty digests), ever that day.
        now = datetime.now(UTC)
        for rome, place_code in PLACES:
            self.ft.add_offer(
                offer_json(rome=rome, place_code=place_code, created=now - timedelta(hours=1))
            )
        for user_id in ids:
            rome, place_code = PLACES[user_id % 2]
            self.tg.user(user_id, first_name=f"User{user_id}")
            await self.storage.upsert_user(user_id, user_id, f"User{user_id}", "fr")
            place = ref.place(place_code)
            await self.storage.upsert_profile(
                Profile(
                    user_id=user_id,
                    target_jobs=(TargetJob(rome, ref.job(rome).label),),  # type: ignore[union-attr]
                    skills=job_skills(rome),
                    place_code=place_code,
                    place_label=place.display_label if place else None,
                    radius_km=10,
                    contract_types=(),
                    alert_time=time(0, 0),
                    alert_days=frozenset(range(7)),
                    alerts_enabled=True,
                )
            )
        return ids

    async def start(self, name: str, *args: str, **overrides: str) -> WorkerProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "worker",
            "--name",
            name,
            *args,
            cwd=self.tmp_path,  # no stray .env
            env=self.environment(**overrides),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        worker = WorkerProcess(name, process)
        worker.reader = asyncio.create_task(_read_lines(worker))
        self.processes.append(worker)
        return worker

    def sent(self, user_ids: list[int]) -> list[int]:
        return [len(self.tg.messages_for(uid)) for uid in user_ids]

    async def diagnosis(self, user_ids: list[int]) -> str:
        """What a failed wait needs to be understood: who was not served, the digest jobs, and
        the tail of each worker's log (a timeout alone says nothing of where it stuck)."""
        counts = self.sent(user_ids)
        unserved = [uid for uid, count in zip(user_ids, counts, strict=True) if not count]
        jobs = await self.storage._fetchall(
            "SELECT id, status, worker_id, args::text AS args FROM procrastinate_jobs"
            " WHERE task_name = 'digest' ORDER BY id",
            {},
        )
        parts = [f"unserved: {unserved}", "digest jobs:"]
        parts += [f"  {dict(row._mapping)}" for row in jobs]
        for worker in self.processes:
            code = worker.process.returncode
            parts.append(f"--- {worker.name} (exit {code}) ---")
            parts.extend(worker.lines[-40:])
        return "\n".join(parts)


async def _read_lines(worker: WorkerProcess) -> None:
    assert worker.process.stderr is not None
    async for raw in worker.process.stderr:
        worker.lines.append(raw.decode(errors="replace").rstrip())


async def wait_until(condition: object, timeout: float, what: str) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def worker_env(
    database_url: str, tmp_path: Path, *, tg_limits: TelegramLimits | None = None
) -> AsyncIterator[WorkerEnv]:
    config = EmulatorConfig(seed=7, offer_count=0, include_samples=False)
    async with (
        FranceTravailEmulator(config) as ft,
        TelegramEmulator(limits=tg_limits) as tg,
        Storage.open(database_url) as storage,
    ):
        env = WorkerEnv(ft, tg, storage, database_url, tmp_path)
        try:
            yield env
        finally:
            for worker in env.processes:
                if worker.process.returncode is None:
                    worker.process.kill()
                    await worker.process.wait()
                if worker.reader is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(worker.reader, 5)
