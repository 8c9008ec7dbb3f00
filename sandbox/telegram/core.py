"""The emulator's state and the plumbing every part of it shares.

``EmulatorCore`` owns the users, chats, files and pending updates, the activity events that
wake waiting tests and long polls, and the path every bot send takes (chat lookup, rate
limits, storage). The Bot API methods, the update delivery, the test driver and the control
API are mixins over it, assembled into ``TelegramEmulator`` in ``server``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.telegram.errors import TelegramApiError, bad_request
from sandbox.telegram.limits import TelegramLimits, TelegramStats, TokenBucket
from sandbox.telegram.params import Params
from sandbox.telegram.state import CallbackQuery, Chat, StoredFile, StoredMessage
from sandbox.telegram.views import BotMessage, Button

if TYPE_CHECKING:
    from sandbox.telegram.user import SimulatedUser


# Update types delivered when allowed_updates is unset or empty (Telegram's default).
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
    }
)


class EmulatorCore:
    """State, activity events and the common send path of the emulator."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",  # noqa: S107 - the emulator's well-known test token
        bot_username: str = "ft_job_bot",
        *,
        bot_first_name: str = "FT Job Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        limits: TelegramLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        bot_id_part = token.split(":", 1)[0]
        self.token = token
        self.bot_id = int(bot_id_part) if bot_id_part.isdigit() else 1
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.host = host
        self.port = port
        self.limits = limits or TelegramLimits()
        self.stats = TelegramStats()
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] = {}
        # (field, language_code) -> text set by setMyDescription/setMyShortDescription/setMyName
        self.descriptions: dict[tuple[str, str], str] = {}
        self._clock = clock
        self._users: dict[int, SimulatedUser] = {}
        self._chats: dict[int, Chat] = {}
        self._files: dict[str, StoredFile] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = secrets.randbelow(100_000) + 1
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._callback_queries: dict[str, CallbackQuery] = {}
        self._global_bucket = TokenBucket()
        self._paid_bucket = TokenBucket()  # sends with allow_paid_broadcast
        self._updates_event = asyncio.Event()
        self._activity_event = asyncio.Event()
        self._poll_generation = 0
        self._parked_polls = 0  # getUpdates calls currently running (long polls)
        self._polling_changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._file_counter = itertools.count(1)
        # The mixins' ``_api_<method>`` handlers, by lowercased Bot API method name.
        self._methods: dict[str, Callable[[Params], Any]] = {
            name[len("_api_") :].lower(): getattr(self, name)
            for name in dir(self)
            if name.startswith("_api_")
        }

    @property
    def closed(self) -> bool:
        return self._closing

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends the token and the method."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ----------------------------------------------------------------- events

    def _notify_activity(self) -> None:
        self._activity_event.set()
        self._activity_event = asyncio.Event()

    def _wake_pollers(self) -> None:
        self._updates_event.set()
        self._updates_event = asyncio.Event()

    async def _wait_activity(self, timeout: float) -> bool:  # noqa: ASYNC109 - remaining-time helper
        """Wait until the bot does something (send, edit, answer) or ``timeout`` passes."""
        if timeout <= 0:
            return False
        event = self._activity_event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def _record_event(self, chat: Chat, stored: StoredMessage, *, edited: bool) -> None:
        chat.events.append(self._view(stored, edited=edited))
        self._notify_activity()

    def _view(self, stored: StoredMessage, *, edited: bool | None = None) -> BotMessage:
        data = stored.data
        markup = data.get("reply_markup") or {}
        buttons = tuple(
            tuple(Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row)
            for row in markup.get("inline_keyboard", ())
        )
        kind = "text"
        photo = document = None
        if "photo" in data:
            kind, photo = "photo", stored.file.data if stored.file else None
        elif "document" in data:
            kind, document = "document", stored.file.data if stored.file else None
        elif "location" in data:
            kind = "location"
        location = (
            (data["location"]["latitude"], data["location"]["longitude"])
            if "location" in data
            else None
        )
        return BotMessage(
            chat_id=data["chat"]["id"],
            message_id=data["message_id"],
            text=data.get("text", data.get("caption", "")),
            html=stored.source if stored.parse_mode == "HTML" else None,
            entities=tuple(data.get("entities", data.get("caption_entities", ()))),
            buttons=buttons,
            reply_keyboard=stored.reply_keyboard,
            remove_keyboard=stored.remove_keyboard,
            edited="edit_date" in data if edited is None else edited,
            deleted=stored.deleted,
            kind=kind,
            photo=photo,
            document=document,
            file_name=stored.file.file_name if stored.file else None,
            location=location,
            parse_mode=stored.parse_mode,
            raw=json.loads(json.dumps(data)),
        )

    # ----------------------------------------------------------------- sending

    def _private_chat(self, params: Params, *, for_sending: bool = True) -> Chat:
        raw = params.string("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            chat_id = int(raw)
        except ValueError:
            raise bad_request("chat not found") from None
        chat = self._chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if for_sending and chat.user.blocked:
            raise TelegramApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _check_rate_limits(self, chat: Chat, *, paid_broadcast: bool = False) -> None:
        limits = self.limits
        if not limits.enabled:
            return
        now = self._clock()
        wait = chat.bucket.take(now, limits.per_chat_per_second, limits.per_chat_burst)
        if wait == 0:
            if paid_broadcast:
                global_wait = self._paid_bucket.take(
                    now, limits.paid_broadcast_per_second, limits.paid_broadcast_burst
                )
            else:
                global_wait = self._global_bucket.take(
                    now, limits.global_per_second, limits.global_burst
                )
            if global_wait:
                # Give back the chat token: the message is not sent.
                chat.bucket.tokens = (chat.bucket.tokens or 0.0) + 1.0
                wait = global_wait
        if wait:
            retry_after = max(1, math.ceil(wait))
            raise TelegramApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )

    def _new_message(self, chat: Chat, *, from_bot: bool, extra: dict[str, Any]) -> dict[str, Any]:
        user = chat.user
        data: dict[str, Any] = {
            "message_id": chat.next_message_id,
            "from": self.bot_user if from_bot else user.as_user_dict(),
            "chat": user.as_chat_dict(),
            "date": int(time.time()),
        }
        chat.next_message_id += 1
        data.update(extra)
        return data

    def _store_bot_message(
        self,
        chat: Chat,
        extra: dict[str, Any],
        *,
        source: str | None,
        parse_mode: str | None,
        reply_keyboard: tuple[tuple[dict[str, Any], ...], ...] | None,
        remove_keyboard: bool,
        file: StoredFile | None = None,
        paid_broadcast: bool = False,
    ) -> dict[str, Any]:
        self._check_rate_limits(chat, paid_broadcast=paid_broadcast)
        if file is not None:
            self._files[file.file_id] = file
        data = self._new_message(chat, from_bot=True, extra=extra)
        stored = StoredMessage(
            data=data,
            from_bot=True,
            source=source,
            parse_mode=parse_mode,
            reply_keyboard=reply_keyboard,
            remove_keyboard=remove_keyboard,
            file=file,
        )
        chat.messages[stored.message_id] = stored
        self.stats.messages_sent += 1
        if paid_broadcast:
            self.stats.paid_broadcast_messages += 1
        self.stats.send_times.append(self._clock())
        self._record_event(chat, stored, edited=False)
        return data
