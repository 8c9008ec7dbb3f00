"""The procrastinate app of `ft-bot worker`: its connection, its schema, its tasks and schedules.

Queues: `periodic` (sweep, planning, stalled-job retry, clean-up; each process runs it in a
worker of its own, so they never wait behind digests waiting for rate slots) and `digests`.

- `sweep` (periodic queue, every SWEEP_MINUTES as a cron step): queueing lock and lock `sweep`,
  plus the database's sweep lock (`ft-bot sweep --once` never overlaps it);
- `plan_digests` (periodic, every WORKER_PLAN_SECONDS): queueing lock and lock: one planner at a
  time;
- `digest` (digests queue, one per batch): users held by a queued or running job are not planned
  again;
- `retry_stalled` (periodic, every 5 s): idempotent;
- `remove_old_jobs` (periodic, daily at 04:10): queueing lock.

Periodic jobs are deferred by every process; procrastinate keeps one per task and instant.
The schema (`procrastinate_*` tables and functions) lives in the bot's PostgreSQL database and is
applied by the first worker that starts (`ensure_schema`), under an advisory lock.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from procrastinate import App, JobContext, PsycopgConnector

from bot.worker import tasks
from bot.worker.memory import trim

if TYPE_CHECKING:
    from bot.config import Settings
    from storage import Storage

log = logging.getLogger(__name__)

PERIODIC_QUEUE = "periodic"
DIGESTS_QUEUE = "digests"
RETRY_STALLED_EVERY_SECONDS = 5
RUNTIME_KEY = "runtime"
SCHEMA_LOCK = "procrastinate-schema"
CONNECT_TIMEOUT_SECONDS = 10


def every_seconds(seconds: int) -> str:
    """A cron for every `seconds` (1–60; procrastinate's seconds field is the sixth, last)."""
    return "* * * * *" if seconds >= 60 else f"* * * * * */{seconds}"


def sweep_cron(settings: Settings) -> str | None:
    """The sweep's cron: SWEEP_MINUTES as a cron step (None: no sweep)."""
    if settings.worker_sweep_seconds:
        return every_seconds(settings.worker_sweep_seconds)
    minutes = settings.sweep_minutes
    if minutes <= 0:
        return None
    if minutes < 60:
        return f"*/{minutes} * * * *"
    if minutes < 24 * 60:
        return f"0 */{minutes // 60} * * *"
    return "0 0 * * *"


def _runtime(context: JobContext) -> tasks.WorkerRuntime:
    runtime = (context.additional_context or {}).get(RUNTIME_KEY)
    if not isinstance(runtime, tasks.WorkerRuntime):
        raise RuntimeError("worker jobs need the process's runtime (bot.worker.process)")
    return runtime


def build_app(settings: Settings, *, pool_size: int) -> App:
    """The app over DATABASE_URL (not opened), every task registered."""
    if not settings.database_url:
        raise ValueError("ft-bot worker needs DATABASE_URL=postgresql://…")
    connector = PsycopgConnector(
        conninfo=settings.database_url,
        min_size=1,
        max_size=pool_size,
        kwargs={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )
    app = App(connector=connector)
    _register(app, settings)
    return app


def _register(app: App, settings: Settings) -> None:
    cron = sweep_cron(settings)
    if cron is not None:

        @app.periodic(cron=cron)
        @app.task(
            name="sweep",
            queue=PERIODIC_QUEUE,
            pass_context=True,
            lock="sweep",
            queueing_lock="sweep",
        )
        async def sweep(context: JobContext, timestamp: int) -> None:
            log.info("sweep of period %d", timestamp)  # one line per period run, for operators
            await tasks.sweep(_runtime(context))

    @app.task(name=tasks.DIGEST_TASK, queue=DIGESTS_QUEUE, pass_context=True)
    async def digest(context: JobContext, user_ids: list[int]) -> None:
        await tasks.digest(_runtime(context), user_ids)

    @app.periodic(cron=every_seconds(settings.worker_plan_seconds))
    @app.task(
        name="plan_digests",
        queue=PERIODIC_QUEUE,
        pass_context=True,
        lock="plan_digests",
        queueing_lock="plan_digests",
    )
    async def plan_digests(context: JobContext, timestamp: int) -> None:
        planned = await tasks.plan_digests(_runtime(context), context.app.job_manager)
        # The due users' profiles are garbage now (~1 KiB each: ~100 MiB at 100 000 due).
        trim()
        if planned:
            await digest.batch_defer_async(*({"user_ids": batch} for batch in planned))

    @app.periodic(cron=every_seconds(RETRY_STALLED_EVERY_SECONDS))
    @app.task(name="retry_stalled", queue=PERIODIC_QUEUE, pass_context=True)
    async def retry_stalled(context: JobContext, timestamp: int) -> None:
        await tasks.retry_stalled(context.app.job_manager, settings.worker_stalled_seconds)

    @app.periodic(cron="10 4 * * *")
    @app.task(
        name="remove_old_jobs",
        queue=PERIODIC_QUEUE,
        pass_context=True,
        queueing_lock="remove_old_jobs",
    )
    async def remove_old_jobs(context: JobContext, timestamp: int) -> None:
        await context.app.job_manager.delete_old_jobs(
            nb_hours=tasks.KEEP_FINISHED_JOBS_HOURS, include_failed=True, include_aborted=True
        )


async def schema_present(app: App) -> bool:
    row: dict[str, Any] = await app.connector.execute_query_one_async(
        "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present"
    )
    return bool(row["present"])


async def ensure_schema(app: App, storage: Storage) -> bool:
    """Apply procrastinate's schema if the database has none yet; True if this call applied it.

    Several workers starting together: one applies it under an advisory lock, the others wait.
    """
    while True:
        async with storage.advisory_lock(SCHEMA_LOCK) as mine:
            if mine:
                if await schema_present(app):
                    return False
                log.info("applying procrastinate's schema to the database")
                await app.schema_manager.apply_schema_async()
                return True
        await asyncio.sleep(0.2)
