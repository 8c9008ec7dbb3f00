"""The ``favourites`` table: offers a user saved, with a snapshot (offers disappear)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from storage.clock import _now
from storage.db import Database
from storage.models import Favourite, FavouriteSnapshot, from_epoch, to_epoch
from storage.schema import favourites

_FAVOURITE_COLUMNS = (
    favourites.c.user_id,
    favourites.c.offer_id,
    favourites.c.title,
    favourites.c.company,
    favourites.c.place,
    favourites.c.url,
    favourites.c.saved_at,
)


class FavouriteRepository(Database):
    """Save, list, test and remove a user's favourite offers."""

    async def add_favourite(
        self, user_id: int, snapshot: FavouriteSnapshot, *, at: datetime | None = None
    ) -> bool:
        """Save an offer for the user; True if new (saving again refreshes the snapshot)."""
        if not isinstance(snapshot, FavouriteSnapshot):
            raise TypeError("expected a FavouriteSnapshot")
        stamp = to_epoch("at", at or _now())
        insert = self._insert(favourites).values(
            user_id=user_id,
            offer_id=snapshot.offer_id,
            title=snapshot.title,
            company=snapshot.company,
            place=snapshot.place,
            url=snapshot.url,
            saved_at=stamp,
        )
        upsert = insert.on_conflict_do_update(
            index_elements=[favourites.c.user_id, favourites.c.offer_id],
            set_={
                "title": insert.excluded.title,
                "company": insert.excluded.company,
                "place": insert.excluded.place,
                "url": insert.excluded.url,
            },
        )
        try:
            async with self._transaction() as db:
                existed = await db.execute(
                    select(favourites.c.user_id).where(
                        favourites.c.user_id == user_id,
                        favourites.c.offer_id == snapshot.offer_id,
                    )
                )
                is_new = existed.first() is None
                await db.execute(upsert)
        except IntegrityError as error:
            self._raise_unknown_user(error, user_id)
            raise
        return is_new

    async def list_favourites(self, user_id: int, limit: int | None = None) -> list[Favourite]:
        """The user's favourites, most recently saved first."""
        query = (
            select(*_FAVOURITE_COLUMNS)
            .where(favourites.c.user_id == user_id)
            .order_by(favourites.c.saved_at.desc(), favourites.c.offer_id)
        )
        rows = await self._fetchall(query if limit is None else query.limit(limit))
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
            select(favourites.c.user_id).where(
                favourites.c.user_id == user_id, favourites.c.offer_id == offer_id
            )
        )
        return row is not None

    async def remove_favourite(self, user_id: int, offer_id: str) -> bool:
        """Remove one of the user's own favourites; False if they had no such favourite."""
        async with self._transaction() as db:
            result = await db.execute(
                delete(favourites).where(
                    favourites.c.user_id == user_id, favourites.c.offer_id == offer_id
                )
            )
            return result.rowcount > 0
