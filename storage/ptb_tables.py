"""The ``ptb_*`` tables behind :class:`storage.persistence.SqlitePersistence`.

Values are JSON text, encoded and checked by ``SqlitePersistence``; these methods only move rows.
"""

from __future__ import annotations

from typing import Any

from storage.db import Database


class PtbTablesRepository(Database):
    """Load and store python-telegram-bot persistence rows."""

    async def ptb_load(self, table: str) -> list[Any]:
        sql = {
            "user_data": "SELECT user_id, data FROM ptb_user_data",
            "chat_data": "SELECT chat_id, data FROM ptb_chat_data",
            "bot_data": "SELECT id, data FROM ptb_bot_data",
            "callback_data": "SELECT id, data FROM ptb_callback_data",
        }[table]
        return await self._fetchall(sql)

    async def ptb_load_conversations(self, name: str) -> list[Any]:
        return await self._fetchall(
            "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
        )

    async def ptb_store(self, table: str, key: int, data: str | None) -> None:
        """Upsert (or delete when ``data`` is None) one persistence row."""
        table_name, column = {
            "user_data": ("ptb_user_data", "user_id"),
            "chat_data": ("ptb_chat_data", "chat_id"),
            "bot_data": ("ptb_bot_data", "id"),
            "callback_data": ("ptb_callback_data", "id"),
        }[table]
        async with self._transaction() as db:
            if data is None:
                await db.execute(
                    f"DELETE FROM {table_name} WHERE {column} = ?",  # noqa: S608
                    (key,),
                )
            else:
                await db.execute(
                    f"INSERT INTO {table_name} ({column}, data) VALUES (?, ?)"  # noqa: S608
                    f" ON CONFLICT ({column}) DO UPDATE SET data = excluded.data",
                    (key, data),
                )

    async def ptb_store_conversation(self, name: str, key: str, state: str | None) -> None:
        async with self._transaction() as db:
            if state is None:
                await db.execute(
                    "DELETE FROM ptb_conversations WHERE name = ? AND key = ?", (name, key)
                )
            else:
                await db.execute(
                    "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?)"
                    " ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
                    (name, key, state),
                )
