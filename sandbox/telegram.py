"""A local emulator of the Telegram Bot API, for tests and the offline demo.

It serves ``/bot<token>/<method>`` on loopback closely enough that python-telegram-bot runs
against it unchanged (``ApplicationBuilder().base_url(tg.base_url)``), enforces Telegram's
limits (HTML entities, 4096 characters, 64-byte callback data, keyboards, 403 for a user who
blocked the bot, 429 with ``retry_after``), and keeps every conversation for inspection.

Tests drive simulated users in-process::

    async with TelegramEmulator(token="123456:TEST-TOKEN") as tg:
        user = tg.user(42, first_name="Léa", language_code="fr")
        await user.send("/start")
        reply = await user.wait_reply(timeout=5)
        await user.press("Oui")

Standalone: ``python -m sandbox.telegram --port 8081``; a small JSON control API under
``/_sandbox/<token>/`` lets ``python -m sandbox.console`` chat from another process.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import logging
import math
import secrets
import struct
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from sandbox.tg_html import (
    EntityParseError,
    FormattedText,
    detect_entities,
    merge_detected,
    parse_html,
    strip_formatted,
    utf16_len,
)

__all__ = [
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "SimulatedUser",
    "TelegramApiError",
    "TelegramEmulator",
    "TelegramLimits",
    "TelegramStats",
]

log = logging.getLogger(__name__)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
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


# --------------------------------------------------------------------------- configuration


@dataclass
class TelegramLimits:
    """Limits the emulator enforces; all on by default and changeable at run time.

    Sending methods (sendMessage, sendPhoto, sendDocument, sendLocation) draw from a global
    token bucket and a per-chat one. Telegram documents "about 30 messages per second" overall
    and "avoid more than one message per second in a chat" while tolerating short bursts in
    private chats, hence ``per_chat_burst``.
    """

    enabled: bool = True
    global_per_second: float = 30.0
    global_burst: int = 30
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 10
    max_text_length: int = 4096
    max_caption_length: int = 1024
    max_callback_data_bytes: int = 64
    max_callback_answer_length: int = 200
    max_inline_buttons: int = 100
    # After this many seconds a callback query can no longer be answered.
    callback_query_ttl: float = 15.0
    max_long_poll_timeout: float = 50.0


@dataclass
class TelegramStats:
    """Counters for tests and benchmarks."""

    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[tuple[str, int]] = field(default_factory=Counter)
    too_many_requests: int = 0
    messages_sent: int = 0
    # monotonic timestamps of accepted sends, for "max messages in any one-second window" checks
    send_times: list[float] = field(default_factory=list)

    def max_sends_in_window(self, seconds: float = 1.0) -> int:
        best = 0
        start = 0
        for end, stamp in enumerate(self.send_times):
            while stamp - self.send_times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    def reset(self) -> None:
        self.calls.clear()
        self.errors.clear()
        self.too_many_requests = 0
        self.messages_sent = 0
        self.send_times.clear()


class TelegramApiError(Exception):
    """An error answer: HTTP status, Telegram's description and optional retry_after."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad_request(detail: str) -> TelegramApiError:
    return TelegramApiError(400, f"Bad Request: {detail}")


class _TokenBucket:
    def __init__(self) -> None:
        self.tokens: float | None = None
        self.updated = 0.0

    def take(self, now: float, rate: float, capacity: int) -> float:
        """Take one token; return 0 on success or the seconds until one is available."""
        if self.tokens is None:
            self.tokens = float(capacity)
        else:
            self.tokens = min(float(capacity), self.tokens + (now - self.updated) * rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / rate if rate > 0 else math.inf


# --------------------------------------------------------------------------- driver-side views


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the bot sent it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class CallbackAnswer:
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent (or its new state after an edit), as the user sees it."""

    chat_id: int
    message_id: int
    text: str  # plain text (or caption), entities stripped
    html: str | None  # the text/caption exactly as sent, when parse_mode was HTML
    entities: tuple[dict[str, Any], ...] = ()
    buttons: tuple[tuple[Button, ...], ...] = ()
    reply_keyboard: tuple[tuple[dict[str, Any], ...], ...] | None = None
    remove_keyboard: bool = False
    edited: bool = False
    deleted: bool = False
    kind: str = "text"  # text | photo | document | location
    photo: bytes | None = None
    document: bytes | None = None
    file_name: str | None = None
    location: tuple[float, float] | None = None
    parse_mode: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    @property
    def reply_keyboard_texts(self) -> list[str]:
        if not self.reply_keyboard:
            return []
        return [button["text"] for row in self.reply_keyboard for button in row]

    def to_json(self) -> dict[str, Any]:
        """A JSON form for the control API (files base64-encoded)."""
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "text": self.text,
            "html": self.html,
            "entities": list(self.entities),
            "buttons": [
                [{"text": b.text, "callback_data": b.callback_data, "url": b.url} for b in row]
                for row in self.buttons
            ],
            "reply_keyboard": (
                [list(row) for row in self.reply_keyboard] if self.reply_keyboard else None
            ),
            "remove_keyboard": self.remove_keyboard,
            "edited": self.edited,
            "deleted": self.deleted,
            "kind": self.kind,
            "photo": base64.b64encode(self.photo).decode() if self.photo else None,
            "document": base64.b64encode(self.document).decode() if self.document else None,
            "file_name": self.file_name,
            "location": list(self.location) if self.location else None,
            "parse_mode": self.parse_mode,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BotMessage:
        return cls(
            chat_id=data["chat_id"],
            message_id=data["message_id"],
            text=data["text"],
            html=data.get("html"),
            entities=tuple(data.get("entities") or ()),
            buttons=tuple(
                tuple(Button(b["text"], b.get("callback_data"), b.get("url")) for b in row)
                for row in data.get("buttons") or ()
            ),
            reply_keyboard=(
                tuple(tuple(row) for row in data["reply_keyboard"])
                if data.get("reply_keyboard")
                else None
            ),
            remove_keyboard=bool(data.get("remove_keyboard")),
            edited=bool(data.get("edited")),
            deleted=bool(data.get("deleted")),
            kind=data.get("kind", "text"),
            photo=base64.b64decode(data["photo"]) if data.get("photo") else None,
            document=base64.b64decode(data["document"]) if data.get("document") else None,
            file_name=data.get("file_name"),
            location=tuple(data["location"]) if data.get("location") else None,  # type: ignore[arg-type]
            parse_mode=data.get("parse_mode"),
        )


# --------------------------------------------------------------------------- stored state


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class StoredMessage:
    """One message of a conversation; ``data`` is its current Bot API representation."""

    data: dict[str, Any]
    from_bot: bool
    source: str | None = None  # text/caption as sent, before entity parsing
    parse_mode: str | None = None
    reply_keyboard: tuple[tuple[dict[str, Any], ...], ...] | None = None
    remove_keyboard: bool = False
    file: StoredFile | None = None
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier versions

    @property
    def message_id(self) -> int:
        return self.data["message_id"]


@dataclass
class _Chat:
    user: SimulatedUser
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    events: list[BotMessage] = field(default_factory=list)  # bot sends and edits, in order
    actions: list[str] = field(default_factory=list)
    bucket: _TokenBucket = field(default_factory=_TokenBucket)


@dataclass
class _CallbackQuery:
    query_id: str
    user_id: int
    created: float
    answered: bool = False


class _Params:
    """Request parameters from a query string, a form, a multipart body or JSON.

    PTB sends strings as they are and every other value JSON-encoded, so values are decoded
    per use (``integer``, ``obj``...) rather than up front.
    """

    def __init__(self, values: dict[str, Any], files: dict[str, tuple[bytes, str | None]]):
        self.values = values
        self.files = files

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "") or name in self.files

    def string(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise _bad_request(f"invalid {name} specified") from None

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad_request(f"invalid {name} specified") from None

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"true", "1"}

    def obj(self, name: str, error: str | None = None) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise _bad_request(error or f"can't parse {name} JSON object") from None
        return value


# --------------------------------------------------------------------------- the emulator


class TelegramEmulator:
    """The Bot API server, its state, and the entry point of the test driver."""

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
        self._chats: dict[int, _Chat] = {}
        self._files: dict[str, StoredFile] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = secrets.randbelow(100_000) + 1
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._callback_queries: dict[str, _CallbackQuery] = {}
        self._global_bucket = _TokenBucket()
        self._updates_event = asyncio.Event()
        self._activity_event = asyncio.Event()
        self._poll_generation = 0
        self._parked_polls = 0  # getUpdates calls currently running (long polls)
        self._polling_changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._file_counter = itertools.count(1)
        self._methods: dict[str, Callable[[_Params], Any]] = {
            name[len("_api_") :].lower(): getattr(self, name)
            for name in dir(self)
            if name.startswith("_api_")
        }

    # ----------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> TelegramEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/_sandbox/{token}/{path:.*}", self._handle_control)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server  # aiohttp keeps the listening sockets there
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        self._closing = True
        self._wake_pollers()
        self._notify_activity()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

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

    # ----------------------------------------------------------------- driver API

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
        self._chats[user_id] = _Chat(sim)
        return sim

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

    def _enqueue_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        if kind not in self._allowed_updates:
            return None
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._wake_pollers()
        self._notify_activity()
        if self.webhook.get("url"):
            self._spawn_webhook_delivery()
        return update

    def _record_event(self, chat: _Chat, stored: StoredMessage, *, edited: bool) -> None:
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

    # ----------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method_name = request.match_info["method"].lower()
        handler = self._methods.get(method_name)
        self.stats.calls[method_name] += 1
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        try:
            params = await self._read_params(request)
            result = await handler(params)
        except TelegramApiError as error:
            self.stats.errors[(method_name, error.code)] += 1
            if error.code == 429:
                self.stats.too_many_requests += 1
            return web.json_response(error.payload(), status=error.code)
        finally:
            self._notify_activity()  # wakes wait_until() whatever the call changed
        return web.json_response({"ok": True, "result": result})

    async def _read_params(self, request: web.Request) -> _Params:
        values: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[bytes, str | None]] = {}
        if request.method == "POST" and request.can_read_body:
            content_type = request.content_type
            if content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise _bad_request("can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise _bad_request("JSON object expected")
                values.update(body)
            elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = (value.file.read(), value.filename)
                    else:
                        values[key] = value
        return _Params(values, files)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(
                    body=stored.data, content_type=stored.mime_type or "application/octet-stream"
                )
        return web.Response(status=404, text="Not Found")

    # ----------------------------------------------------------------- helpers

    def _private_chat(self, params: _Params, *, for_sending: bool = True) -> _Chat:
        raw = params.string("chat_id")
        if raw is None or raw == "":
            raise _bad_request("chat_id is empty")
        try:
            chat_id = int(raw)
        except ValueError:
            raise _bad_request("chat not found") from None
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _bad_request("chat not found")
        if for_sending and chat.user.blocked:
            raise TelegramApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _check_rate_limits(self, chat: _Chat) -> None:
        limits = self.limits
        if not limits.enabled:
            return
        now = self._clock()
        wait = chat.bucket.take(now, limits.per_chat_per_second, limits.per_chat_burst)
        if wait == 0:
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

    def _format(
        self, text: str | None, parse_mode: str | None, entities: Any, *, caption: bool
    ) -> FormattedText:
        """Parse text/caption per parse_mode and apply Telegram's length limits."""
        text = text or ""
        mode = (parse_mode or "").strip()
        if mode.lower() == "html":
            try:
                formatted = parse_html(text)
            except EntityParseError as error:
                raise _bad_request(f"can't parse entities: {error}") from None
        elif mode:
            # MarkdownV2/Markdown are real Telegram modes the emulator does not implement;
            # refuse loudly rather than accept unvalidated text.
            raise _bad_request(f"unsupported parse_mode {mode!r} (the emulator implements HTML)")
        else:
            given = entities if isinstance(entities, list) else ()
            formatted = FormattedText(text, tuple(_valid_entities(given, text)))
        formatted = strip_formatted(formatted)
        limit = self.limits.max_caption_length if caption else self.limits.max_text_length
        if not caption and not formatted.text:
            raise _bad_request("message text is empty")
        if utf16_len(formatted.text) > limit:
            raise _bad_request("message caption is too long" if caption else "message is too long")
        return FormattedText(formatted.text, merge_detected(formatted.text, formatted.entities))

    def _reply_markup(
        self, params: _Params
    ) -> tuple[dict[str, Any] | None, tuple[tuple[dict[str, Any], ...], ...] | None, bool]:
        """Validate reply_markup: (inline markup, reply keyboard rows, remove keyboard)."""
        markup = params.obj("reply_markup", "can't parse reply keyboard markup JSON object")
        if markup is None:
            return None, None, False
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            return self._inline_keyboard(markup["inline_keyboard"]), None, False
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad_request(
                    'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
                )
            keyboard: list[tuple[dict[str, Any], ...]] = []
            for row in rows:
                buttons = []
                for button in row:
                    if isinstance(button, str):
                        button = {"text": button}
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise _bad_request(
                            "can't parse keyboard button: KeyboardButton must be a String or "
                            "an Object"
                        )
                    buttons.append(button)
                keyboard.append(tuple(buttons))
            return None, tuple(keyboard), False
        if markup.get("remove_keyboard"):
            return None, None, True
        if markup.get("force_reply"):
            return None, None, False
        raise _bad_request("can't parse reply keyboard markup JSON object")

    def _inline_keyboard(self, rows: Any) -> dict[str, Any]:
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        count = 0
        for row in rows:
            for button in row:
                count += 1
                if not isinstance(button, dict):
                    raise _bad_request(
                        "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                    )
                text = button.get("text")
                if not isinstance(text, str):
                    raise _bad_request(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if not text.strip():
                    raise _bad_request("BUTTON_TEXT_INVALID")
                actions = [key for key in INLINE_BUTTON_ACTIONS if key in button]
                if not actions:
                    raise _bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if (
                        not isinstance(data, str)
                        or not data
                        or len(data.encode("utf-8")) > self.limits.max_callback_data_bytes
                    ):
                        raise _bad_request("BUTTON_DATA_INVALID")
                if "url" in button and not _is_button_url(button["url"]):
                    raise _bad_request(
                        f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
                    )
        if count > self.limits.max_inline_buttons:
            raise _bad_request("reply markup is too long")
        return {"inline_keyboard": rows}

    def _new_message(self, chat: _Chat, *, from_bot: bool, extra: dict[str, Any]) -> dict[str, Any]:
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

    def _reply_to(self, chat: _Chat, params: _Params) -> dict[str, Any]:
        reply = params.obj("reply_parameters") or {}
        message_id = (
            reply.get("message_id") if isinstance(reply, dict) else None
        ) or params.integer("reply_to_message_id")
        if not message_id:
            return {}
        target = chat.messages.get(int(message_id))
        if target is None or target.deleted:
            allow = params.boolean("allow_sending_without_reply") or (
                isinstance(reply, dict) and reply.get("allow_sending_without_reply")
            )
            if allow:
                return {}
            raise _bad_request("message to be replied not found")
        return {"reply_to_message": dict(target.data)}

    def _store_bot_message(
        self,
        chat: _Chat,
        extra: dict[str, Any],
        *,
        source: str | None,
        parse_mode: str | None,
        reply_keyboard: tuple[tuple[dict[str, Any], ...], ...] | None,
        remove_keyboard: bool,
        file: StoredFile | None = None,
    ) -> dict[str, Any]:
        self._check_rate_limits(chat)
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
        self.stats.send_times.append(self._clock())
        self._record_event(chat, stored, edited=False)
        return data

    def _editable(self, params: _Params, action: str = "edit") -> tuple[_Chat, StoredMessage]:
        if params.has("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")
        if not params.has("message_id"):
            raise _bad_request("message identifier is not specified")
        chat = self._private_chat(params, for_sending=True)
        message_id = params.integer("message_id")
        stored = chat.messages.get(message_id or 0)
        if stored is None or stored.deleted:
            raise _bad_request(f"message to {action} not found")
        if not stored.from_bot:
            raise _bad_request("message can't be edited")
        return chat, stored

    def _store_file(
        self, params: _Params, name: str, *, kind: str, mime_type: str | None = None
    ) -> StoredFile:
        if name in params.files:
            data, filename = params.files[name]
        else:
            ref = params.string(name)
            if not ref:
                raise _bad_request(f"there is no {kind} in the request")
            if ref.startswith("attach://") and ref[len("attach://") :] in params.files:
                data, filename = params.files[ref[len("attach://") :]]
            elif ref in self._files:
                return self._files[ref]
            else:
                raise _bad_request("wrong file identifier/HTTP URL specified")
        if not data:
            raise _bad_request("file must be non-empty")
        number = next(self._file_counter)
        unique = secrets.token_hex(8)
        stored = StoredFile(
            file_id=f"{kind}-{number}-{secrets.token_hex(6)}",
            file_unique_id=unique,
            data=data,
            file_path=f"{kind}s/file_{number}_{filename or kind}",
            file_name=filename,
            mime_type=mime_type,
        )
        return stored  # registered in _files once the message is accepted

    # ----------------------------------------------------------------- Bot API methods

    async def _api_getMe(self, params: _Params) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_logOut(self, params: _Params) -> bool:
        return True

    async def _api_close(self, params: _Params) -> bool:
        return True

    async def _api_getUpdates(self, params: _Params) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset", 0) or 0
        limit = min(max(params.integer("limit", 100) or 100, 1), 100)
        timeout = min(params.number("timeout") or 0.0, self.limits.max_long_poll_timeout)
        allowed = params.obj("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an earlier long poll still parked ends with 409, as in Telegram
        deadline = asyncio.get_running_loop().time() + max(timeout, 0.0)
        self._parked_polls += 1
        self._polling_changed.set()
        self._polling_changed = asyncio.Event()
        try:
            while not self._updates and not self._closing:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                event = self._updates_event
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
                if generation != self._poll_generation:
                    raise TelegramApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running",
                    )
        finally:
            self._parked_polls -= 1
        return self._updates[:limit]

    async def _api_setWebhook(self, params: _Params) -> bool:
        url = params.string("url") or ""
        if params.boolean("drop_pending_updates"):
            self._updates.clear()
        if not url:
            self.webhook = {}
            return True
        parsed = urlsplit(url)
        if parsed.scheme not in ("http", "https") or parsed.hostname not in LOOPBACK_HOSTS:
            # Telegram wants a public HTTPS URL; the emulator only ever connects to loopback.
            raise _bad_request(
                "bad webhook: the emulator delivers webhooks to loopback URLs only "
                "(http://127.0.0.1:PORT/...)"
            )
        allowed = params.obj("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        self.webhook = {
            "url": url,
            "secret_token": params.string("secret_token"),
            "max_connections": params.integer("max_connections", 40),
        }
        if self._updates:
            self._spawn_webhook_delivery()
        return True

    async def _api_deleteWebhook(self, params: _Params) -> bool:
        self.webhook = {}
        if params.boolean("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, params: _Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook.get("url"):
            info["max_connections"] = self.webhook.get("max_connections", 40)
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    def _commands_key(self, params: _Params) -> tuple[str, str]:
        scope = params.obj("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad_request("can't parse BotCommandScope JSON object")
        language = params.string("language_code") or ""
        if language and (len(language) != 2 or not language.isalpha()):
            raise _bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language

    async def _api_setMyCommands(self, params: _Params) -> bool:
        commands = params.obj("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("too many commands specified")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            name = str(command.get("command", "")).removeprefix("/")
            description = str(command.get("description", ""))
            if not (1 <= len(name) <= 32) or not all(
                c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in name
            ):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not (1 <= len(description) <= 256):
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self.commands[self._commands_key(params)] = cleaned
        return True

    async def _api_getMyCommands(self, params: _Params) -> list[dict[str, str]]:
        return list(self.commands.get(self._commands_key(params), []))

    async def _api_deleteMyCommands(self, params: _Params) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _set_bot_text(self, params: _Params, field_name: str, max_length: int) -> bool:
        value = params.string(field_name) or ""
        if len(value) > max_length:
            raise _bad_request(f"{field_name} is too long")
        self.descriptions[field_name, params.string("language_code") or ""] = value
        return True

    def _get_bot_text(self, params: _Params, field_name: str) -> dict[str, str]:
        language = params.string("language_code") or ""
        value = self.descriptions.get((field_name, language))
        if value is None:  # Telegram falls back to the text set for all languages
            value = self.descriptions.get((field_name, ""), "")
        if field_name == "name" and not value:
            value = self.bot_first_name
        return {field_name: value}

    async def _api_setMyDescription(self, params: _Params) -> bool:
        return self._set_bot_text(params, "description", 512)

    async def _api_getMyDescription(self, params: _Params) -> dict[str, str]:
        return self._get_bot_text(params, "description")

    async def _api_setMyShortDescription(self, params: _Params) -> bool:
        return self._set_bot_text(params, "short_description", 120)

    async def _api_getMyShortDescription(self, params: _Params) -> dict[str, str]:
        return self._get_bot_text(params, "short_description")

    async def _api_setMyName(self, params: _Params) -> bool:
        return self._set_bot_text(params, "name", 64)

    async def _api_getMyName(self, params: _Params) -> dict[str, str]:
        return self._get_bot_text(params, "name")

    async def _api_setChatMenuButton(self, params: _Params) -> bool:
        return True

    async def _api_getChat(self, params: _Params) -> dict[str, Any]:
        chat = self._private_chat(params, for_sending=False)
        return {
            **chat.user.as_chat_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    async def _api_sendMessage(self, params: _Params) -> dict[str, Any]:
        chat = self._private_chat(params)
        parse_mode = params.string("parse_mode")
        source = params.string("text")
        formatted = self._format(source, parse_mode, params.obj("entities"), caption=False)
        inline, keyboard, remove = self._reply_markup(params)
        extra: dict[str, Any] = {"text": formatted.text, **self._reply_to(chat, params)}
        if formatted.entities:
            extra["entities"] = list(formatted.entities)
        if inline:
            extra["reply_markup"] = inline
        preview = params.obj("link_preview_options")
        if isinstance(preview, dict) and preview:
            extra["link_preview_options"] = preview
        return self._store_bot_message(
            chat,
            extra,
            source=source,
            parse_mode="HTML" if parse_mode and parse_mode.lower() == "html" else None,
            reply_keyboard=keyboard,
            remove_keyboard=remove,
        )

    async def _api_sendPhoto(self, params: _Params) -> dict[str, Any]:
        return self._send_media(params, "photo")

    async def _api_sendDocument(self, params: _Params) -> dict[str, Any]:
        return self._send_media(params, "document")

    def _send_media(self, params: _Params, kind: str) -> dict[str, Any]:
        chat = self._private_chat(params)
        parse_mode = params.string("parse_mode")
        caption = params.string("caption")
        formatted = self._format(caption, parse_mode, params.obj("caption_entities"), caption=True)
        inline, keyboard, remove = self._reply_markup(params)
        stored_file = self._store_file(params, kind, kind=kind)
        extra: dict[str, Any] = dict(self._reply_to(chat, params))
        if kind == "photo":
            size = _image_size(stored_file.data)
            if size is None:
                raise _bad_request("IMAGE_PROCESS_FAILED")
            stored_file.mime_type = stored_file.mime_type or "image/jpeg"
            extra["photo"] = [
                {
                    "file_id": stored_file.file_id,
                    "file_unique_id": stored_file.file_unique_id,
                    "width": size[0],
                    "height": size[1],
                    "file_size": len(stored_file.data),
                }
            ]
        else:
            document: dict[str, Any] = {
                "file_id": stored_file.file_id,
                "file_unique_id": stored_file.file_unique_id,
                "file_size": len(stored_file.data),
            }
            if stored_file.file_name:
                document["file_name"] = stored_file.file_name
            document["mime_type"] = stored_file.mime_type or _guess_mime(stored_file.file_name)
            extra["document"] = document
        if formatted.text:
            extra["caption"] = formatted.text
            if formatted.entities:
                extra["caption_entities"] = list(formatted.entities)
        if inline:
            extra["reply_markup"] = inline
        return self._store_bot_message(
            chat,
            extra,
            source=caption,
            parse_mode="HTML" if parse_mode and parse_mode.lower() == "html" else None,
            reply_keyboard=keyboard,
            remove_keyboard=remove,
            file=stored_file,
        )

    async def _api_sendLocation(self, params: _Params) -> dict[str, Any]:
        chat = self._private_chat(params)
        latitude = params.number("latitude")
        longitude = params.number("longitude")
        if latitude is None or not -90 <= latitude <= 90:
            raise _bad_request("wrong latitude")
        if longitude is None or not -180 <= longitude <= 180:
            raise _bad_request("wrong longitude")
        inline, keyboard, remove = self._reply_markup(params)
        extra: dict[str, Any] = {"location": {"latitude": latitude, "longitude": longitude}}
        extra.update(self._reply_to(chat, params))
        if inline:
            extra["reply_markup"] = inline
        return self._store_bot_message(
            chat,
            extra,
            source=None,
            parse_mode=None,
            reply_keyboard=keyboard,
            remove_keyboard=remove,
        )

    async def _api_getFile(self, params: _Params) -> dict[str, Any]:
        stored = self._files.get(params.string("file_id") or "")
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _api_editMessageText(self, params: _Params) -> dict[str, Any]:
        chat, stored = self._editable(params)
        if "text" not in stored.data:
            raise _bad_request("there is no text in the message to edit")
        return self._edit_formatted(chat, stored, params, "text", "entities", caption=False)

    async def _api_editMessageCaption(self, params: _Params) -> dict[str, Any]:
        chat, stored = self._editable(params)
        if "photo" not in stored.data and "document" not in stored.data:
            raise _bad_request("there is no caption in the message to edit")
        return self._edit_formatted(
            chat, stored, params, "caption", "caption_entities", caption=True
        )

    def _edit_formatted(
        self,
        chat: _Chat,
        stored: StoredMessage,
        params: _Params,
        text_key: str,
        entities_key: str,
        *,
        caption: bool,
    ) -> dict[str, Any]:
        """editMessageText / editMessageCaption: new formatted text (or caption) and markup."""
        parse_mode = params.string("parse_mode")
        source = params.string(text_key)
        formatted = self._format(source, parse_mode, params.obj(entities_key), caption=caption)
        inline, _keyboard, _remove = self._reply_markup(params)
        new = {
            k: v
            for k, v in stored.data.items()
            if k not in (text_key, entities_key, "reply_markup")
        }
        # A caption may become empty; a text never does (_format rejects it).
        if formatted.text or not caption:
            new[text_key] = formatted.text
        if formatted.entities:
            new[entities_key] = list(formatted.entities)
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        if inline:
            new["reply_markup"] = inline
        return self._apply_edit(
            chat,
            stored,
            new,
            source=source,
            parse_mode="HTML" if parse_mode and parse_mode.lower() == "html" else None,
        )

    async def _api_editMessageReplyMarkup(self, params: _Params) -> dict[str, Any]:
        chat, stored = self._editable(params)
        inline, _keyboard, _remove = self._reply_markup(params)
        new = {k: v for k, v in stored.data.items() if k != "reply_markup"}
        if inline:
            new["reply_markup"] = inline
        return self._apply_edit(
            chat, stored, new, source=stored.source, parse_mode=stored.parse_mode
        )

    def _apply_edit(
        self,
        chat: _Chat,
        stored: StoredMessage,
        new: dict[str, Any],
        *,
        source: str | None,
        parse_mode: str | None,
    ) -> dict[str, Any]:
        def content(data: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in data.items() if k != "edit_date"}

        if content(new) == content(stored.data):
            raise _bad_request(NOT_MODIFIED[len("Bad Request: ") :])
        stored.history.append(stored.data)
        new["edit_date"] = int(time.time())
        stored.data = new
        stored.source = source
        stored.parse_mode = parse_mode
        self._record_event(chat, stored, edited=True)
        return new

    async def _api_deleteMessage(self, params: _Params) -> bool:
        chat = self._private_chat(params, for_sending=False)
        stored = chat.messages.get(params.integer("message_id") or 0)
        if stored is None or stored.deleted:
            raise _bad_request("message to delete not found")
        stored.deleted = True
        self._notify_activity()
        return True

    async def _api_answerCallbackQuery(self, params: _Params) -> bool:
        query_id = params.string("callback_query_id") or ""
        query = self._callback_queries.get(query_id)
        if (
            query is None
            or query.answered
            or self._clock() - query.created > self.limits.callback_query_ttl
        ):
            raise _bad_request(QUERY_TOO_OLD[len("Bad Request: ") :])
        text = params.string("text")
        if text and len(text) > self.limits.max_callback_answer_length:
            raise _bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        user = self._users[query.user_id]
        user.callback_answers.append(
            CallbackAnswer(text or None, params.boolean("show_alert"), params.string("url"))
        )
        self._notify_activity()
        return True

    async def _api_sendChatAction(self, params: _Params) -> bool:
        chat = self._private_chat(params)
        action = params.string("action") or ""
        if action not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True

    # ----------------------------------------------------------------- webhook delivery

    def _spawn_webhook_delivery(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhook())

    async def _deliver_webhook(self) -> None:
        """POST pending updates one by one to the webhook (loopback only), like Telegram."""
        import aiohttp  # local: only webhook mode needs a client session

        async with aiohttp.ClientSession() as session:
            while self._updates and self.webhook.get("url") and not self._closing:
                update = self._updates[0]
                headers = {}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
                try:
                    async with session.post(
                        self.webhook["url"], json=update, headers=headers, timeout=10
                    ) as response:
                        delivered = response.status < 300
                except (aiohttp.ClientError, TimeoutError):
                    delivered = False
                if delivered:
                    if self._updates and self._updates[0] is update:
                        self._updates.pop(0)
                else:
                    await asyncio.sleep(0.5)  # Telegram retries failed deliveries later

    # ----------------------------------------------------------------- control API

    async def _handle_control(self, request: web.Request) -> web.Response:
        """JSON endpoints the out-of-process console uses to act as a user."""
        if request.match_info["token"] != self.token:
            return web.json_response({"error": "unauthorized"}, status=401)
        parts = [p for p in request.match_info["path"].split("/") if p]
        body: dict[str, Any] = {}
        try:
            if request.method == "POST" and request.can_read_body:
                body = await request.json()
            if parts == ["users"] and request.method == "POST":
                user = self.user(
                    int(body["id"]),
                    body.get("first_name") or "Test",
                    last_name=body.get("last_name"),
                    username=body.get("username"),
                    language_code=body.get("language_code", "fr"),
                )
                return web.json_response(user.as_user_dict())
            if len(parts) == 3 and parts[0] == "users":
                user = self._users[int(parts[1])]
                action = parts[2]
                if action == "send":
                    if "latitude" in body:
                        message = await user.send_location(body["latitude"], body["longitude"])
                    else:
                        message = await user.send(body["text"])
                    return web.json_response(message)
                if action == "press":
                    query_id = await user.press_callback(
                        int(body["message_id"]), body["callback_data"]
                    )
                    return web.json_response({"callback_query_id": query_id})
                if action == "block":
                    user.block_bot()
                    return web.json_response({"ok": True})
                if action == "unblock":
                    user.unblock_bot()
                    return web.json_response({"ok": True})
                if action == "events":
                    after = int(request.query.get("after", "0"))
                    answers_after = int(request.query.get("answers_after", "0"))
                    timeout = min(float(request.query.get("timeout", "0")), 30.0)
                    events = await user.events_after(after, timeout, answer_index=answers_after)
                    answers = [
                        {"text": a.text, "show_alert": a.show_alert, "url": a.url}
                        for a in user.callback_answers[answers_after:]
                    ]
                    return web.json_response(
                        {
                            "events": [e.to_json() for e in events],
                            "next": after + len(events),
                            "answers": answers,
                        }
                    )
        except (KeyError, ValueError, TypeError, AssertionError) as error:
            return web.json_response({"error": f"bad request: {error}"}, status=400)
        return web.json_response({"error": "not found"}, status=404)


# --------------------------------------------------------------------------- simulated user


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
    def _chat(self) -> _Chat:
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
        emulator._callback_queries[query_id] = _CallbackQuery(query_id, self.id, emulator._clock())
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
        messages = self.emulator.messages_for(self.id)
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


# --------------------------------------------------------------------------- helpers


def _valid_entities(entities: Iterable[Any], text: str) -> list[dict[str, Any]]:
    total = utf16_len(text)
    result = []
    for entity in entities:
        if not isinstance(entity, dict) or "type" not in entity:
            raise _bad_request("can't parse MessageEntity JSON object")
        try:
            offset, length = int(entity["offset"]), int(entity["length"])
        except (KeyError, TypeError, ValueError):
            raise _bad_request("can't parse MessageEntity JSON object") from None
        if offset < 0 or length <= 0 or offset + length > total:
            raise _bad_request("can't parse entities: entity beyond the end of text")
        result.append({**entity, "offset": offset, "length": length})
    return result


def _is_button_url(url: Any) -> bool:
    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return False
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "." in url  # Telegram accepts "example.com/path"
    return scheme.lower() in {"http", "https", "tg", "ton"} and bool(rest)


def _guess_mime(name: str | None) -> str:
    import mimetypes

    guessed = mimetypes.guess_type(name or "")[0]
    return guessed or "application/octet-stream"


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image; None when it is not one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                return None
            marker = data[index + 1]
            length = struct.unpack(">H", data[index + 2 : index + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return width, height
            index += 2 + length
    return None


# --------------------------------------------------------------------------- CLI


async def _serve(args: argparse.Namespace) -> None:
    limits = TelegramLimits(enabled=not args.no_limits)
    emulator = TelegramEmulator(
        token=args.token,
        bot_username=args.username,
        host="127.0.0.1",
        port=args.port,
        limits=limits,
    )
    async with emulator:
        print(f"Telegram Bot API emulator on {emulator.root_url}", flush=True)
        print(f"  TELEGRAM_API_BASE_URL={emulator.base_url}", flush=True)
        print(f"  TELEGRAM_BOT_TOKEN={emulator.token}", flush=True)
        print(
            f"  chat: python -m sandbox.console --api {emulator.root_url} --token {emulator.token}",
            flush=True,
        )
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Telegram Bot API emulator (loopback).")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="ft_job_bot", help="the bot's username")
    parser.add_argument("--no-limits", action="store_true", help="disable rate limits")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
