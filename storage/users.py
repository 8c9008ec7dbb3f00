"""The ``users`` table: who talks to the bot, their private chat, whether they blocked it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

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
from storage.rows import _dumps, _user_from_row


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
        async with self._transaction() as db:
            rows = await db.execute_fetchall(
                "INSERT INTO users (user_id, chat_id, first_name, language, created_at,"
                " last_seen_at, blocked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)"
                " ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id,"
                " first_name = excluded.first_name, language = excluded.language,"
                " last_seen_at = excluded.last_seen_at, blocked_at = NULL"
                " RETURNING user_id, chat_id, first_name, language, created_at, last_seen_at,"
                " blocked_at",
                (user_id, chat_id, first_name, language, stamp, stamp),
            )
        return _user_from_row(next(iter(rows)))

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
            cursor = await db.execute(
                "UPDATE users SET first_name = ?, language = ?, last_seen_at = ?,"
                " blocked_at = NULL WHERE user_id = ?",
                (first_name, language, stamp, user_id),
            )
            return cursor.rowcount > 0

    async def get_user(self, user_id: int) -> User | None:
        row = await self._fetchone(
            "SELECT user_id, chat_id, first_name, language, created_at, last_seen_at, blocked_at"
            " FROM users WHERE user_id = ?",
            (user_id,),
        )
        return _user_from_row(row) if row else None

    async def get_users(self, user_ids: Iterable[int]) -> dict[int, User]:
        """Users by id, in one query (missing ids are absent from the result)."""
        ids = [require_user_id(uid) for uid in user_ids]
        rows = await self._fetchall(
            "SELECT user_id, chat_id, first_name, language, created_at, last_seen_at, blocked_at"
            " FROM users WHERE user_id IN (SELECT value FROM json_each(?))",
            (_dumps(ids),),
        )
        return {row[0]: _user_from_row(row) for row in rows}

    async def mark_blocked(self, user_id: int, *, at: datetime | None = None) -> bool:
        """The user blocked the bot (Telegram 403): no more alerts until they write again."""
        stamp = to_epoch("at", at or _now())
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE users SET blocked_at = ? WHERE user_id = ? AND blocked_at IS NULL",
                (stamp, user_id),
            )
            return cursor.rowcount > 0
