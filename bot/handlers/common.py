"""Helpers shared by every handler module: services, France Travail guard, replies, profile."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.render import split_message, utf16_len
from bot.services import Services

if TYPE_CHECKING:
    from storage import Profile

logger = logging.getLogger(__name__)

T = TypeVar("T")
Context = ContextTypes.DEFAULT_TYPE
HandlerCallback = Callable[[Update, Context], Coroutine[Any, Any, Any]]
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None

# Telegram shows "typing…" for about 5 seconds per chat action.
TYPING_REFRESH_SECONDS = 4.0


def has_letter(text: str) -> bool:
    """Whether ``text`` has at least one letter: digits alone ("3", "75015") name no job or
    skill, yet the typo-tolerant job search would still find something for them."""
    return any(character.isalpha() for character in text)


def services(context: Context) -> Services:
    """The application's `Services` (opened in post_init, or passed to build_application)."""
    found = context.application.bot_data.get("services")
    if found is None:
        raise RuntimeError("services are not initialised: build the app with build_application()")
    return found


def chat_id_of(update: Update) -> int | None:
    chat = update.effective_chat
    return chat.id if chat is not None else None


async def _keep_typing(context: Context, chat_id: int) -> None:
    while True:
        with contextlib.suppress(TelegramError):
            await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
        await asyncio.sleep(TYPING_REFRESH_SECONDS)


async def record_ft_error(context: Context, error: Exception) -> None:
    """Count a France Travail failure in storage (for /stats); never raises."""
    endpoint = getattr(error, "endpoint", "") or "unknown"
    status = getattr(error, "status", None)
    try:
        await services(context).storage.record_ft_error(endpoint, status)
    except Exception:
        logger.exception("could not record France Travail error")


async def ft_guard(update: Update, context: Context, coro: Awaitable[T]) -> T | None:
    """Await `coro` (a France Travail call) showing "typing…", at most the user deadline.

    Returns the result, or None after having told the user France Travail does not answer:
    on FTError, or when the deadline (`Settings.ft_user_deadline_seconds`, all retries and
    Retry-After pauses included) passes first. The late call is then not cancelled: it goes on
    in the background, bounded by `Settings.ft_background_deadline_seconds`, so that what it
    fetches lands in the caches for the next try.
    """
    from ft_client import FTError, FTUnavailable

    svc = services(context)
    deadline = svc.settings.ft_user_deadline_seconds
    background_bound = max(0.0, svc.settings.ft_background_deadline_seconds - deadline)
    chat_id = chat_id_of(update)
    typing = asyncio.create_task(_keep_typing(context, chat_id)) if chat_id is not None else None
    work = asyncio.ensure_future(coro)
    try:
        try:
            done, _ = await asyncio.wait({work}, timeout=deadline)
        except asyncio.CancelledError:
            work.cancel()
            raise
        if not done:
            svc.finish_in_background(work, background_bound, f"call of update {update.update_id}")
            raise FTUnavailable(f"no answer within {deadline:g} s", endpoint="user_deadline")
        return work.result()
    except FTError as error:
        logger.warning(
            "France Travail error in update %s: %s (status %s, endpoint %s)",
            update.update_id,
            type(error).__name__,
            error.status,
            error.endpoint,
        )
        await record_ft_error(context, error)
        await reply_html(update, context, texts.common.FT_UNAVAILABLE)
        return None
    finally:
        if typing is not None:
            typing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await typing


def ft_guarded(handler: HandlerCallback) -> HandlerCallback:
    """Decorator form of `ft_guard` for a whole handler (typing action + FTError message).

    Past the deadline the whole handler goes on in the background and may still answer late:
    prefer `ft_guard` around the France Travail call itself.
    """

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> Any:
        return await ft_guard(update, context, handler(update, context))

    return wrapper


async def reply_html(
    update: Update,
    context: Context,
    html_text: str,
    reply_markup: Markup = None,
    *,
    disable_preview: bool = True,
) -> Message | None:
    """Send HTML to the update's chat, split when longer than Telegram's limit.

    The keyboard goes with the last chunk. Works for messages and button presses alike.
    """
    chat_id = chat_id_of(update)
    if chat_id is None:
        return None
    chunks = split_message(html_text)
    last: Message | None = None
    for index, chunk in enumerate(chunks):
        markup = reply_markup if index == len(chunks) - 1 else None
        last = await context.bot.send_message(chat_id, chunk, reply_markup=markup)
    return last


async def edit_or_reply(
    update: Update,
    context: Context,
    html_text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message | bool | None:
    """Edit the message of the pressed button (no new message), else send a new one."""
    query = update.callback_query
    if query is not None and query.message is not None and utf16_len(html_text) <= 4096:
        try:
            return await query.edit_message_text(html_text, reply_markup=reply_markup)
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return None
            # Too old to edit, or not a text message: fall back to a new message.
            logger.debug("edit failed (%s), sending a new message", type(error).__name__)
    return await reply_html(update, context, html_text, reply_markup)


async def answer_query(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press (stops the client's spinner); ignores too-old queries."""
    query = update.callback_query
    if query is None:
        return
    with contextlib.suppress(BadRequest):
        await query.answer(text, show_alert=alert)


async def get_profile(update: Update, context: Context) -> Profile | None:
    user = update.effective_user
    if user is None:
        return None
    return await services(context).storage.get_profile(user.id)


def require_profile(
    handler: Callable[[Update, Context, Profile], Coroutine[Any, Any, Any]],
) -> HandlerCallback:
    """Decorator: load the user's profile and pass it as third argument, or explain /start."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> Any:
        profile = await get_profile(update, context)
        if profile is None:
            await answer_query(update)
            await reply_html(update, context, texts.common.NO_PROFILE)
            return None
        return await handler(update, context, profile)

    return wrapper


def command_args_text(context: Context) -> str:
    """The text after a command ("/match serveur de nuit" -> "serveur de nuit")."""
    return " ".join(context.args or []).strip()
