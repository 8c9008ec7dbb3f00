"""What an alert cycle writes down besides the messages: its report and `alert_runs` record, the
"sent"/"served" marks in their crash-safe order, and the cross-process lock file.

Crash safety: a user is marked served only after Telegram accepted their message, in the same
transaction as the offers marked sent (`Storage.record_delivery`), so a cycle killed at any point
repeats at most the messages that were in flight (sent, not yet recorded), each identically.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.process_lock import file_lock
from storage import AlertRun

if TYPE_CHECKING:
    from bot.services import Services
    from storage import Storage

log = logging.getLogger(__name__)


@dataclass(slots=True)
class AlertCycleReport:
    """Counts of one cycle (no personal data): what `record_alert_run` stores and the log shows."""

    started_at: datetime
    users_due: int = 0
    distinct_queries: int = 0  # groups of users with identical criteria
    query_sets: int = 0  # France Travail query sets actually asked (groups coalesced)
    source: str = "live"  # "local": offers read from the table the sweep fills
    local_groups: int = 0  # reads of the offers table (groups sharing a commune read together)
    ft_calls: int = 0
    offers_fetched: int = 0
    messages_sent: int = 0
    users_served: int = 0
    users_skipped: int = 0
    users_blocked: int = 0
    failures: int = 0
    queries_failed: int = 0
    queries_deferred: int = 0
    retry_after_waits: int = 0
    telegram_errors: int = 0
    offers_sent: int = 0
    aborted: bool = False
    locked_out: bool = False  # another process was running a cycle on the same database
    duration: float = 0.0

    def summary(self) -> str:
        if self.locked_out:
            return "alert cycle: skipped, another process is running one on this database"
        return (
            f"alert cycle: users_due={self.users_due} distinct_queries={self.distinct_queries} "
            f"query_sets={self.query_sets} "
            f"ft_calls={self.ft_calls} offers_fetched={self.offers_fetched} "
            f"messages_sent={self.messages_sent} users_served={self.users_served} "
            f"users_skipped={self.users_skipped} users_blocked={self.users_blocked} "
            f"failures={self.failures} queries_failed={self.queries_failed} "
            f"queries_deferred={self.queries_deferred} duration={self.duration:.2f}s "
            f"source={self.source} local_groups={self.local_groups}"
        )


def alert_run_record(report: AlertCycleReport, finished_at: datetime) -> AlertRun:
    """The storage record of a cycle (counts only, no personal data)."""

    problems = report.failures + report.queries_failed + report.queries_deferred
    if report.aborted:
        outcome = "failed"
    elif problems == 0:
        outcome = "ok"
    elif report.users_served or report.users_blocked:
        outcome = "partial"
    else:
        outcome = "failed"
    return AlertRun(
        started_at=report.started_at,
        finished_at=max(finished_at, report.started_at),
        users_due=report.users_due,
        users_served=report.users_served,
        offers_sent=report.offers_sent,
        ft_calls=report.ft_calls,
        ft_errors=report.queries_failed,
        telegram_errors=report.telegram_errors,
        outcome=outcome,
        detail=report.summary(),
    )


async def record_run(services: Services, report: AlertCycleReport, finished_at: datetime) -> None:
    try:
        await services.storage.record_alert_run(alert_run_record(report, finished_at))
    except Exception:
        log.exception("could not record the alert run")


class ServedBuffer:
    """Alerts handled with nothing to send: marked served in batches (one transaction per
    `BATCH` alerts and end), not one per person. A crash before a flush leaves them due: the
    next tick finds nothing again, and sends nothing."""

    BATCH = 500

    def __init__(self, storage: Storage, report: AlertCycleReport) -> None:
        self.storage = storage
        self.report = report
        # served at → (profile alerts by criteria, saved alerts, people)
        self.pending: dict[datetime, tuple[dict[str | None, list[int]], list[Any], set[int]]] = {}
        self.size = 0

    async def add(
        self,
        at: datetime,
        user_id: int,
        profile: bool,
        criteria: str | None,
        saved: Mapping[int, str],
    ) -> None:
        profiles_for, saved_rows, people = self.pending.setdefault(at, ({}, [], set()))
        if profile:
            profiles_for.setdefault(criteria, []).append(user_id)
        saved_rows.extend((user_id, no, text) for no, text in saved.items())
        people.add(user_id)
        self.size += 1 + len(saved)
        if self.size >= self.BATCH:
            await self.flush()

    async def flush(self) -> None:
        pending, self.pending, self.size = self.pending, {}, 0
        for at, (profiles_for, saved_rows, people) in pending.items():
            try:
                await self.storage.record_served_many(at, profiles_for, saved_rows)
            except Exception:
                log.exception("could not mark %d user(s) served", len(people))
                self.report.failures += len(people)
                continue
            self.report.users_served += len(people)


@contextlib.contextmanager
def cycle_lock(database_path: str | os.PathLike[str]) -> Iterator[bool]:
    """An exclusive, non-blocking lock on `<database>.alerts.lock`: True if this process got it.

    The bot's own job and `ft-bot alerts --once` from cron may share a database; two cycles at
    once would both find the same users due and send them two digests.
    """
    with file_lock(database_path, "alerts") as acquired:
        yield acquired
