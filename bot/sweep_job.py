"""The sweep of new offers into the ``offers`` table: ``ft-bot sweep --once`` and the running
bot's JobQueue job every ``SWEEP_MINUTES``.

One sweep (``run_sweep``): ``ft_client.sweep.OfferSweep`` fetches every offer created since the
table's high-water mark into the table (the storage is the ``OfferSink``), then offers older than
the alert lookback period are pruned and the report is kept in ``sweep_state``. Sweeps never
overlap: not in this process (the job's lock, and the JobQueue's ``max_instances=1``), not in
another one sharing the database (``ft-bot sweep --once`` from cron, a worker: the lock file
``<DATABASE_PATH>.sweep.lock`` on SQLite, an advisory lock on PostgreSQL). The alert cycle reads the
table while the high-water mark is fresh (at most 2 × ``SWEEP_MINUTES`` old,
``bot.alerts.local_source``) and asks France Travail otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from telegram.ext import Application, ContextTypes

from bot.process_lock import database_lock, file_lock
from ft_client.errors import FTError
from ft_client.sweep import OfferSweep, SweepIncomplete, SweepReport

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.services import Services
    from ft_client import FranceTravailClient
    from storage import Storage

log = logging.getLogger(__name__)

JOB_NAME = "sweep"
# The first sweep a minute after start-up: the bot answers people first, and the offers
# published while it was down are fetched soon after.
FIRST_SWEEP_DELAY_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class SweepOutcome:
    """One sweep stored: its report, the offers pruned past the lookback, the table's size."""

    report: SweepReport
    pruned: int
    stored: int

    def summary(self) -> str:
        return f"{self.report.summary()}; {self.pruned} pruned, {self.stored} offers stored"


@dataclass
class SweepJobState:
    """The job's own lock: a tick while a sweep runs is skipped."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@contextmanager
def sweep_lock(database_path: str | os.PathLike[str]) -> Iterator[bool]:
    """An exclusive, non-blocking lock on ``<database>.sweep.lock``: True if this process got it."""
    with file_lock(database_path, "sweep") as acquired:
        yield acquired


def _report_record(
    outcome: SweepOutcome | None, report: SweepReport, error: str | None
) -> dict[str, object]:
    return {
        "finished_at": datetime.now(UTC).isoformat(),
        "window_start": report.window_start.isoformat(),
        "window_end": report.window_end.isoformat(),
        "calls": report.calls,
        "partitions": report.partitions,
        "offers": report.offers,
        "new_offers": report.new_offers,
        "rate_limited": report.rate_limited,
        "unreachable": report.unreachable,
        "seconds": round(report.seconds, 3),
        "pruned": outcome.pruned if outcome else None,
        "stored": outcome.stored if outcome else None,
        "error": error,
    }


async def run_sweep(
    ft: FranceTravailClient,
    storage: Storage,
    lookback_days: int,
    *,
    clock: Callable[[], datetime] | None = None,
) -> SweepOutcome:
    """One sweep into the table, then prune past the lookback; the report is kept in the table.

    Raises ``SweepIncomplete`` (the mark not moved, the offers fetched so far stored) when France
    Travail kept failing.
    """
    now = clock or (lambda: datetime.now(UTC))
    sweep = OfferSweep(ft, storage, clock=now)
    try:
        report = await sweep.run()
    except SweepIncomplete as incomplete:
        await storage.record_sweep_report(_report_record(None, incomplete.report, str(incomplete)))
        raise
    pruned = await storage.prune_offers(now() - timedelta(days=lookback_days))
    outcome = SweepOutcome(report, pruned, await storage.count_offers())
    await storage.record_sweep_report(_report_record(outcome, report, None))
    return outcome


async def sweep_once(settings: Settings) -> SweepOutcome | None:
    """``ft-bot sweep --once``: one sweep now; ``None`` when another process is sweeping.

    Opens only the database and the France Travail client (no referentials: a sweep for cron
    starts in a fraction of a second)."""
    from ft_client import FranceTravailClient
    from storage import Storage

    async with (
        Storage.open(settings.database_location) as storage,
        database_lock(storage, "sweep") as mine,
    ):
        if not mine:
            return None
        async with FranceTravailClient(
            settings.ft_client_id,
            settings.ft_client_secret,
            api_base_url=settings.ft_api_base_url,
            token_url=settings.ft_token_url,
        ) as ft:
            return await run_sweep(ft, storage, settings.alert_lookback_days)


async def _sweep_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    state: SweepJobState = context.job.data  # type: ignore[union-attr]
    if state.lock.locked():
        log.info("sweep still running: tick skipped")
        return
    async with state.lock:
        services: Services = context.application.bot_data["services"]
        async with database_lock(services.storage, "sweep") as mine:
            if not mine:
                log.info("another process is sweeping: tick skipped")
                return
            try:
                outcome = await run_sweep(
                    services.ft, services.storage, services.settings.alert_lookback_days
                )
            except (SweepIncomplete, FTError) as error:
                # Background work: the next tick covers the window again.
                log.warning("sweep failed, the next one covers its window: %s", error)
                return
            log.info("%s", outcome.summary())


def register(application: Application) -> None:
    """The repeating sweep job (none when ``SWEEP_MINUTES`` is 0); ``bot.assemble`` calls it."""
    services = application.bot_data.get("services")
    settings = getattr(services, "settings", None) or application.bot_data.get("settings")
    minutes = int(getattr(settings, "sweep_minutes", 0))
    if minutes <= 0:
        return
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError(
            "the sweep needs PTB's JobQueue: install python-telegram-bot[job-queue,rate-limiter]"
        )
    interval = minutes * 60
    job_queue.run_repeating(
        _sweep_tick,
        interval=interval,
        first=min(FIRST_SWEEP_DELAY_SECONDS, float(interval)),
        name=JOB_NAME,
        data=SweepJobState(),  # not in bot_data: that is persisted, and this holds a lock
        job_kwargs={"misfire_grace_time": interval, "coalesce": True, "max_instances": 1},
    )
