"""Shared helpers for the storage tests (imported explicitly)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from storage import Storage

PARIS = ZoneInfo("Europe/Paris")


def paris(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    """An aware Europe/Paris instant (``fold=1`` picks the second of a repeated hour)."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS, fold=fold)


async def open_storage(tmp_path: Path, name: str = "bot.sqlite3") -> Storage:
    return await Storage.open(tmp_path / name)


async def add_user(storage: Storage, user_id: int, **profile_fields: object) -> None:
    """A user with a default profile, optionally with some profile fields set."""
    await storage.upsert_user(user_id, user_id, f"user{user_id}", "fr")
    profile = await storage.modify_profile(user_id, lambda p: p.replace(**profile_fields))
    assert profile.user_id == user_id


# ---------------------------------------------------------------- crash-safety writer
# Run as ``python -m tests.helpers_storage DB_PATH``: writes batches forever, printing
# ``committed <i>`` after each commit, until the test kills it with SIGKILL.

BATCH_SIZE = 50
CRASH_USERS = 20


async def crash_writer(path: str) -> None:
    import sys

    from storage import TargetJob

    storage = await Storage.open(path)
    print("open", flush=True)
    row = await storage._fetchone(
        "SELECT coalesce(max(CAST(substr(offer_id, 2) AS INT)), 0) "
        "FROM sent_offers WHERE offer_id LIKE 'M%x0'"
    )
    i = int(row[0]) + 1 if row else 1
    while True:
        uid = i % CRASH_USERS + 1
        await storage.upsert_user(uid, uid, f"user{uid}", "fr")
        # Many statements in one transaction: the kill often lands between two of them.
        async with storage._transaction() as db:
            for k in range(BATCH_SIZE):
                await db.execute(
                    "INSERT INTO sent_offers (user_id, offer_id, sent_at) VALUES (?, ?, ?)",
                    (uid, f"M{i}x{k}", i),
                )
        await storage.modify_profile(
            uid,
            lambda p, i=i: p.replace(
                skills=(*p.skills, f"batch {i} 😀")[-30:],
                target_jobs=(TargetJob("G1603", f"label {i}"),),
            ),
        )
        await storage.mark_sent(uid, [f"S{i}x{k}" for k in range(BATCH_SIZE)])
        sys.stdout.write(f"committed {i}\n")
        sys.stdout.flush()
        i += 1


if __name__ == "__main__":
    import asyncio
    import sys

    asyncio.run(crash_writer(sys.argv[1]))
