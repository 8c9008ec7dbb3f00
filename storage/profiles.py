"""The ``profiles`` table: target jobs, skills, place, contracts and alert settings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import time
from typing import Any

from sqlalchemy import bindparam, select

from storage.clock import _now
from storage.connection import StatementRunner
from storage.db import Database
from storage.errors import UnknownUserError
from storage.models import (
    Profile,
    TargetJob,
    days_to_mask,
    require_user_id,
    to_epoch,
    validate_alert_days,
    validate_alert_time,
    validate_driving_licences,
    validate_experience,
    validate_languages,
    validate_skills,
    validate_working_time,
)
from storage.rows import _PROFILE_BY_ID, _dumps, _profile_from_row
from storage.schema import profiles, users

_PROFILE_FOR_UPDATE = _PROFILE_BY_ID.with_for_update()
_LOCK_USER = (
    select(users.c.user_id)
    .where(users.c.user_id == bindparam("user_id"))
    .with_for_update(key_share=True)
)


class ProfileRepository(Database):
    """Read and write a user's profile, whole or column by column.

    Every write first locks the user's row (``FOR NO KEY UPDATE`` on PostgreSQL, which still
    lets foreign-key checks through; SQLite's lock is the whole database), so concurrent
    changes to one user's profile are applied one after the other and none is lost.
    """

    async def get_profile(self, user_id: int) -> Profile | None:
        row = await self._fetchone(_PROFILE_BY_ID, {"user_id": user_id})
        return _profile_from_row(row) if row else None

    @staticmethod
    def _profile_values(profile: Profile, stamp: int) -> dict[str, Any]:
        if not isinstance(profile, Profile):
            raise TypeError(f"expected a Profile, got {type(profile).__name__}")
        return {
            "user_id": profile.user_id,
            "target_jobs": _dumps([[job.code, job.label] for job in profile.target_jobs]),
            "skills": _dumps(list(profile.skills)),
            "place_code": profile.place_code,
            "place_label": profile.place_label,
            "radius_km": profile.radius_km,
            "contract_types": _dumps(list(profile.contract_types)),
            "alert_minute": profile.alert_time.hour * 60 + profile.alert_time.minute,
            "alert_days": days_to_mask(profile.alert_days),
            "alerts_enabled": int(profile.alerts_enabled),
            "last_alert_at": (
                to_epoch("last_alert_at", profile.last_alert_at) if profile.last_alert_at else 0
            ),
            "updated_at": stamp,
            "driving_licences": _dumps(list(profile.driving_licences)),
            "languages": _dumps(list(profile.languages)),
            "experience": profile.experience,
            "working_time": profile.working_time,
            "remote_wanted": None if profile.remote_wanted is None else int(profile.remote_wanted),
        }

    def _upsert(self, values: dict[str, Any]) -> Any:
        """INSERT the row (missing columns take their defaults) or UPDATE only ``values``."""
        insert = self._insert(profiles).values(values)
        return insert.on_conflict_do_update(
            index_elements=[profiles.c.user_id],
            set_={name: insert.excluded[name] for name in values if name != "user_id"},
        )

    @staticmethod
    async def _lock_user(db: StatementRunner, user_id: int) -> None:
        """Serialise writers of one user's profile; a missing user is refused clearly."""
        row = await db.execute(_LOCK_USER, {"user_id": user_id})
        if row.first() is None:
            raise UnknownUserError(f"unknown user {user_id}: call upsert_user first")

    async def upsert_profile(self, profile: Profile) -> None:
        """Store the whole profile (every field, including ``last_alert_at``)."""
        values = self._profile_values(profile, int(_now().timestamp()))
        async with self._transaction() as db:
            await self._lock_user(db, profile.user_id)
            await db.execute(self._upsert(values))

    async def modify_profile(self, user_id: int, change: Callable[[Profile], Profile]) -> Profile:
        """Read-modify-write in one transaction: ``change(current)`` → stored and returned.

        Use this instead of get_profile + upsert_profile when concurrent updates to one user
        are possible (two quick button presses): no update is lost. A missing profile starts
        from the defaults.
        """
        require_user_id(user_id)
        async with self._transaction() as db:
            await self._lock_user(db, user_id)
            # The profile row lock also holds back mark_served until this change is stored.
            row = (await db.execute(_PROFILE_FOR_UPDATE, {"user_id": user_id})).first()
            current = _profile_from_row(row) if row else Profile(user_id=user_id)
            updated = change(current)
            if not isinstance(updated, Profile) or updated.user_id != user_id:
                raise ValueError("change() must return a Profile for the same user")
            await db.execute(self._upsert(self._profile_values(updated, int(_now().timestamp()))))
        return updated

    async def _set_columns(self, user_id: int, values: dict[str, Any]) -> None:
        """Insert a default profile with ``values``, or update only those columns."""
        require_user_id(user_id)
        values = {"user_id": user_id, **values, "updated_at": int(_now().timestamp())}
        async with self._transaction() as db:
            await self._lock_user(db, user_id)
            await db.execute(self._upsert(values))

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

    async def set_driving_licences(self, user_id: int, codes: Sequence[str]) -> None:
        """Licence codes from ``DRIVING_LICENCES``; an unknown code is refused."""
        checked = validate_driving_licences(codes)
        await self._set_columns(user_id, {"driving_licences": _dumps(list(checked))})

    async def set_languages(self, user_id: int, languages: Sequence[str]) -> None:
        checked = validate_languages(languages)
        await self._set_columns(user_id, {"languages": _dumps(list(checked))})

    async def set_experience(self, user_id: int, experience: str | None) -> None:
        await self._set_columns(user_id, {"experience": validate_experience(experience)})

    async def set_working_time(self, user_id: int, working_time: str | None) -> None:
        await self._set_columns(user_id, {"working_time": validate_working_time(working_time)})

    async def set_remote_wanted(self, user_id: int, wanted: bool | None) -> None:
        if wanted is not None and not isinstance(wanted, bool):
            raise TypeError("wanted must be a bool or None")
        await self._set_columns(user_id, {"remote_wanted": None if wanted is None else int(wanted)})
