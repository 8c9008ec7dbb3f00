"""The in-process test driver API of the emulator: users, conversations, waiting."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from sandbox.telegram.core import EmulatorCore
from sandbox.telegram.state import Chat, StoredMessage
from sandbox.telegram.user import GroupMember, SimulatedUser
from sandbox.telegram.views import BotMessage


class DriverApi(EmulatorCore):
    """What tests call on the emulator: create users, read conversations, wait."""

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "fr",
    ) -> SimulatedUser:
        """The simulated user with this id (created on first call; the chat exists from then)."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        sim = SimulatedUser(self, user_id, first_name, last_name, username, language_code)
        self._users[user_id] = sim
        self._chats[user_id] = Chat(sim)
        return sim

    def group_member(
        self,
        user_id: int,
        group_id: int,
        *,
        title: str = "Groupe",
        chat_type: str = "group",
    ) -> SimulatedUser:
        """User ``user_id`` (see ``user``) writing in the group ``group_id`` (negative, as in
        Telegram; created on first call, with this title and type "group" or "supergroup")."""
        if group_id >= 0:
            raise ValueError("group chat ids are negative")
        if chat_type not in ("group", "supergroup"):
            raise ValueError("chat_type must be 'group' or 'supergroup'")
        member = GroupMember(self.user(user_id), group_id, title, chat_type)
        self._chats.setdefault(group_id, Chat(member))
        return member

    def conversation(self, chat_id: int) -> list[StoredMessage]:
        """Every message of the chat (user's and bot's), current state, in order."""
        chat = self._chats.get(chat_id)
        return list(chat.messages.values()) if chat else []

    def messages_for(self, chat_id: int, *, include_deleted: bool = False) -> list[BotMessage]:
        """The bot's messages in this chat, in their current state."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [
            self._view(stored)
            for stored in chat.messages.values()
            if stored.from_bot and (include_deleted or not stored.deleted)
        ]

    def chat_actions(self, chat_id: int) -> list[str]:
        chat = self._chats.get(chat_id)
        return list(chat.actions) if chat else []

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    async def wait_until_polling(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once a getUpdates call is waiting on the server (the bot is polling)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._parked_polls == 0:
            event = self._polling_changed
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no getUpdates call within {timeout}s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - the driver's documented API
    ) -> None:
        """Wait until ``condition()`` holds; re-checked after every Bot API call the bot makes
        and every update a user sends. Raises AssertionError after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if not await self._wait_activity(deadline - loop.time()) and not condition():
                raise AssertionError(f"condition still false after {timeout}s")

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._updates)
