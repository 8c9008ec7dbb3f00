"""Alert bookkeeping: who is due now (``profiles``), and which offers each user was sent
(``sent_offers``), so an offer is never sent twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from storage.clock import PARIS, _now, local_midnight
from storage.db import Database
from storage.models import Profile, require_aware, require_offer_id, require_user_id, to_epoch
from storage.rows import PROFILE_COLUMNS, _due_profiles, _profile_from_row
from storage.schema import profile_alert_settings, profiles, saved_alerts, sent_offers, users

MAX_OFFER_IDS_PER_CALL = 10_000

# Statements built once and executed with parameters: SQLAlchemy reuses their compiled form.
_SENT_AMONG = select(sent_offers.c.offer_id).where(
    sent_offers.c.user_id == bindparam("user_id"),
    sent_offers.c.offer_id.in_(bindparam("ids", expanding=True)),
)
# Which (user, offer) pairs of a list were sent: the list is ONE parameter (a JSON array on
# SQLite, two arrays on PostgreSQL) joined to the primary key, one index probe per pair; a
# static statement, so it is compiled once whatever the number of pairs.
_SENT_PAIRS = {
    "sqlite": text(
        "SELECT s.user_id, s.offer_id FROM json_each(:pairs) AS p JOIN sent_offers AS s"
        " ON s.user_id = json_extract(p.value, '$[0]')"
        " AND s.offer_id = json_extract(p.value, '$[1]')"
    ),
    "postgresql": text(
        "SELECT s.user_id, s.offer_id"
        " FROM unnest(CAST(:users AS BIGINT[]), CAST(:offers AS TEXT[])) AS p(u, o)"
        " JOIN sent_offers AS s ON s.user_id = p.u AND s.offer_id = p.o"
    ),
}
# Pairs per statement: one statement holds the SQLite connection for ~50 ms at most.
SENT_PAIRS_CHUNK = 20_000
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
# A saved alert served (its own mark and the criteria it was served for; never moves back).
_MARK_SAVED_SERVED = (
    update(saved_alerts)
    .where(
        saved_alerts.c.user_id == bindparam("uid"),
        saved_alerts.c.alert_no == bindparam("no"),
    )
    .values(
        last_served_at=case(
            (saved_alerts.c.last_served_at < bindparam("stamp"), bindparam("stamp")),
            else_=saved_alerts.c.last_served_at,
        ),
        served_criteria=bindparam("criteria"),
    )
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
        user_ids: Iterable[int] | None = None,
    ) -> list[Profile]:
        """Profiles to serve now: those whose profile alert is due, least recently served
        first (at most ``limit`` if given), then those due only through a saved alert.

        Profile alert due = alerts on, user not blocked, today (in ``tz``) is one of the alert
        days, the local wall-clock time has reached the alert time, the user was not served
        since local midnight, and the alert is not paused today (``profile_alert_settings``).
        "Served today" is measured from midnight, not from today's alert instant: a user who
        got today's digest and then moves the alert later the same day is not sent a second
        digest. Wall-clock minutes make DST safe: on the spring-forward day an alert at 02:30
        (a time that does not exist) fires at 03:00; on the fall-back day an alert at 02:30
        fires at the first 02:30 only (served since midnight).

        A saved alert is due by the same rules with its own schedule (daily, weekdays, weekly
        on its day, quiet days, pause, on/off) and its own ``last_served_at``; its person's
        profile comes back whatever the profile alert's own state (the cycle tells which of a
        person's alerts are due: ``bot.alerts.due``).

        SQL does the filtering: the profile part through the partial index ``profiles_due``
        (whose order is the result order: no sort). With ``limit``, a caller can serve a large
        backlog in slices: each slice marked served drops out of the next query. ``user_ids``
        restricts both parts to those users (a worker's batch).
        """
        found, saved_ids = await self._due(now, tz, limit, user_ids, ids_only=False)
        for part in self._in_chunks(saved_ids):
            rows = await self._fetchall(
                select(*PROFILE_COLUMNS).where(profiles.c.user_id.in_(part))
            )
            found.extend(_profile_from_row(row) for row in rows)
        return found

    async def due_user_ids(
        self,
        now: datetime,
        tz: tzinfo = PARIS,
        *,
        limit: int | None = None,
        user_ids: Iterable[int] | None = None,
    ) -> list[int]:
        """The users of `due_for_alerts` without reading their profiles (the profile part in
        its order, then those due only through a saved alert, by id): a planner that only
        shares users out holds ints, not 100 000 decoded profiles."""
        found, saved_ids = await self._due(now, tz, limit, user_ids, ids_only=True)
        return [*(int(uid) for uid in found), *saved_ids]

    async def _due(
        self,
        now: datetime,
        tz: tzinfo,
        limit: int | None,
        user_ids: Iterable[int] | None,
        *,
        ids_only: bool,
    ) -> tuple[list[Any], list[int]]:
        """The profile part (profiles, or user ids with `ids_only`) and the ids due only
        through a saved alert, as `due_for_alerts` orders them."""
        require_aware("now", now)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise TypeError("limit must be an int or None")
        local = now.astimezone(tz)
        minute = local.hour * 60 + local.minute
        day_bit = 1 << local.weekday()
        midnight = int(local_midnight(now, tz).timestamp())
        today = local.date().isoformat()
        wanted = None if user_ids is None else list(dict.fromkeys(map(require_user_id, user_ids)))
        found: list[Any] = []
        for part in [None] if wanted is None else list(self._in_chunks(wanted)):
            room = None if limit is None else limit - len(found)
            if room is not None and room <= 0:
                break
            statement, params = due_query(midnight, minute, day_bit, room, today=today)
            if part is not None:
                statement = statement.where(profiles.c.user_id.in_(part))
            if ids_only:
                statement = statement.with_only_columns(profiles.c.user_id)
                found.extend(int(row[0]) for row in await self._fetchall(statement, params))
            else:
                found.extend(_due_profiles(await self._fetchall(statement, params)))
        if limit is not None and len(found) >= limit:
            return found, []
        seen = {p if ids_only else p.user_id for p in found}
        saved_params = {
            "midnight": midnight,
            "minute": minute,
            "day_bit": day_bit,
            "weekday": local.weekday(),
            "today": today,
        }
        saved_statement = _saved_due_select(local.weekday() < 5)
        saved_ids: list[int] = []
        for part in [None] if wanted is None else list(self._in_chunks(wanted)):
            statement = saved_statement
            if part is not None:
                statement = statement.where(saved_alerts.c.user_id.in_(part))
            rows = await self._fetchall(statement, saved_params)
            saved_ids.extend(int(row[0]) for row in rows if int(row[0]) not in seen)
        saved_ids = sorted(set(saved_ids))
        if limit is not None:
            saved_ids = saved_ids[: limit - len(found)]
        return found, saved_ids

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

    async def sent_among_many(self, candidates: Mapping[int, Iterable[str]]) -> dict[int, set[str]]:
        """For each user, which of their candidate offer ids were already sent to them: what
        ``filter_unsent`` tells one user, for many users in a few statements (an alert cycle
        asks it once per read of the offers table, not once per user)."""
        pairs: list[tuple[int, str]] = []
        for user_id, offer_ids in candidates.items():
            require_user_id(user_id)
            for offer_id in dict.fromkeys(offer_ids):
                require_offer_id(offer_id)
                pairs.append((user_id, offer_id))
        sent: dict[int, set[str]] = {user_id: set() for user_id in candidates}
        statement = _SENT_PAIRS[self.backend]
        for start in range(0, len(pairs), SENT_PAIRS_CHUNK):
            part = pairs[start : start + SENT_PAIRS_CHUNK]
            if self.backend == "postgresql":
                params: dict[str, Any] = {
                    "users": [user_id for user_id, _ in part],
                    "offers": [offer_id for _, offer_id in part],
                }
            else:
                params = {"pairs": json.dumps(part, ensure_ascii=False)}
            for user_id, offer_id in await self._fetchall_bulk(statement, params):
                sent[int(user_id)].add(offer_id)
        return sent

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

    async def record_served_many(
        self,
        at: datetime,
        profiles_for: Mapping[str | None, Sequence[int]],
        saved: Sequence[tuple[int, int, str]] = (),
    ) -> None:
        """Alerts handled with nothing to send, in one transaction: the profile alerts of
        ``profiles_for`` (criteria → users) and the saved alerts ``(user, alert no,
        criteria)``, all served at ``at``."""
        stamp = to_epoch("at", at)
        saved_params = [
            {"uid": require_user_id(uid), "no": no, "stamp": stamp, "criteria": criteria}
            for uid, no, criteria in saved
        ]
        async with self._transaction() as db:
            for criteria, user_ids in profiles_for.items():
                ids = [require_user_id(uid) for uid in user_ids]
                statement = _MARK_SERVED if criteria is None else _MARK_SERVED_FOR
                for part in self._in_chunks(ids):
                    params: dict[str, Any] = {"ids": list(part), "stamp": stamp}
                    if criteria is not None:
                        params["criteria"] = criteria
                    await db.execute(statement, params)
            if saved_params:
                await db.execute(_MARK_SAVED_SERVED, saved_params)

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


def _saved_rows(user_id: int, saved: Mapping[int, str], stamp: int) -> list[dict[str, Any]]:
    for criteria in saved.values():
        if not isinstance(criteria, str):
            raise TypeError("saved alert criteria must be str")
    return [
        {"uid": user_id, "no": int(no), "stamp": stamp, "criteria": criteria}
        for no, criteria in saved.items()
    ]


def _saved_due_select(weekday: bool) -> Select[Any]:
    """Users with a saved alert due now (see ``due_for_alerts``); ``weekday``: Monday–Friday."""
    s, p, u = saved_alerts, profiles, users
    frequencies = ["daily", "weekdays"] if weekday else ["daily"]
    return (
        select(s.c.user_id)
        .distinct()
        .join(p, p.c.user_id == s.c.user_id)
        .join(u, u.c.user_id == s.c.user_id)
        .where(
            s.c.enabled == literal_column("1"),
            s.c.last_served_at < bindparam("midnight"),
            s.c.alert_minute <= bindparam("minute"),
            s.c.quiet_days.bitwise_and(bindparam("day_bit")) == 0,
            or_(s.c.paused_until.is_(None), s.c.paused_until < bindparam("today")),
            or_(
                s.c.frequency.in_(frequencies),
                and_(s.c.frequency == "weekly", s.c.weekday == bindparam("weekday")),
            ),
            u.c.blocked_at.is_(None),
        )
    )


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
            # Paused profile alert (« pause jusqu'au … », ISO dates compare as text).
            ~exists().where(
                profile_alert_settings.c.user_id == p.c.user_id,
                profile_alert_settings.c.paused_until >= bindparam("today"),
            ),
        )
        .order_by(p.c.last_alert_at)
    )


_DUE = _due_select()
_DUE_LIMITED = _DUE.limit(bindparam("limit"))


def due_query(
    midnight: int, minute: int, day_bit: int, limit: int | None, *, today: str = "9999-12-31"
) -> tuple[Select[Any], dict[str, Any]]:
    """The due query of profile alerts (built once) and its parameters; ``today`` (ISO date)
    leaves out the alerts paused up to that day (the default: none)."""
    params: dict[str, Any] = {
        "midnight": midnight,
        "minute": minute,
        "day_bit": day_bit,
        "today": today,
    }
    if limit is None:
        return _DUE, params
    return _DUE_LIMITED, {**params, "limit": max(limit, 0)}
