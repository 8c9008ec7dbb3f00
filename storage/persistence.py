"""python-telegram-bot persistence in the bot's database (SQLite or PostgreSQL).

Values are stored as JSON, never pickled: a pickle in the database would execute code on load
and break on any refactor of the pickled classes. Consequently everything the bot keeps in
``context.user_data`` / ``chat_data`` / ``bot_data`` (when persisted) and every conversation
state must be JSON data: ``None``, ``bool``, ``int``, ``float`` (finite), ``str``, ``list`` and
``dict`` with ``str`` keys. Anything else (a tuple, a set, an int dict key, a dataclass…) makes
the update raise :class:`PersistenceSerializationError` naming the path of the offending value;
PTB hands that error to the application's error handlers. Nothing is silently converted.

``bot_data`` is **not** persisted by default: the bot keeps its runtime services there
(``bot_data["services"]``: connections, clients), which must neither be serialised nor
deep-copied by PTB's persistence loop. Pass ``store_data=PersistenceInput()`` to persist it.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
from collections.abc import Mapping
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from storage.facade import Storage

DEFAULT_STORE_DATA = PersistenceInput(bot_data=False)


class PersistenceSerializationError(TypeError):
    """A value handed to the persistence is not plain JSON data."""


def _check_json(value: Any, path: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PersistenceSerializationError(f"{path}: {value!r} is not a finite number")
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise PersistenceSerializationError(
                    f"{path}: dict key {key!r} is a {type(key).__name__}; only str keys can be "
                    "stored (JSON)"
                )
            _check_json(item, f"{path}[{key!r}]")
        return
    raise PersistenceSerializationError(
        f"{path}: a {type(value).__name__} cannot be persisted; store only JSON data "
        "(None, bool, int, float, str, list, dict with str keys)"
    )


def to_json_text(value: Any, path: str) -> str:
    """Strict JSON encoding: refuses what JSON would silently change (tuples, int keys…)."""
    _check_json(value, path)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def conversation_key_text(key: ConversationKey) -> str:
    """Canonical JSON text for a conversation key (a tuple of ints and/or strs)."""
    if not isinstance(key, tuple):
        raise PersistenceSerializationError(f"conversation key {key!r} is not a tuple")
    return to_json_text(list(key), "conversation key")


class SqlitePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """A :class:`telegram.ext.BasePersistence` backed by the bot's database.

    The name is historical: it works on both backends. ``storage_or_path``: an open
    :class:`Storage` shared with the bot, or what ``Storage.open`` takes (a SQLite path or a
    ``postgresql://`` URL). Given a location, the persistence opens its own connection on PTB's
    first call (``Application.initialize``), so it works however the application is started,
    and closes it in :meth:`flush` (``Application.shutdown``). On SQLite the two connections
    coexist thanks to WAL and the busy timeout.

    Writes go to the database as soon as PTB hands them over (every ``update_interval``
    seconds and at shutdown), each in its own short transaction.
    """

    def __init__(
        self,
        storage_or_path: Storage | str | os.PathLike[str],
        *,
        store_data: PersistenceInput | None = None,
        update_interval: float = 60,
    ) -> None:
        super().__init__(
            store_data=store_data or DEFAULT_STORE_DATA, update_interval=update_interval
        )
        if isinstance(storage_or_path, Storage):
            self._storage: Storage | None = storage_or_path
            self._path: str | None = None
        else:
            self._storage = None
            self._path = os.fspath(storage_or_path)
        self._open_lock = asyncio.Lock()

    async def _db(self) -> Storage:
        if self._storage is not None and not self._storage.closed:
            return self._storage
        if self._path is None:
            raise RuntimeError("the Storage given to SqlitePersistence is closed")
        async with self._open_lock:
            if self._storage is None or self._storage.closed:
                self._storage = await Storage.open(self._path)
        return self._storage

    # -------------------------------------------------------------- loading (initialize)

    async def _load_map(self, table: str) -> dict[int, dict[str, Any]]:
        storage = await self._db()
        return {row[0]: json.loads(row[1]) for row in await storage.ptb_load(table)}

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        return await self._load_map("user_data")

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return await self._load_map("chat_data")

    async def get_bot_data(self) -> dict[str, Any]:
        rows = await (await self._db()).ptb_load("bot_data")
        return json.loads(rows[0][1]) if rows else {}

    async def get_callback_data(self) -> CDCData | None:
        rows = await (await self._db()).ptb_load("callback_data")
        if not rows:
            return None
        entries, mapping = json.loads(rows[0][1])
        return [(uuid, timestamp, data) for uuid, timestamp, data in entries], mapping

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await (await self._db()).ptb_load_conversations(name)
        return {tuple(json.loads(key)): json.loads(state) for key, state in rows}

    # -------------------------------------------------------------- writing

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        key_text = conversation_key_text(key)
        state = None if new_state is None else to_json_text(new_state, f"conversation {name!r}")
        await (await self._db()).ptb_store_conversation(name, key_text, state)

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        # PTB flushes an empty dict for every user it saw: no row is the same and stores
        # nothing about people who never used the bot.
        text = to_json_text(_plain(data), f"user_data[{user_id}]") if data else None
        await (await self._db()).ptb_store("user_data", user_id, text)

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        text = to_json_text(_plain(data), f"chat_data[{chat_id}]") if data else None
        await (await self._db()).ptb_store("chat_data", chat_id, text)

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        text = to_json_text(_plain(data), "bot_data")
        await (await self._db()).ptb_store("bot_data", 1, text)

    async def update_callback_data(self, data: CDCData) -> None:
        entries, mapping = data
        text = to_json_text(
            [[[uuid, timestamp, payload] for uuid, timestamp, payload in entries], dict(mapping)],
            "callback_data",
        )
        await (await self._db()).ptb_store("callback_data", 1, text)

    async def drop_user_data(self, user_id: int) -> None:
        await (await self._db()).ptb_store("user_data", user_id, None)

    async def drop_chat_data(self, chat_id: int) -> None:
        await (await self._db()).ptb_store("chat_data", chat_id, None)

    # The database is only written by this process's Application: the in-memory copy is
    # always the newest, so there is nothing to refresh.
    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def flush(self) -> None:
        """Every write is already committed; close the connection if we opened it."""
        if self._path is not None and self._storage is not None:
            storage, self._storage = self._storage, None
            await storage.close()


def _plain(data: Mapping[str, Any]) -> Any:
    """PTB may hand a defaultdict or another Mapping: store it as a plain dict."""
    if isinstance(data, Mapping) and type(data) is not dict:
        return dict(data)
    return data
