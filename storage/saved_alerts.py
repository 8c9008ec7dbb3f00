"""Saved alerts (issue 15): up to `MAX_SAVED_ALERTS` saved searches per person, and the filters
and pause of the profile's own alert (``profile_alert_settings``).

A person has at most `MAX_ALERTS` alerts: their profile's own (criteria and time in
``profiles``) plus the saved searches here, each with its criteria, schedule, on/off switch,
filters and the criteria its last digest was served for (a change looks back again, see
``ft_client.alert_schedule.window_start``). Every method is scoped by ``user_id``: an alert is
addressed by (user, ``alert_no``), so a button forged with another number reaches nothing of
anyone else. The cycle reads many people at once: `saved_alerts_of`,
`profile_alert_settings_of`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any, Final

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.engine import Row

from ft_client.alert_filters import AlertFilters
from ft_client.alert_schedule import Frequency, Schedule
from storage.clock import _now
from storage.connection import StatementRunner
from storage.db import Database
from storage.errors import StorageError, UnknownUserError
from storage.models import (
    days_to_mask,
    from_epoch,
    mask_to_days,
    require_text,
    require_user_id,
    to_epoch,
)
from storage.rows import _dumps
from storage.schema import profile_alert_settings, saved_alerts, users

MAX_ALERTS: Final = 5  # the profile's own alert included
MAX_SAVED_ALERTS: Final = MAX_ALERTS - 1
MAX_LABEL_LENGTH: Final = 80


class TooManyAlertsError(StorageError):
    """The person already has `MAX_SAVED_ALERTS` saved alerts."""


@dataclass(frozen=True, slots=True)
class AlertCriteria:
    """What a saved alert searches: the same fields as ``bot.criteria.Criteria``."""

    rome_codes: tuple[str, ...] = ()
    keywords: str | None = None
    commune_code: str | None = None
    place_label: str | None = None
    radius_km: int | None = None
    departement: str | None = None
    region: str | None = None
    contract_types: tuple[str, ...] = ()
    alternance: bool = False
    part_time: bool | None = None
    beginner: bool = False

    def canonical(self) -> str:
        """Stable text of the criteria: stored as ``served_criteria`` to detect a change."""
        values = {
            "rome_codes": sorted(self.rome_codes),
            "keywords": self.keywords,
            "commune_code": self.commune_code,
            "radius_km": self.radius_km,
            "departement": self.departement,
            "region": self.region,
            "contract_types": sorted(self.contract_types),
            "alternance": self.alternance,
            "part_time": self.part_time,
            "beginner": self.beginner,
        }
        return json.dumps(values, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class SavedAlert:
    user_id: int
    alert_no: int  # 0 until stored (add_saved_alert numbers it)
    label: str
    criteria: AlertCriteria
    schedule: Schedule = field(default_factory=Schedule)
    filters: AlertFilters = field(default_factory=AlertFilters)
    last_served_at: datetime | None = None
    served_criteria: str | None = None
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        require_user_id(self.user_id)
        require_text("label", self.label, MAX_LABEL_LENGTH)

    def replace(self, **changes: Any) -> SavedAlert:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class ProfileAlertSettings:
    """Filters and pause of the profile's own alert (its time and days stay in ``profiles``)."""

    user_id: int
    filters: AlertFilters = field(default_factory=AlertFilters)
    paused_until: date | None = None

    def replace(self, **changes: Any) -> ProfileAlertSettings:
        return replace(self, **changes)


_ALERT_COLUMNS = tuple(saved_alerts.c)
_LOCK_USER = (
    select(users.c.user_id)
    .where(users.c.user_id == bindparam("user_id"))
    .with_for_update(key_share=True)
)


async def lock_user(db: StatementRunner, user_id: int) -> None:
    """Serialise one person's writers; a person without a user row is refused clearly."""
    if (await db.execute(_LOCK_USER, {"user_id": user_id})).first() is None:
        raise UnknownUserError(f"unknown user {user_id}: call upsert_user first")


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _filters(text: str | None) -> AlertFilters:
    try:
        return AlertFilters.from_json(json.loads(text or "{}"))
    except ValueError:
        return AlertFilters()


def _alert_from_row(row: Row[Any]) -> SavedAlert:
    r = row._mapping
    minute = int(r["alert_minute"])
    criteria = AlertCriteria(
        rome_codes=tuple(json.loads(r["rome_codes"])),
        keywords=r["keywords"],
        commune_code=r["commune_code"],
        place_label=r["place_label"],
        radius_km=r["radius_km"],
        departement=r["departement"],
        region=r["region"],
        contract_types=tuple(json.loads(r["contract_types"])),
        alternance=bool(r["alternance"]),
        part_time=None if r["part_time"] is None else bool(r["part_time"]),
        beginner=bool(r["beginner"]),
    )
    schedule = Schedule(
        frequency=Frequency(r["frequency"]),
        at=time(minute // 60, minute % 60),
        weekday=int(r["weekday"]),
        paused_until=_date(r["paused_until"]),
        enabled=bool(r["enabled"]),
        quiet_days=mask_to_days(int(r["quiet_days"])),
    )
    return SavedAlert(
        user_id=int(r["user_id"]),
        alert_no=int(r["alert_no"]),
        label=r["label"],
        criteria=criteria,
        schedule=schedule,
        filters=_filters(r["filters"]),
        last_served_at=from_epoch(r["last_served_at"]),
        served_criteria=r["served_criteria"],
        created_at=from_epoch(r["created_at"]),
    )


def _alert_values(alert: SavedAlert, stamp: int) -> dict[str, Any]:
    c, s = alert.criteria, alert.schedule
    return {
        "label": alert.label,
        "rome_codes": _dumps(list(c.rome_codes)),
        "keywords": c.keywords,
        "commune_code": c.commune_code,
        "place_label": c.place_label,
        "radius_km": c.radius_km,
        "departement": c.departement,
        "region": c.region,
        "contract_types": _dumps(list(c.contract_types)),
        "alternance": int(c.alternance),
        "part_time": None if c.part_time is None else int(c.part_time),
        "beginner": int(c.beginner),
        "frequency": s.frequency.value,
        "weekday": s.weekday,
        "alert_minute": s.at.hour * 60 + s.at.minute,
        "quiet_days": days_to_mask(s.quiet_days),
        "paused_until": s.paused_until.isoformat() if s.paused_until else None,
        "enabled": int(s.enabled),
        "filters": _dumps(alert.filters.to_json()),
        "served_criteria": alert.served_criteria,
        "last_served_at": (
            to_epoch("last_served_at", alert.last_served_at) if alert.last_served_at else 0
        ),
        "updated_at": stamp,
    }


def _settings_from_row(row: Row[Any]) -> ProfileAlertSettings:
    return ProfileAlertSettings(
        user_id=int(row[0]), filters=_filters(row[1]), paused_until=_date(row[2])
    )


class SavedAlertRepository(Database):
    """Saved alerts and the profile alert's settings, always scoped by the person."""

    async def list_saved_alerts(self, user_id: int) -> list[SavedAlert]:
        return (await self.saved_alerts_of([user_id])).get(user_id, [])

    async def saved_alerts_of(self, user_ids: Iterable[int]) -> dict[int, list[SavedAlert]]:
        """Saved alerts of many people (one query per chunk of ids), by ``alert_no``."""
        found: dict[int, list[SavedAlert]] = {}
        for part in self._in_chunks(set(user_ids)):
            rows = await self._fetchall(
                select(*_ALERT_COLUMNS).where(saved_alerts.c.user_id.in_(part))
            )
            for row in rows:
                alert = _alert_from_row(row)
                found.setdefault(alert.user_id, []).append(alert)
        for alerts in found.values():
            alerts.sort(key=lambda a: a.alert_no)
        return found

    async def get_saved_alert(self, user_id: int, alert_no: int) -> SavedAlert | None:
        row = await self._fetchone(
            select(*_ALERT_COLUMNS).where(
                saved_alerts.c.user_id == user_id, saved_alerts.c.alert_no == alert_no
            )
        )
        return _alert_from_row(row) if row else None

    async def add_saved_alert(self, alert: SavedAlert, *, at: datetime | None = None) -> SavedAlert:
        """Store a new saved alert numbered after the person's others; `TooManyAlertsError` at
        `MAX_SAVED_ALERTS`, `UnknownUserError` for a person without a user row."""
        user_id = require_user_id(alert.user_id)
        stamp = to_epoch("at", at or _now())
        async with self._transaction() as db:
            await lock_user(db, user_id)
            c = saved_alerts.c
            count, highest = (
                await db.execute(
                    select(func.count(), func.coalesce(func.max(c.alert_no), 0)).where(
                        c.user_id == user_id
                    )
                )
            ).one()
            if count >= MAX_SAVED_ALERTS:
                raise TooManyAlertsError(f"user {user_id} has {count} saved alerts")
            stored = alert.replace(alert_no=int(highest) + 1, created_at=from_epoch(stamp))
            values = _alert_values(stored, stamp)
            await db.execute(
                saved_alerts.insert().values(
                    user_id=user_id, alert_no=stored.alert_no, created_at=stamp, **values
                )
            )
        return stored

    async def modify_saved_alert(
        self, user_id: int, alert_no: int, change: Callable[[SavedAlert], SavedAlert]
    ) -> SavedAlert | None:
        """Read-modify-write one of the person's alerts; None when they have no such alert."""
        require_user_id(user_id)
        c = saved_alerts.c
        async with self._transaction() as db:
            row = (
                await db.execute(
                    select(*_ALERT_COLUMNS)
                    .where(c.user_id == user_id, c.alert_no == alert_no)
                    .with_for_update()
                )
            ).first()
            if row is None:
                return None
            updated = change(_alert_from_row(row))
            if (updated.user_id, updated.alert_no) != (user_id, alert_no):
                raise ValueError("change() must keep the alert's user and number")
            await db.execute(
                saved_alerts.update()
                .where(c.user_id == user_id, c.alert_no == alert_no)
                .values(**_alert_values(updated, int(_now().timestamp())))
            )
        return updated

    async def delete_saved_alert(self, user_id: int, alert_no: int) -> bool:
        async with self._transaction() as db:
            result = await db.execute(
                delete(saved_alerts).where(
                    saved_alerts.c.user_id == user_id, saved_alerts.c.alert_no == alert_no
                )
            )
            return result.rowcount > 0

    async def mark_saved_alerts_served(
        self, user_id: int, alert_nos: Sequence[int], at: datetime, criteria: Mapping[int, str]
    ) -> None:
        """After a digest: the alerts served at ``at``, each with the criteria it was served for."""
        stamp = to_epoch("at", at)
        c = saved_alerts.c
        async with self._transaction() as db:
            for alert_no in alert_nos:
                await db.execute(
                    saved_alerts.update()
                    .where(c.user_id == user_id, c.alert_no == alert_no)
                    .values(last_served_at=stamp, served_criteria=criteria.get(alert_no))
                )

    # ------------------------------------------------------------------ profile alert settings

    async def get_profile_alert_settings(self, user_id: int) -> ProfileAlertSettings:
        found = await self.profile_alert_settings_of([user_id])
        return found.get(user_id) or ProfileAlertSettings(user_id=user_id)

    async def profile_alert_settings_of(
        self, user_ids: Iterable[int]
    ) -> dict[int, ProfileAlertSettings]:
        """Stored settings of many people (people without a row have the defaults)."""
        t = profile_alert_settings.c
        found: dict[int, ProfileAlertSettings] = {}
        for part in self._in_chunks(set(user_ids)):
            rows = await self._fetchall(
                select(t.user_id, t.filters, t.paused_until).where(t.user_id.in_(part))
            )
            for row in rows:
                found[int(row[0])] = _settings_from_row(row)
        return found

    async def modify_profile_alert_settings(
        self, user_id: int, change: Callable[[ProfileAlertSettings], ProfileAlertSettings]
    ) -> ProfileAlertSettings:
        require_user_id(user_id)
        t = profile_alert_settings.c
        async with self._transaction() as db:
            await lock_user(db, user_id)
            row = (
                await db.execute(
                    select(t.user_id, t.filters, t.paused_until)
                    .where(t.user_id == user_id)
                    .with_for_update()
                )
            ).first()
            current = _settings_from_row(row) if row else ProfileAlertSettings(user_id=user_id)
            updated = change(current)
            if updated.user_id != user_id:
                raise ValueError("change() must keep the user")
            values = {
                "filters": _dumps(updated.filters.to_json()),
                "paused_until": updated.paused_until.isoformat() if updated.paused_until else None,
                "updated_at": int(_now().timestamp()),
            }
            insert = self._insert(profile_alert_settings).values(user_id=user_id, **values)
            await db.execute(insert.on_conflict_do_update(index_elements=[t.user_id], set_=values))
        return updated
