"""Alert bookkeeping: who is due now (``profiles``), and which offers each user was sent
(``sent_offers``), so an offer is never sent twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime, tzinfo

from storage.clock import PARIS, _now, local_midnight
from storage.db import Database
from storage.models import Profile, require_aware, require_offer_id, require_user_id, to_epoch
from storage.rows import _due_profiles, _dumps

MAX_OFFER_IDS_PER_CALL = 10_000


class AlertDeliveryRepository(Database):
    """Select the users due an alert, record them served and the offers sent."""

    async def due_for_alerts(
        self, now: datetime, tz: tzinfo = PARIS, *, limit: int | None = None
    ) -> list[Profile]:
        """Profiles to serve now, least recently served first (at most ``limit`` if given).

        Due = alerts on, user not blocked, today (in ``tz``) is one of the alert days, the
        local wall-clock time has reached the alert time, and the user was not served since
        local midnight. "Served today" is measured from midnight, not from today's alert
        instant: a user who got today's digest and then moves the alert later the same day
        is not sent a second digest. Wall-clock minutes make DST safe: on the spring-forward
        day an alert at 02:30 (a time that does not exist) fires at 03:00; on the fall-back
        day an alert at 02:30 fires at the first 02:30 only (served since midnight).

        SQL does the filtering through the partial index ``profiles_due`` (whose order is the
        result order: no sort). With ``limit``, a caller can serve a large backlog in slices:
        each slice marked served drops out of the next query.
        """
        require_aware("now", now)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise TypeError("limit must be an int or None")
        local = now.astimezone(tz)
        minute = local.hour * 60 + local.minute
        day_bit = 1 << local.weekday()
        midnight = int(local_midnight(now, tz).timestamp())
        rows = await self._fetchall(
            "SELECT p.user_id, p.target_jobs, p.skills, p.place_code, p.place_label,"
            " p.radius_km, p.contract_types, p.alert_minute, p.alert_days, p.last_alert_at"
            " FROM profiles p JOIN users u ON u.user_id = p.user_id"
            " WHERE p.alerts_enabled = 1 AND p.last_alert_at < ? AND p.alert_minute <= ?"
            " AND (p.alert_days & ?) != 0 AND u.blocked_at IS NULL"
            " ORDER BY p.last_alert_at LIMIT ?",
            (midnight, minute, day_bit, -1 if limit is None else max(limit, 0)),
        )
        return _due_profiles(rows)

    async def mark_served(self, user_id: int, at: datetime) -> None:
        """Record that today's alert was handled (sent, or nothing new to send)."""
        stamp = to_epoch("at", at)
        async with self._transaction() as db:
            await db.execute(
                "UPDATE profiles SET last_alert_at = max(last_alert_at, ?) WHERE user_id = ?",
                (stamp, user_id),
            )

    async def mark_served_many(self, user_ids: Iterable[int], at: datetime) -> int:
        """``mark_served`` for many users in one transaction; returns rows updated."""
        stamp = to_epoch("at", at)
        ids = [require_user_id(uid) for uid in user_ids]
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE profiles SET last_alert_at = max(last_alert_at, ?)"
                " WHERE user_id IN (SELECT value FROM json_each(?))",
                (stamp, _dumps(ids)),
            )
            return cursor.rowcount

    async def filter_unsent(self, user_id: int, offer_ids: Iterable[str]) -> list[str]:
        """The offer ids never sent to this user, in input order without duplicates (one query)."""
        ids = list(dict.fromkeys(offer_ids))
        if not ids:
            return []
        for offer_id in ids:
            require_offer_id(offer_id)
        rows = await self._fetchall(
            "SELECT j.value FROM json_each(?) j WHERE NOT EXISTS (SELECT 1 FROM sent_offers s"
            " WHERE s.user_id = ? AND s.offer_id = j.value) ORDER BY j.key",
            (_dumps(ids), user_id),
        )
        return [row[0] for row in rows]

    async def mark_sent(
        self, user_id: int, offer_ids: Iterable[str], at: datetime | None = None
    ) -> int:
        """Record offers as sent to the user, all or none (idempotent); returns new rows."""
        ids = list(dict.fromkeys(offer_ids))
        if not ids:
            return 0
        if len(ids) > MAX_OFFER_IDS_PER_CALL:
            raise ValueError(f"at most {MAX_OFFER_IDS_PER_CALL} offer ids per call")
        for offer_id in ids:
            require_offer_id(offer_id)
        stamp = to_epoch("at", at or _now())
        try:
            async with self._transaction() as db:
                cursor = await db.execute(
                    "INSERT OR IGNORE INTO sent_offers (user_id, offer_id, sent_at)"
                    " SELECT ?, value, ? FROM json_each(?)",
                    (user_id, stamp, _dumps(ids)),
                )
                return cursor.rowcount
        except sqlite3.IntegrityError as error:
            self._raise_unknown_user(error, user_id)
            raise

    async def prune_sent_offers(self, older_than: datetime) -> int:
        """Forget sent offers older than ``older_than`` (expired offers); returns rows deleted."""
        stamp = to_epoch("older_than", older_than)
        async with self._transaction() as db:
            cursor = await db.execute("DELETE FROM sent_offers WHERE sent_at < ?", (stamp,))
            return cursor.rowcount
