"""Operations records: one row per alert cycle (``alert_runs``), France Travail failures
(``ft_errors``, kept 30 days), and the figures of the admin /stats command.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from storage.clock import PARIS, _now, local_midnight
from storage.db import Database
from storage.models import AlertRun, from_epoch, require_aware, to_epoch

FT_ERROR_RETENTION = timedelta(days=30)


class MonitoringRepository(Database):
    """Record alert runs and France Travail errors; compute /stats."""

    async def record_alert_run(self, run: AlertRun) -> int:
        """Store one alert cycle; returns its id."""
        if not isinstance(run, AlertRun):
            raise TypeError("expected an AlertRun")
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO alert_runs (started_at, finished_at, users_due, users_served,"
                " offers_sent, ft_calls, ft_errors, telegram_errors, outcome, detail)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    to_epoch("started_at", run.started_at),
                    to_epoch("finished_at", run.finished_at),
                    run.users_due,
                    run.users_served,
                    run.offers_sent,
                    run.ft_calls,
                    run.ft_errors,
                    run.telegram_errors,
                    run.outcome,
                    run.detail,
                ),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    async def last_alert_runs(self, limit: int = 10) -> list[AlertRun]:
        rows = await self._fetchall(
            "SELECT id, started_at, finished_at, users_due, users_served, offers_sent, ft_calls,"
            " ft_errors, telegram_errors, outcome, detail FROM alert_runs"
            " ORDER BY started_at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [
            AlertRun(
                id=row[0],
                started_at=from_epoch(row[1]) or datetime.fromtimestamp(0, UTC),
                finished_at=from_epoch(row[2]) or datetime.fromtimestamp(0, UTC),
                users_due=row[3],
                users_served=row[4],
                offers_sent=row[5],
                ft_calls=row[6],
                ft_errors=row[7],
                telegram_errors=row[8],
                outcome=row[9],
                detail=row[10],
            )
            for row in rows
        ]

    async def record_ft_error(
        self, endpoint: str, status: int | None, *, at: datetime | None = None
    ) -> None:
        """Log one France Travail failure (status None = timeout/network); keeps 30 days."""
        if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 200:
            raise ValueError("endpoint must be a non-empty string of at most 200 characters")
        if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
            raise TypeError("status must be an int or None")
        moment = at or _now()
        stamp = to_epoch("at", moment)
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO ft_errors (at, endpoint, status) VALUES (?, ?, ?)",
                (stamp, endpoint, status),
            )
            await db.execute(
                "DELETE FROM ft_errors WHERE at < ?",
                (int((moment - FT_ERROR_RETENTION).timestamp()),),
            )

    async def stats(self, now: datetime | None = None, tz: tzinfo = PARIS) -> dict[str, Any]:
        """Figures for the admin /stats command ("today" = since local midnight in ``tz``).

        Keys: users, blocked_users, profiles, alert_subscribers (alerts on and not blocked),
        offers_sent_today, favourites, ft_errors_24h, ft_errors_24h_by_endpoint,
        last_alert_run (dict or None).
        """
        moment = now or _now()
        require_aware("now", moment)
        midnight = int(local_midnight(moment, tz).timestamp())
        day_ago = int((moment - timedelta(hours=24)).timestamp())
        async with self._lock:
            db = self._db
            counts = next(
                iter(
                    await db.execute_fetchall(
                        "SELECT (SELECT count(*) FROM users),"
                        " (SELECT count(*) FROM users WHERE blocked_at IS NOT NULL),"
                        " (SELECT count(*) FROM profiles),"
                        " (SELECT count(*) FROM profiles p JOIN users u USING (user_id)"
                        "   WHERE p.alerts_enabled = 1 AND u.blocked_at IS NULL),"
                        " (SELECT count(*) FROM sent_offers WHERE sent_at >= ?),"
                        " (SELECT count(*) FROM favourites),"
                        " (SELECT count(*) FROM ft_errors WHERE at >= ?)",
                        (midnight, day_ago),
                    )
                )
            )
            by_endpoint = await db.execute_fetchall(
                "SELECT endpoint, count(*) FROM ft_errors WHERE at >= ? GROUP BY endpoint"
                " ORDER BY count(*) DESC, endpoint",
                (day_ago,),
            )
        runs = await self.last_alert_runs(1)
        return {
            "users": counts[0],
            "blocked_users": counts[1],
            "profiles": counts[2],
            "alert_subscribers": counts[3],
            "offers_sent_today": counts[4],
            "favourites": counts[5],
            "ft_errors_24h": counts[6],
            "ft_errors_24h_by_endpoint": {row[0]: row[1] for row in by_endpoint},
            "last_alert_run": runs[0].to_json() if runs else None,
        }
