"""Row ↔ model conversion shared by the repositories (profiles, users, JSON columns).

Rows come from our own tables, already validated when written, so profiles are built without
re-validating: the alert cycle reads up to 100 000 of them. The underscored names are private
to the :mod:`storage` package.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, select

from storage.models import Profile, TargetJob, User, from_epoch, mask_to_days
from storage.schema import profiles

# The columns _profile_from_row reads, in its order.
PROFILE_COLUMNS = (
    profiles.c.user_id,
    profiles.c.target_jobs,
    profiles.c.skills,
    profiles.c.place_code,
    profiles.c.place_label,
    profiles.c.radius_km,
    profiles.c.contract_types,
    profiles.c.alert_minute,
    profiles.c.alert_days,
    profiles.c.alerts_enabled,
    profiles.c.last_alert_at,
    profiles.c.driving_licences,
    profiles.c.languages,
    profiles.c.experience,
    profiles.c.working_time,
    profiles.c.remote_wanted,
)


# Built once, executed with {"user_id": …}: SQLAlchemy then reuses the compiled form.
_PROFILE_BY_ID: Select[Any] = select(*PROFILE_COLUMNS).where(
    profiles.c.user_id == bindparam("user_id")
)


_MINUTE_TIMES = [time(m // 60, m % 60) for m in range(1440)]
_DAY_SETS = [mask_to_days(mask) for mask in range(128)]


@lru_cache(maxsize=8192)
def _decode_target_jobs(text: str) -> tuple[TargetJob, ...]:
    """JSON → TargetJobs, memoised: many users share the same few ROME codes (immutable)."""
    jobs = []
    for code, label in json.loads(text):
        job = object.__new__(TargetJob)
        object.__setattr__(job, "code", code)
        object.__setattr__(job, "label", label)
        jobs.append(job)
    return tuple(jobs)


@lru_cache(maxsize=1024)
def _decode_contract_types(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


@lru_cache(maxsize=1024)
def _decode_choices(text: str) -> tuple[str, ...]:
    """Licences and languages: few distinct lists shared by many users (immutable)."""
    return tuple(json.loads(text))


def _profile_from_row(row: Sequence[Any]) -> Profile:
    """Build a Profile from a trusted row without re-validating (100 000 rows must stay fast)."""
    profile = object.__new__(Profile)
    put = object.__setattr__
    put(profile, "user_id", row[0])
    put(profile, "target_jobs", _decode_target_jobs(row[1]))
    put(profile, "skills", tuple(json.loads(row[2])))
    put(profile, "place_code", row[3])
    put(profile, "place_label", row[4])
    put(profile, "radius_km", row[5])
    put(profile, "contract_types", _decode_contract_types(row[6]))
    put(profile, "alert_time", _MINUTE_TIMES[row[7]])
    put(profile, "alert_days", _DAY_SETS[row[8]])
    put(profile, "alerts_enabled", row[9] == 1)
    put(profile, "last_alert_at", from_epoch(row[10]) if row[10] else None)
    put(profile, "driving_licences", _decode_choices(row[11]))
    put(profile, "languages", _decode_choices(row[12]))
    put(profile, "experience", row[13])
    put(profile, "working_time", row[14])
    put(profile, "remote_wanted", None if row[15] is None else row[15] == 1)
    return profile


def _due_profiles(rows: Iterable[Sequence[Any]]) -> list[Profile]:
    """``_profile_from_row`` unrolled for the due query (alerts on), names bound locally."""
    new = object.__new__
    put = object.__setattr__
    loads = json.loads
    jobs_of = _decode_target_jobs
    contracts_of = _decode_contract_types
    times = _MINUTE_TIMES
    day_sets = _DAY_SETS
    utc_from = datetime.fromtimestamp
    profiles: list[Profile] = []
    append = profiles.append
    # ~10 new objects per row trigger many cyclic-GC passes over everything alive; none of
    # them can form a cycle, so collection is paused for this synchronous loop (no await).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for uid, jobs, skills, code, label, radius, contracts, minute, days, last in rows:
            profile = new(Profile)
            put(profile, "user_id", uid)
            put(profile, "target_jobs", jobs_of(jobs))
            put(profile, "skills", tuple(loads(skills)))
            put(profile, "place_code", code)
            put(profile, "place_label", label)
            put(profile, "radius_km", radius)
            put(profile, "contract_types", contracts_of(contracts))
            put(profile, "alert_time", times[minute])
            put(profile, "alert_days", day_sets[days])
            put(profile, "alerts_enabled", True)
            put(profile, "last_alert_at", utc_from(last, UTC) if last else None)
            # The due query does not read the 0004 fields: alerts do not filter on them yet.
            put(profile, "driving_licences", ())
            put(profile, "languages", ())
            put(profile, "experience", None)
            put(profile, "working_time", None)
            put(profile, "remote_wanted", None)
            append(profile)
    finally:
        if gc_was_enabled:
            gc.enable()
    return profiles


def _user_from_row(row: Sequence[Any]) -> User:
    created = from_epoch(row[4])
    seen = from_epoch(row[5])
    assert created is not None and seen is not None
    return User(
        user_id=row[0],
        chat_id=row[1],
        first_name=row[2],
        language=row[3],
        created_at=created,
        last_seen_at=seen,
        blocked_at=from_epoch(row[6]),
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
