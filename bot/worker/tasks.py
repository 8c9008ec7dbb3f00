"""What the worker's jobs do, given the process's `WorkerRuntime` (the engine only schedules).

- `sweep`: one sweep of new offers (`bot.sweep_job.run_sweep`) under the database's "sweep" lock,
  so that `ft-bot sweep --once` from cron never overlaps it.
- `plan_digests`: the users due now, minus those a digest job already holds (queued or running),
  cut into batches of `WORKER_BATCH_SIZE`; the engine then defers one `digest` job per batch.
- `digest`: `run_alert_cycle` for the batch, through the pacer every worker shares. The cycle
  asks storage who of the batch is still due, so a job run twice (retried after its worker died)
  serves only those not served yet.
- `retry_stalled`: the jobs of workers whose heartbeat stopped go back to the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.alerts.bookkeeping import AlertCycleReport
from bot.alerts.cycle import run_alert_cycle
from bot.alerts.fetching import AlertState
from bot.process_lock import database_lock
from bot.sweep_job import SweepOutcome, run_sweep
from bot.worker.memory import MemoryLog, trim
from ft_client.errors import FTError
from ft_client.sweep import SweepIncomplete

if TYPE_CHECKING:
    from procrastinate.manager import JobManager
    from telegram import Bot

    from bot.alerts.sending import SendPacer
    from bot.config import Settings
    from bot.services import Services

log = logging.getLogger(__name__)

DIGEST_TASK = "digest"
# Finished jobs are kept this long (for inspection), then removed daily.
KEEP_FINISHED_JOBS_HOURS = 48


@dataclass
class WorkerRuntime:
    """What a worker process's jobs share: services, the bot (sending only), the shared pacer."""

    settings: Settings
    services: Services
    bot: Bot
    pacer: SendPacer
    # France Travail backoff per query, shared by this process's digest jobs.
    alert_state: AlertState = field(default_factory=AlertState)
    memory: MemoryLog = field(default_factory=MemoryLog)


async def sweep(runtime: WorkerRuntime) -> SweepOutcome | None:
    """One sweep; None when another process holds the sweep lock or France Travail failed."""
    services = runtime.services
    async with database_lock(services.storage, "sweep") as mine:
        if not mine:
            log.info("another process is sweeping: this period's sweep skipped")
            return None
        try:
            outcome = await run_sweep(
                services.ft, services.storage, runtime.settings.alert_lookback_days
            )
        except (SweepIncomplete, FTError) as error:
            # The next period covers the window again.
            log.warning("sweep failed, the next one covers its window: %s", error)
            return None
    log.info("%s", outcome.summary())
    return outcome


def batches(user_ids: Sequence[int], size: int) -> list[list[int]]:
    return [list(user_ids[start : start + size]) for start in range(0, len(user_ids), size)]


async def users_in_digest_jobs(job_manager: JobManager) -> set[int]:
    """Users of the digest jobs queued or running: planning them again could serve them twice."""
    held: set[int] = set()
    for status in ("todo", "doing"):
        for job in await job_manager.list_jobs_async(task=DIGEST_TASK, status=status):
            held.update(int(uid) for uid in job.task_kwargs.get("user_ids", ()))
    return held


async def plan_digests(
    runtime: WorkerRuntime, job_manager: JobManager, now: datetime | None = None
) -> list[list[int]]:
    """The batches of due users not held by a digest job (the caller defers them)."""
    settings = runtime.settings
    now = now or datetime.now(UTC)
    # Ids only: the profiles are read by the digest jobs (~1 KiB each decoded, ~100 MiB at
    # 100 000 due users, held by whichever worker plans).
    due = await runtime.services.storage.due_user_ids(now, settings.alert_timezone)
    if not due:
        return []
    held = await users_in_digest_jobs(job_manager)
    free = [user_id for user_id in due if user_id not in held]
    planned = batches(free, settings.worker_batch_size)
    if planned:
        log.info("%d user(s) due: %d digest job(s) planned", len(free), len(planned))
    return planned


async def digest(runtime: WorkerRuntime, user_ids: Iterable[int]) -> AlertCycleReport:
    report = await run_alert_cycle(
        runtime.services,
        runtime.bot,
        user_ids=[int(uid) for uid in user_ids],
        pacer=runtime.pacer,
        state=runtime.alert_state,
    )
    # The job's offers, rows and rankings are garbage now: their free pages go back to the
    # system (1-2 ms), or the heap only ever grows with the largest moment of the day.
    trim()
    runtime.memory.maybe_log()
    return report


async def retry_stalled(job_manager: JobManager, stalled_seconds: float) -> int:
    """Take over the running jobs of workers silent for `stalled_seconds`; returns how many.

    A digest job goes back to the queue. A periodic job (sweep, planning) is closed as failed
    instead: its next period runs anyway, and requeueing it would collide with that period's
    job already waiting under the same queueing lock (and, raised here, stop the takeover of
    the digests behind it). Each job on its own: one failure never blocks the others.
    """
    from procrastinate.jobs import Status

    stalled = await job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds)
    taken = 0
    for job in sorted(stalled, key=lambda j: j.task_name != DIGEST_TASK):
        assert job.id is not None
        try:
            if job.task_name == DIGEST_TASK:
                await job_manager.retry_job(job)
                log.warning("digest job %s of a stalled worker: queued again", job.id)
            else:
                await job_manager.finish_job_by_id_async(job.id, Status.FAILED, False)
                log.warning("%s job %s of a stalled worker: closed", job.task_name, job.id)
            taken += 1
        except Exception as error:
            log.warning("stalled job %s not taken over: %s", job.id, type(error).__name__)
    return taken
