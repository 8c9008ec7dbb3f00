"""Operations records: one row per alert cycle (``alert_runs``), France Travail failures
(``ft_errors``, kept 30 days), and the figures of the admin /stats command.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import delete, func, insert, select

from storage.clock import PARIS, _now, local_midnight
from storage.db import Database
from storage.models import AlertRun, from_epoch, require_aware, to_epoch
from storage.schema import alert_runs, favourites, ft_errors, profiles, sent_offers, users

FT_ERROR_RETENTION = timedelta(days=30)


class MonitoringRepository(Database):
    """Record alert runs and France Travail errors; compute /stats."""

    async def record_alert_run(self, run: AlertRun) -> int:
        """Store one alert cycle; returns its id."""
        if not isinstance(run, AlertRun):
            raise TypeError("expected an AlertRun")
        statement = (
            insert(alert_runs)
            .values(
                started_at=to_epoch("started_at", run.started_at),
                finished_at=to_epoch("finished_at", run.finished_at),
                users_due=run.users_due,
                users_served=run.users_served,
                offers_sent=run.offers_sent,
                ft_calls=run.ft_calls,
                ft_errors=run.ft_errors,
                telegram_errors=run.telegram_errors,
                outcome=run.outcome,
                detail=run.detail,
            )
            .returning(alert_runs.c.id)
        )
        async with self._transaction() as db:
            return int((await db.execute(statement)).scalar_one())

    async def last_alert_runs(self, limit: int = 10) -> list[AlertRun]:
        r = alert_runs.c
        rows = await self._fetchall(
            select(
                r.id,
                r.started_at,
                r.finished_at,
                r.users_due,
                r.users_served,
                r.offers_sent,
                r.ft_calls,
                r.ft_errors,
                r.telegram_errors,
                r.outcome,
                r.detail,
            )
            .order_by(r.started_at.desc(), r.id.desc())
            .limit(limit)
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
            await db.execute(insert(ft_errors).values(at=stamp, endpoint=endpoint, status=status))
            oldest = int((moment - FT_ERROR_RETENTION).timestamp())
            await db.execute(delete(ft_errors).where(ft_errors.c.at < oldest))

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
        count = func.count
        subscribers = (
            select(count())
            .select_from(profiles.join(users, users.c.user_id == profiles.c.user_id))
            .where(profiles.c.alerts_enabled == 1, users.c.blocked_at.is_(None))
        )
        figures = select(
            select(count()).select_from(users).scalar_subquery(),
            select(count())
            .select_from(users)
            .where(users.c.blocked_at.isnot(None))
            .scalar_subquery(),
            select(count()).select_from(profiles).scalar_subquery(),
            subscribers.scalar_subquery(),
            select(count())
            .select_from(sent_offers)
            .where(sent_offers.c.sent_at >= midnight)
            .scalar_subquery(),
            select(count()).select_from(favourites).scalar_subquery(),
            select(count())
            .select_from(ft_errors)
            .where(ft_errors.c.at >= day_ago)
            .scalar_subquery(),
        )
        by_endpoint_query = (
            select(ft_errors.c.endpoint, count())
            .where(ft_errors.c.at >= day_ago)
            .group_by(ft_errors.c.endpoint)
        )
        async with self._read_snapshot() as db:
            counts = (await db.execute(figures)).one()
            by_endpoint = (await db.execute(by_endpoint_query)).all()
        # Sorted here, not in SQL: one order whatever the database's collation.
        by_endpoint = sorted(by_endpoint, key=lambda row: (-row[1], row[0]))
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
