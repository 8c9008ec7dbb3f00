"""Alert bookkeeping: who is due now (``profiles``), and which offers each user was sent
(``sent_offers``), so an offer is never sent twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Select, bindparam, case, delete, literal_column, select, update
from sqlalchemy.exc import IntegrityError

from storage.clock import PARIS, _now, local_midnight
from storage.db import Database
from storage.models import Profile, require_aware, require_offer_id, require_user_id, to_epoch
from storage.rows import _due_profiles
from storage.schema import profiles, sent_offers, users

MAX_OFFER_IDS_PER_CALL = 10_000

# Statements built once and executed with parameters: SQLAlchemy reuses their compiled form.
_SENT_AMONG = select(sent_offers.c.offer_id).where(
    sent_offers.c.user_id == bindparam("user_id"),
    sent_offers.c.offer_id.in_(bindparam("ids", expanding=True)),
)
# Never moves back: a late, older record keeps the newer mark (a portable max()).
_MARK_SERVED = (
    update(profiles)
    .where(profiles.c.user_id.in_(bindparam("ids", expanding=True)))
    .values(
        last_alert_at=case(
            (profiles.c.last_alert_at < bindparam("stamp"), bindparam("stamp")),
            else_=profiles.c.last_alert_at,
        )
    )
)
# The same, also recording the alert criteria those users were served for.
_MARK_SERVED_FOR = _MARK_SERVED.values(alert_criteria=bindparam("criteria"))
_CRITERIA_OF = select(profiles.c.user_id, profiles.c.alert_criteria).where(
    profiles.c.user_id.in_(bindparam("ids", expanding=True))
)
_MARK_SENT: dict[str, Any] = {}  # per backend: its dialect's INSERT … ON CONFLICT DO NOTHING


class AlertDeliveryRepository(Database):
    """Select the users due an alert, record them served and the offers sent."""

    async def due_for_alerts(
        self,
        now: datetime,
        tz: tzinfo = PARIS,
        *,
        limit: int | None = None,
        user_ids: Sequence[int] | None = None,
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
        each slice marked served drops out of the next query. With ``user_ids``, only those of
        the due users (a worker's batch: the primary key narrows the scan, not a pass over
        every due user).
        """
        require_aware("now", now)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise TypeError("limit must be an int or None")
        local = now.astimezone(tz)
        minute = local.hour * 60 + local.minute
        day_bit = 1 << local.weekday()
        midnight = int(local_midnight(now, tz).timestamp())
        if user_ids is not None:
            ids = [require_user_id(uid) for uid in user_ids]
            found: list[Any] = []
            for part in self._in_chunks(ids):
                params = {"midnight": midnight, "minute": minute, "day_bit": day_bit}
                found.extend(await self._fetchall(_DUE_AMONG, {**params, "ids": list(part)}))
            found.sort(key=lambda row: row.last_alert_at)
            return _due_profiles(found[:limit] if limit is not None else found)
        statement, params = due_query(midnight, minute, day_bit, limit)
        return _due_profiles(await self._fetchall(statement, params))

    async def mark_served(self, user_id: int, at: datetime, *, criteria: str | None = None) -> None:
        """Record that today's alert was handled (sent, or nothing new to send); with
        ``criteria``, also the alert query it was handled for (see ``alert_criteria_of``)."""
        await self.mark_served_many([user_id], at, criteria=criteria)

    async def mark_served_many(
        self, user_ids: Iterable[int], at: datetime, *, criteria: str | None = None
    ) -> int:
        """``mark_served`` for many users in one transaction; returns rows updated."""
        stamp = to_epoch("at", at)
        ids = [require_user_id(uid) for uid in user_ids]
        if criteria is not None and not isinstance(criteria, str):
            raise TypeError("criteria must be a str or None")
        statement = _MARK_SERVED if criteria is None else _MARK_SERVED_FOR
        updated = 0
        async with self._transaction() as db:
            for part in self._in_chunks(ids):
                params: dict[str, Any] = {"ids": list(part), "stamp": stamp}
                if criteria is not None:
                    params["criteria"] = criteria
                result = await db.execute(statement, params)
                updated += result.rowcount
        return updated

    async def alert_criteria_of(self, user_ids: Iterable[int]) -> dict[int, str | None]:
        """The alert criteria each user's last alert was served for (None: not known yet);
        users without a profile are absent. One query per 500 users."""
        ids = list(dict.fromkeys(require_user_id(uid) for uid in user_ids))
        found: dict[int, str | None] = {}
        for part in self._in_chunks(ids):
            for user_id, criteria in await self._fetchall(_CRITERIA_OF, {"ids": list(part)}):
                found[int(user_id)] = criteria
        return found

    async def filter_unsent(self, user_id: int, offer_ids: Iterable[str]) -> list[str]:
        """The offer ids never sent to this user, in input order without duplicates (one query)."""
        ids = list(dict.fromkeys(offer_ids))
        if not ids:
            return []
        for offer_id in ids:
            require_offer_id(offer_id)
        sent: set[str] = set()
        for part in self._in_chunks(ids):
            rows = await self._fetchall(_SENT_AMONG, {"user_id": user_id, "ids": list(part)})
            sent.update(row[0] for row in rows)
        return [offer_id for offer_id in ids if offer_id not in sent]

    async def mark_sent(
        self, user_id: int, offer_ids: Iterable[str], at: datetime | None = None
    ) -> int:
        """Record offers as sent to the user, all or none (idempotent); returns new rows."""
        rows = _sent_rows(user_id, offer_ids, at)
        if not rows:
            return 0
        try:
            async with self._transaction() as db:
                inserted = await self._insert_sent(db, rows)
        except IntegrityError as error:
            self._raise_unknown_user(error, user_id)
            raise
        return inserted

    async def record_delivery(
        self,
        user_id: int,
        offer_ids: Iterable[str],
        at: datetime,
        *,
        criteria: str | None = None,
    ) -> int:
        """A digest Telegram accepted, in ONE transaction: its offers sent (``mark_sent``) and
        the user served at ``at`` (``mark_served``, with ``criteria``). Both or neither: a
        process killed in between cannot leave the offers sent and the user due (which would
        send a second, different digest) nor the reverse. Returns the new sent rows."""
        require_user_id(user_id)
        rows = _sent_rows(user_id, offer_ids, at)
        stamp = to_epoch("at", at)
        if criteria is not None and not isinstance(criteria, str):
            raise TypeError("criteria must be a str or None")
        params: dict[str, Any] = {"ids": [user_id], "stamp": stamp}
        if criteria is not None:
            params["criteria"] = criteria
        try:
            async with self._transaction() as db:
                inserted = await self._insert_sent(db, rows) if rows else 0
                await db.execute(_MARK_SERVED if criteria is None else _MARK_SERVED_FOR, params)
        except IntegrityError as error:
            self._raise_unknown_user(error, user_id)
            raise
        return inserted

    async def _insert_sent(self, db: Any, rows: list[dict[str, Any]]) -> int:
        # One statement, many parameter sets: SQLAlchemy sends them as multi-row INSERTs
        # ("insertmanyvalues") and RETURNING tells which rows were new.
        return len((await db.execute(self._mark_sent_statement(), rows)).all())

    def _mark_sent_statement(self) -> Any:
        statement = _MARK_SENT.get(self.backend)
        if statement is None:
            statement = (
                self._insert(sent_offers).on_conflict_do_nothing().returning(sent_offers.c.offer_id)
            )
            _MARK_SENT[self.backend] = statement
        return statement

    async def prune_sent_offers(self, older_than: datetime) -> int:
        """Forget sent offers older than ``older_than`` (expired offers); returns rows deleted."""
        stamp = to_epoch("older_than", older_than)
        async with self._transaction() as db:
            result = await db.execute(delete(sent_offers).where(sent_offers.c.sent_at < stamp))
            return result.rowcount


def _sent_rows(user_id: int, offer_ids: Iterable[str], at: datetime | None) -> list[dict[str, Any]]:
    """The ``sent_offers`` rows of offers sent to a user (checked; no duplicates)."""
    ids = list(dict.fromkeys(offer_ids))
    if len(ids) > MAX_OFFER_IDS_PER_CALL:
        raise ValueError(f"at most {MAX_OFFER_IDS_PER_CALL} offer ids per call")
    for offer_id in ids:
        require_offer_id(offer_id)
    stamp = to_epoch("at", at or _now())
    return [{"user_id": user_id, "offer_id": offer_id, "sent_at": stamp} for offer_id in ids]


def _due_select() -> Select[Any]:
    """Due profiles, least recently served first: the order of the index ``profiles_due``.

    ``alerts_enabled = 1`` is written as in the index's WHERE clause so both planners use it.
    """
    p, u = profiles, users
    return (
        select(
            p.c.user_id,
            p.c.target_jobs,
            p.c.skills,
            p.c.place_code,
            p.c.place_label,
            p.c.radius_km,
            p.c.contract_types,
            p.c.alert_minute,
            p.c.alert_days,
            p.c.last_alert_at,
        )
        .join(u, u.c.user_id == p.c.user_id)
        .where(
            p.c.alerts_enabled == literal_column("1"),
            p.c.last_alert_at < bindparam("midnight"),
            p.c.alert_minute <= bindparam("minute"),
            p.c.alert_days.bitwise_and(bindparam("day_bit")) != 0,
            u.c.blocked_at.is_(None),
        )
        .order_by(p.c.last_alert_at)
    )


_DUE = _due_select()
_DUE_LIMITED = _DUE.limit(bindparam("limit"))
_DUE_AMONG = _DUE.where(profiles.c.user_id.in_(bindparam("ids", expanding=True)))


def due_query(
    midnight: int, minute: int, day_bit: int, limit: int | None
) -> tuple[Select[Any], dict[str, int]]:
    """The due query (built once) and its parameters."""
    params = {"midnight": midnight, "minute": minute, "day_bit": day_bit}
    if limit is None:
        return _DUE, params
    return _DUE_LIMITED, {**params, "limit": max(limit, 0)}
