"""The ``users`` table: who talks to the bot, their private chat, whether they blocked it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, select, update

from storage.clock import _now
from storage.db import Database
from storage.models import (
    MAX_LANGUAGE_LENGTH,
    MAX_NAME_LENGTH,
    User,
    require_optional_text,
    require_user_id,
    to_epoch,
)
from storage.rows import _user_from_row
from storage.schema import users

USER_COLUMNS = (
    users.c.user_id,
    users.c.chat_id,
    users.c.first_name,
    users.c.language,
    users.c.created_at,
    users.c.last_seen_at,
    users.c.blocked_at,
)


_USER_BY_ID = select(*USER_COLUMNS).where(users.c.user_id == bindparam("user_id"))
_USERS_BY_IDS = select(*USER_COLUMNS).where(users.c.user_id.in_(bindparam("ids", expanding=True)))
# Runs on every private update: built once, with bind parameters.
_TOUCH_USER = (
    update(users)
    .where(users.c.user_id == bindparam("b_user_id"))
    .values(
        first_name=bindparam("b_first_name"),
        language=bindparam("b_language"),
        last_seen_at=bindparam("b_last_seen_at"),
        blocked_at=None,
    )
)


class UserRepository(Database):
    """Create, read and mark blocked the rows of ``users``."""

    async def upsert_user(
        self,
        user_id: int,
        chat_id: int,
        first_name: str | None = None,
        language: str | None = None,
        *,
        at: datetime | None = None,
    ) -> User:
        """Create or refresh a user who starts using the bot; clears ``blocked_at``.

        ``chat_id`` is the person's private chat (alerts go there; never a group's id). A user
        who writes to the bot has (by definition) unblocked it, so alerts resume.
        """
        require_user_id(user_id)
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise TypeError("chat_id must be an int")
        # Telegram's own data: a blank name must not stop the bot from recording the user.
        require_optional_text("first_name", first_name, MAX_NAME_LENGTH, allow_empty=True)
        require_optional_text("language", language, MAX_LANGUAGE_LENGTH, allow_empty=True)
        stamp = to_epoch("at", at or _now())
        insert = self._insert(users).values(
            user_id=user_id,
            chat_id=chat_id,
            first_name=first_name,
            language=language,
            created_at=stamp,
            last_seen_at=stamp,
            blocked_at=None,
        )
        statement = insert.on_conflict_do_update(
            index_elements=[users.c.user_id],
            set_={
                "chat_id": insert.excluded.chat_id,
                "first_name": insert.excluded.first_name,
                "language": insert.excluded.language,
                "last_seen_at": insert.excluded.last_seen_at,
                "blocked_at": None,
            },
        ).returning(*USER_COLUMNS)
        async with self._transaction() as db:
            row = (await db.execute(statement)).one()
        return _user_from_row(row)

    async def touch_user(
        self,
        user_id: int,
        first_name: str | None = None,
        language: str | None = None,
        *,
        at: datetime | None = None,
    ) -> bool:
        """Refresh a user who already has a row (never creates one); clears ``blocked_at``.

        Called on every private update: a person who only writes to the bot, without
        starting to use it, leaves nothing stored. Returns whether a row was refreshed.
        """
        require_user_id(user_id)
        require_optional_text("first_name", first_name, MAX_NAME_LENGTH, allow_empty=True)
        require_optional_text("language", language, MAX_LANGUAGE_LENGTH, allow_empty=True)
        stamp = to_epoch("at", at or _now())
        async with self._transaction() as db:
            result = await db.execute(
                _TOUCH_USER,
                {
                    "b_user_id": user_id,
                    "b_first_name": first_name,
                    "b_language": language,
                    "b_last_seen_at": stamp,
                },
            )
            return result.rowcount > 0

    async def get_user(self, user_id: int) -> User | None:
        row = await self._fetchone(_USER_BY_ID, {"user_id": user_id})
        return _user_from_row(row) if row else None

    async def get_users(self, user_ids: Iterable[int]) -> dict[int, User]:
        """Users by id (missing ids are absent from the result)."""
        ids = [require_user_id(uid) for uid in user_ids]
        found: dict[int, User] = {}
        for part in self._in_chunks(ids):
            rows = await self._fetchall(_USERS_BY_IDS, {"ids": list(part)})
            found.update((row[0], _user_from_row(row)) for row in rows)
        return found

    async def mark_blocked(self, user_id: int, *, at: datetime | None = None) -> bool:
        """The user blocked the bot (Telegram 403): no more alerts until they write again."""
        stamp = to_epoch("at", at or _now())
        async with self._transaction() as db:
            result = await db.execute(
                update(users)
                .where(users.c.user_id == user_id, users.c.blocked_at.is_(None))
                .values(blocked_at=stamp)
            )
            return result.rowcount > 0
