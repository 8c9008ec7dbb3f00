"""The ``favourites`` table: offers a user saved, with a snapshot (offers disappear)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from storage.clock import _now
from storage.db import Database
from storage.models import Favourite, FavouriteSnapshot, from_epoch, to_epoch


class FavouriteRepository(Database):
    """Save, list, test and remove a user's favourite offers."""

    async def add_favourite(
        self, user_id: int, snapshot: FavouriteSnapshot, *, at: datetime | None = None
    ) -> bool:
        """Save an offer for the user; True if new (saving again refreshes the snapshot)."""
        if not isinstance(snapshot, FavouriteSnapshot):
            raise TypeError("expected a FavouriteSnapshot")
        stamp = to_epoch("at", at or _now())
        try:
            async with self._transaction() as db:
                existed = await db.execute_fetchall(
                    "SELECT 1 FROM favourites WHERE user_id = ? AND offer_id = ?",
                    (user_id, snapshot.offer_id),
                )
                await db.execute(
                    "INSERT INTO favourites (user_id, offer_id, title, company, place, url,"
                    " saved_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, offer_id)"
                    " DO UPDATE SET title = excluded.title, company = excluded.company,"
                    " place = excluded.place, url = excluded.url",
                    (
                        user_id,
                        snapshot.offer_id,
                        snapshot.title,
                        snapshot.company,
                        snapshot.place,
                        snapshot.url,
                        stamp,
                    ),
                )
        except sqlite3.IntegrityError as error:
            self._raise_unknown_user(error, user_id)
            raise
        return not existed

    async def list_favourites(self, user_id: int, limit: int | None = None) -> list[Favourite]:
        """The user's favourites, most recently saved first."""
        rows = await self._fetchall(
            "SELECT user_id, offer_id, title, company, place, url, saved_at FROM favourites"
            " WHERE user_id = ? ORDER BY saved_at DESC, offer_id LIMIT ?",
            (user_id, -1 if limit is None else limit),
        )
        return [
            Favourite(
                user_id=row[0],
                offer_id=row[1],
                title=row[2],
                company=row[3],
                place=row[4],
                url=row[5],
                saved_at=from_epoch(row[6]) or datetime.fromtimestamp(0, UTC),
            )
            for row in rows
        ]

    async def is_favourite(self, user_id: int, offer_id: str) -> bool:
        row = await self._fetchone(
            "SELECT 1 FROM favourites WHERE user_id = ? AND offer_id = ?", (user_id, offer_id)
        )
        return row is not None

    async def remove_favourite(self, user_id: int, offer_id: str) -> bool:
        """Remove one of the user's own favourites; False if they had no such favourite."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM favourites WHERE user_id = ? AND offer_id = ?", (user_id, offer_id)
            )
            return cursor.rowcount > 0
