"""The simulated Telegram user tests drive: ``send``, ``press``, ``replies``, ``wait_reply``."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import TYPE_CHECKING, Any

from sandbox.telegram.html_entities import detect_entities, utf16_len
from sandbox.telegram.state import CallbackQuery, Chat, StoredMessage
from sandbox.telegram.views import BotMessage, CallbackAnswer

if TYPE_CHECKING:
    from sandbox.telegram.server import TelegramEmulator


class SimulatedUser:
    """A Telegram user talking to the bot in a private chat (the test driver)."""

    def __init__(
        self,
        emulator: TelegramEmulator,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        self.emulator = emulator
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.blocked = False
        self.callback_answers: list[CallbackAnswer] = []
        self._cursor = 0  # index in the chat's events already returned by replies()

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def _chat(self) -> Chat:
        return self.emulator._chats[self.id]

    def as_user_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def as_chat_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data

    # ----------------------------------------------------------------- acting

    async def send(self, text: str) -> dict[str, Any]:
        """Send a text message to the bot (commands get their ``bot_command`` entity)."""
        if not text or not text.strip():
            raise ValueError("Telegram clients do not send empty messages")
        if utf16_len(text) > 4096:
            raise ValueError("Telegram clients split messages over 4096 characters")
        self._restart_if_blocked()
        extra: dict[str, Any] = {"text": text}
        entities = detect_entities(text)
        if entities:
            extra["entities"] = list(entities)
        return self._send_message(extra)

    async def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        self._restart_if_blocked()
        return self._send_message({"location": {"latitude": latitude, "longitude": longitude}})

    def _send_message(self, extra: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat
        data = self.emulator._new_message(chat, from_bot=False, extra=extra)
        chat.messages[data["message_id"]] = StoredMessage(data=data, from_bot=False)
        self.emulator._enqueue_update("message", data)
        return data

    async def press(self, label: str, *, message_id: int | None = None) -> str:
        """Press an inline button (by text, else callback_data) on the latest keyboard.

        Falls back to the current reply keyboard, where pressing a button sends its text.
        Returns the callback query id (or "" for a reply keyboard button).
        """
        chat = self._chat
        candidates = [
            stored
            for stored in reversed(chat.messages.values())
            if stored.from_bot and not stored.deleted and stored.data.get("reply_markup")
        ]
        if message_id is not None:
            candidates = [s for s in candidates if s.message_id == message_id]
            if not candidates:
                raise AssertionError(f"message {message_id} has no inline keyboard")
        if candidates:
            stored = candidates[0]
            rows = stored.data["reply_markup"]["inline_keyboard"]
            buttons = [b for row in rows for b in row]
            match = next((b for b in buttons if b["text"] == label), None) or next(
                (b for b in buttons if b.get("callback_data") == label), None
            )
            if match is not None:
                if "callback_data" not in match:
                    raise AssertionError(f"button {label!r} is not a callback button: {match}")
                return await self.press_callback(stored.message_id, match["callback_data"])
        keyboard = self._current_reply_keyboard() if message_id is None else None
        if keyboard:
            for row in keyboard:
                for button in row:
                    if button["text"] == label:
                        if button.get("request_location"):
                            raise AssertionError(
                                f"{label!r} requests a location: use send_location(lat, lon)"
                            )
                        await self.send(label)
                        return ""
        available = [
            [(b["text"], b.get("callback_data") or b.get("url")) for b in row]
            for row in (candidates[0].data["reply_markup"]["inline_keyboard"] if candidates else [])
        ]
        reply_texts = [[b["text"] for b in row] for row in keyboard or ()]
        raise AssertionError(
            f"no button {label!r}; inline keyboard of the latest message: {available or 'none'}; "
            f"reply keyboard: {reply_texts or 'none'}"
        )

    def _current_reply_keyboard(self) -> tuple[tuple[dict[str, Any], ...], ...] | None:
        for stored in reversed(self._chat.messages.values()):
            if stored.from_bot and stored.remove_keyboard:
                return None
            if stored.from_bot and stored.reply_keyboard:
                return stored.reply_keyboard
        return None

    async def press_callback(self, message_id: int, callback_data: str) -> str:
        """Send a callback query for ``callback_data`` on ``message_id`` (no lookup)."""
        self._restart_if_blocked()
        stored = self._chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise AssertionError(f"message {message_id} does not exist in chat {self.id}")
        query_id = str(secrets.randbits(63))
        emulator = self.emulator
        emulator._callback_queries[query_id] = CallbackQuery(query_id, self.id, emulator._clock())
        emulator._enqueue_update(
            "callback_query",
            {
                "id": query_id,
                "from": self.as_user_dict(),
                "message": json.loads(json.dumps(stored.data)),
                "chat_instance": str(self.id * 7919 + emulator.bot_id),
                "data": callback_data,
            },
        )
        return query_id

    def block_bot(self) -> None:
        """Block the bot: sends to this chat now fail with 403; the bot gets my_chat_member."""
        if not self.blocked:
            self.blocked = True
            self._member_update("member", "kicked")

    def unblock_bot(self) -> None:
        if self.blocked:
            self.blocked = False
            self._member_update("kicked", "member")

    def _restart_if_blocked(self) -> None:
        # Writing to a blocked bot requires "Restart" in Telegram clients, which unblocks it.
        if self.blocked:
            self.unblock_bot()

    def _member_update(self, old: str, new: str) -> None:
        emulator = self.emulator

        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"user": emulator.bot_user, "status": status}
            if status == "kicked":
                data["until_date"] = 0
            return data

        emulator._enqueue_update(
            "my_chat_member",
            {
                "chat": self.as_chat_dict(),
                "from": self.as_user_dict(),
                "date": int(time.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    # ----------------------------------------------------------------- observing

    @property
    def last_callback_answer(self) -> CallbackAnswer | None:
        return self.callback_answers[-1] if self.callback_answers else None

    @property
    def last_message(self) -> BotMessage | None:
        """The bot's latest message in this chat, current state."""
        messages = self.emulator.messages_for(self.chat_id)
        return messages[-1] if messages else None

    def all_replies(self) -> list[BotMessage]:
        """Every send/edit event of the bot in this chat so far."""
        return list(self._chat.events)

    async def events_after(
        self,
        index: int,
        timeout: float,  # noqa: ASYNC109 - the driver's documented API
        *,
        answer_index: int | None = None,
    ) -> list[BotMessage]:
        """Events from position ``index``; waits up to ``timeout`` for the first one.

        With ``answer_index``, a new callback answer from that position also ends the wait.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        def nothing_new() -> bool:
            no_answer = answer_index is None or len(self.callback_answers) <= answer_index
            return len(self._chat.events) <= index and no_answer

        while nothing_new() and not self.emulator._closing:
            if not await self.emulator._wait_activity(deadline - loop.time()):
                break
        return self._chat.events[index:]

    async def replies(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - the driver's documented API
        count: int | None = None,
        quiet: float = 0.3,
    ) -> list[BotMessage]:
        """Bot messages sent or edited in this chat since the last call.

        Waits until ``count`` (default: one) arrived, then until the bot has been quiet for
        ``quiet`` seconds, all bounded by ``timeout``. With ``count=None`` it may return an
        empty list (the bot said nothing within ``timeout``); with a ``count`` it raises
        ``AssertionError`` if fewer arrived.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        wanted = count if count is not None else 1
        events = self._chat.events
        while len(events) - self._cursor < wanted:
            if not await self.emulator._wait_activity(deadline - loop.time()):
                break
        if len(events) - self._cursor >= wanted:
            while True:
                seen = len(events)
                quiet_for = min(quiet, deadline - loop.time())
                if quiet_for <= 0 or not await self.emulator._wait_activity(quiet_for):
                    break
                if len(events) == seen:
                    continue  # activity that is not a message (an answer, a deletion)
        new = events[self._cursor :]
        self._cursor = len(events)
        if count is not None and len(new) < count:
            raise AssertionError(
                f"expected {count} bot message(s) within {timeout}s, got {len(new)}: "
                f"{[m.text for m in new]}"
            )
        return new

    async def wait_reply(self, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109 - the driver's documented API
        """The next bot message or edit (returns as soon as one arrives)."""
        messages = await self.replies(timeout=timeout, count=1, quiet=0)
        if len(messages) > 1:
            # Keep the others for the next call.
            self._cursor -= len(messages) - 1
        return messages[0]

    async def wait_callback_answer(self, timeout: float = 5.0) -> CallbackAnswer:  # noqa: ASYNC109 - the driver's documented API
        """Wait for the bot to answer the latest callback query."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        pending = [q for q in self.emulator._callback_queries.values() if q.user_id == self.id]
        while pending and not pending[-1].answered:
            if not await self.emulator._wait_activity(deadline - loop.time()):
                raise AssertionError(f"the bot did not answer the callback query in {timeout}s")
        if not self.callback_answers:
            raise AssertionError("no callback query was answered")
        return self.callback_answers[-1]


class GroupMember(SimulatedUser):
    """The same person writing in a group or supergroup the bot is a member of.

    Shares the person's id and callback answers; ``send``/``press``/``replies`` act on the
    group chat, whose messages (from every member) come in order.
    """

    def __init__(self, person: SimulatedUser, group_id: int, title: str, chat_type: str) -> None:
        super().__init__(
            person.emulator,
            person.id,
            person.first_name,
            person.last_name,
            person.username,
            person.language_code,
        )
        self.callback_answers = person.callback_answers
        self.group_id = group_id
        self.title = title
        self.chat_type = chat_type

    @property
    def chat_id(self) -> int:
        return self.group_id

    @property
    def _chat(self) -> Chat:
        return self.emulator._chats[self.group_id]

    def as_chat_dict(self) -> dict[str, Any]:
        return {"id": self.group_id, "type": self.chat_type, "title": self.title}

    def _send_message(self, extra: dict[str, Any]) -> dict[str, Any]:
        # The chat's first member is not necessarily the sender.
        return super()._send_message({"from": self.as_user_dict(), **extra})
