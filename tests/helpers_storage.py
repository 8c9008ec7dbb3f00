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
