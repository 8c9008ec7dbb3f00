"""The ``profiles`` table: target jobs, skills, place, contracts and alert settings."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import time
from typing import Any

from storage.clock import _now
from storage.db import Database
from storage.models import (
    Profile,
    TargetJob,
    days_to_mask,
    require_user_id,
    to_epoch,
    validate_alert_days,
    validate_alert_time,
    validate_skills,
)
from storage.rows import _PROFILE_BY_ID, _dumps, _profile_from_row


class ProfileRepository(Database):
    """Read and write a user's profile, whole or column by column."""

    async def get_profile(self, user_id: int) -> Profile | None:
        row = await self._fetchone(_PROFILE_BY_ID, (user_id,))
        return _profile_from_row(row) if row else None

    @staticmethod
    def _profile_params(profile: Profile, stamp: int) -> tuple[Any, ...]:
        if not isinstance(profile, Profile):
            raise TypeError(f"expected a Profile, got {type(profile).__name__}")
        return (
            profile.user_id,
            _dumps([[job.code, job.label] for job in profile.target_jobs]),
            _dumps(list(profile.skills)),
            profile.place_code,
            profile.place_label,
            profile.radius_km,
            _dumps(list(profile.contract_types)),
            profile.alert_time.hour * 60 + profile.alert_time.minute,
            days_to_mask(profile.alert_days),
            int(profile.alerts_enabled),
            to_epoch("last_alert_at", profile.last_alert_at) if profile.last_alert_at else 0,
            stamp,
        )

    _UPSERT_PROFILE = (
        "INSERT INTO profiles (user_id, target_jobs, skills, place_code, place_label, radius_km,"
        " contract_types, alert_minute, alert_days, alerts_enabled, last_alert_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET target_jobs = excluded.target_jobs,"
        " skills = excluded.skills, place_code = excluded.place_code,"
        " place_label = excluded.place_label, radius_km = excluded.radius_km,"
        " contract_types = excluded.contract_types, alert_minute = excluded.alert_minute,"
        " alert_days = excluded.alert_days, alerts_enabled = excluded.alerts_enabled,"
        " last_alert_at = excluded.last_alert_at, updated_at = excluded.updated_at"
    )

    async def upsert_profile(self, profile: Profile) -> None:
        """Store the whole profile (every field, including ``last_alert_at``)."""
        params = self._profile_params(profile, int(_now().timestamp()))
        try:
            async with self._transaction() as db:
                await db.execute(self._UPSERT_PROFILE, params)
        except sqlite3.IntegrityError as error:
            self._raise_unknown_user(error, profile.user_id)
            raise

    async def modify_profile(self, user_id: int, change: Callable[[Profile], Profile]) -> Profile:
        """Read-modify-write in one transaction: ``change(current)`` → stored and returned.

        Use this instead of get_profile + upsert_profile when concurrent updates to one user
        are possible (two quick button presses): no update is lost. A missing profile starts
        from the defaults.
        """
        require_user_id(user_id)
        try:
            async with self._transaction() as db:
                rows = await db.execute_fetchall(_PROFILE_BY_ID, (user_id,))
                row = next(iter(rows), None)
                current = _profile_from_row(row) if row else Profile(user_id=user_id)
                updated = change(current)
                if not isinstance(updated, Profile) or updated.user_id != user_id:
                    raise ValueError("change() must return a Profile for the same user")
                await db.execute(
                    self._UPSERT_PROFILE, self._profile_params(updated, int(_now().timestamp()))
                )
        except sqlite3.IntegrityError as error:
            self._raise_unknown_user(error, user_id)
            raise
        return updated

    async def _set_columns(self, user_id: int, values: dict[str, Any]) -> None:
        """Insert a default profile with ``values``, or update only those columns."""
        require_user_id(user_id)
        values = {**values, "updated_at": int(_now().timestamp())}
        columns = ", ".join(values)  # column names are ours, never user text
        placeholders = ", ".join("?" for _ in values)
        updates = ", ".join(f"{name} = excluded.{name}" for name in values)
        sql = (
            f"INSERT INTO profiles (user_id, {columns}) VALUES (?, {placeholders})"  # noqa: S608
            f" ON CONFLICT (user_id) DO UPDATE SET {updates}"
        )
        try:
            async with self._transaction() as db:
                await db.execute(sql, (user_id, *values.values()))
        except sqlite3.IntegrityError as error:
            self._raise_unknown_user(error, user_id)
            raise

    async def set_skills(self, user_id: int, skills: Sequence[str]) -> None:
        await self._set_columns(user_id, {"skills": _dumps(list(validate_skills(skills)))})

    async def set_target_jobs(self, user_id: int, jobs: Sequence[TargetJob]) -> None:
        checked = Profile(user_id=user_id, target_jobs=tuple(jobs)).target_jobs
        await self._set_columns(
            user_id, {"target_jobs": _dumps([[job.code, job.label] for job in checked])}
        )

    async def set_place(
        self, user_id: int, place_code: str | None, place_label: str | None, radius_km: int
    ) -> None:
        checked = Profile(
            user_id=user_id, place_code=place_code, place_label=place_label, radius_km=radius_km
        )
        await self._set_columns(
            user_id,
            {
                "place_code": checked.place_code,
                "place_label": checked.place_label,
                "radius_km": checked.radius_km,
            },
        )

    async def set_contract_types(self, user_id: int, contract_types: Sequence[str]) -> None:
        checked = Profile(user_id=user_id, contract_types=tuple(contract_types)).contract_types
        await self._set_columns(user_id, {"contract_types": _dumps(list(checked))})

    async def set_alerts(
        self,
        user_id: int,
        enabled: bool,
        time: time | None = None,
        days: Iterable[int] | None = None,
    ) -> None:
        """Turn alerts on/off; ``time``/``days`` change only when given."""
        if not isinstance(enabled, bool):
            raise TypeError("enabled must be a bool")
        values: dict[str, Any] = {"alerts_enabled": int(enabled)}
        if time is not None:
            alert_time = validate_alert_time(time)
            values["alert_minute"] = alert_time.hour * 60 + alert_time.minute
        if days is not None:
            values["alert_days"] = days_to_mask(validate_alert_days(days))
        await self._set_columns(user_id, values)
