"""The ``ptb_*`` tables behind :class:`storage.persistence.SqlitePersistence`.

Values are JSON text, encoded and checked by ``SqlitePersistence``; these methods only move rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Table, delete, select

from storage.db import Database
from storage.schema import (
    ptb_bot_data,
    ptb_callback_data,
    ptb_chat_data,
    ptb_conversations,
    ptb_user_data,
)

# PTB's name for each kind of data → (table, key column).
_TABLES: dict[str, tuple[Table, Column[Any]]] = {
    "user_data": (ptb_user_data, ptb_user_data.c.user_id),
    "chat_data": (ptb_chat_data, ptb_chat_data.c.chat_id),
    "bot_data": (ptb_bot_data, ptb_bot_data.c.id),
    "callback_data": (ptb_callback_data, ptb_callback_data.c.id),
}


class PtbTablesRepository(Database):
    """Load and store python-telegram-bot persistence rows."""

    async def ptb_load(self, table: str) -> list[Any]:
        """Every ``(key, data)`` row of one kind of data."""
        rows_table, key = _TABLES[table]
        return await self._fetchall(select(key, rows_table.c.data))

    async def ptb_load_conversations(self, name: str) -> list[Any]:
        c = ptb_conversations.c
        return await self._fetchall(select(c.key, c.state).where(c.name == name))

    async def ptb_store(self, table: str, key: int, data: str | None) -> None:
        """Upsert (or delete when ``data`` is None) one persistence row."""
        rows_table, key_column = _TABLES[table]
        async with self._transaction() as db:
            if data is None:
                await db.execute(delete(rows_table).where(key_column == key))
            else:
                insert = self._insert(rows_table).values({key_column.name: key, "data": data})
                await db.execute(
                    insert.on_conflict_do_update(
                        index_elements=[key_column], set_={"data": insert.excluded.data}
                    )
                )

    async def ptb_store_conversation(self, name: str, key: str, state: str | None) -> None:
        c = ptb_conversations.c
        async with self._transaction() as db:
            if state is None:
                await db.execute(delete(ptb_conversations).where(c.name == name, c.key == key))
            else:
                insert = self._insert(ptb_conversations).values(name=name, key=key, state=state)
                await db.execute(
                    insert.on_conflict_do_update(
                        index_elements=[c.name, c.key], set_={"state": insert.excluded.state}
                    )
                )
