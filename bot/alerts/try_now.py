"""« Tester maintenant » and /demo_alerte: one user's alert, now, inside the running bot.

The run takes the same locks as the alert job (its in-process lock, then the database's
"alerts" lock shared with `ft-bot alerts --once`: a lock file on SQLite, an advisory lock on
PostgreSQL), so it never overlaps a cycle: two cycles at once could both find
the same offers unsent and send them twice. A cycle of this process is waited for a little (a
tick with a few users due takes a second); a longer one, or one of another process, is not.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram.ext import Application

from bot.alerts.cycle import UserOutcome, run_alert_cycle
from bot.alerts.fetching import AlertState
from bot.alerts.job import JOB_NAME
from bot.process_lock import database_lock

if TYPE_CHECKING:
    from bot.services import Services

# One-user runs of an application without an alert job (tests, tools): they still never overlap.
# Not in bot_data: that is persisted, and this holds a lock.
_FALLBACK_STATES: weakref.WeakKeyDictionary[Application, AlertState] = weakref.WeakKeyDictionary()
# How long a one-user run waits for a cycle of this process to end before answering "busy".
WAIT_FOR_CYCLE_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class TryResult:
    """`busy`: a cycle was running, nothing was done; else the user's outcome (None when the
    user has no profile)."""

    busy: bool
    outcome: UserOutcome | None = None


def _job_state(application: Application) -> AlertState:
    job_queue = application.job_queue
    if job_queue is not None:
        for job in job_queue.get_jobs_by_name(JOB_NAME):
            if isinstance(job.data, AlertState):
                return job.data
    return _FALLBACK_STATES.setdefault(application, AlertState())


async def run_alert_now(application: Application, services: Services, user_id: int) -> TryResult:
    """Run the alert cycle for `user_id` alone, as the daily job would, and say what it found."""
    state = _job_state(application)
    try:
        async with asyncio.timeout(WAIT_FOR_CYCLE_SECONDS):
            await state.lock.acquire()
    except TimeoutError:
        return TryResult(busy=True)
    try:
        async with database_lock(services.storage, "alerts") as mine:
            if not mine:
                return TryResult(busy=True)
            outcomes: dict[int, UserOutcome] = {}
            # A backoff of the job's queries is not this user's business: a fresh state.
            await run_alert_cycle(
                services, application.bot, force_user_id=user_id, outcomes=outcomes
            )
    finally:
        state.lock.release()
    return TryResult(busy=False, outcome=outcomes.get(user_id))
