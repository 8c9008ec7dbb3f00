"""The set-up of `benchmarks/alert_cycle.py` and `benchmarks/alert_workers.py`: the world's users,
their profiles and saved alerts stored (`populate`), not measured."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.alert_saved import add_saved_alerts
from storage import Profile, Storage, TargetJob

if TYPE_CHECKING:
    from benchmarks.alert_world import UserSpec
    from ft_client.referential import Referential

# Users written per transaction by `populate` (set-up only).
POPULATE_CHUNK = 2000


def spec_profile(spec: UserSpec, ref: Referential) -> Profile:
    place = ref.place(spec.city)
    return Profile(
        user_id=spec.user_id,
        target_jobs=tuple(TargetJob(c, ref.job(c).label) for c in spec.romes),  # type: ignore[union-attr]
        skills=spec.skills,
        place_code=spec.city,
        place_label=place.display_label if place else None,
        radius_km=spec.radius_km,
        contract_types=spec.contracts,
        alert_time=spec.alert_time,
    )


async def populate(location: str | Path, specs: list[UserSpec], ref: Referential) -> None:
    """The users, their profiles and saved alerts, `POPULATE_CHUNK` users per transaction.

    Set-up only, not measured: the rows `upsert_user` and `upsert_profile` would write (same
    values, same validation of the profile), but with one multi-row INSERT per table and chunk
    instead of two transactions per user (100 000 users: ~450 s one by one on PostgreSQL).
    Saved alerts go through `add_saved_alert` (their numbering is the storage's)."""
    # NORMAL durability on SQLite to save fsyncs; the cycle reopens with the default (FULL).
    options: dict[str, Any] = {} if isinstance(location, str) else {"synchronous": "NORMAL"}
    async with Storage.open(location, **options) as storage:
        for start in range(0, len(specs), POPULATE_CHUNK):
            await _insert_users(storage, specs[start : start + POPULATE_CHUNK], ref)
        for spec in specs:
            if spec.saved:
                await add_saved_alerts(storage, spec.user_id, spec.saved, ref)


async def _insert_users(storage: Storage, chunk: list[UserSpec], ref: Referential) -> None:
    from storage.schema import profiles, users

    stamp = int(datetime.now(UTC).timestamp())
    user_rows = [
        {
            "user_id": spec.user_id,
            "chat_id": spec.user_id,
            "first_name": f"User{spec.user_id}",
            "language": "fr",
            "created_at": stamp,
            "last_seen_at": stamp,
            "blocked_at": None,
        }
        for spec in chunk
    ]
    profile_rows = [storage._profile_values(spec_profile(spec, ref), stamp) for spec in chunk]
    async with storage._transaction() as db:
        await db.execute(storage._insert(users), user_rows)
        await db.execute(storage._insert(profiles), profile_rows)
