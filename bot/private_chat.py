"""Personal data and alerts belong to the person's private chat with the bot, never a group.

In a group, a supergroup or a channel, a command or a button press gets a short "write to me
in private" answer with a deep link to the private chat, and nothing else happens: the update
stops here (handler group -10, before `bot.app.track_user` and every feature), so no user row,
chat id, conversation state, favourite or skill is ever stored from a group. Other messages in
a group are ignored silently (the bot is not part of the group's conversation).
"""

from __future__ import annotations

import contextlib
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler

from bot import texts

logger = logging.getLogger(__name__)

# Well before track_user (group -1): an update from a group must not even refresh the user.
PRIVATE_CHAT_GUARD_GROUP = -10
# The /start parameter of the deep link (Telegram allows A-Z, a-z, 0-9, _ and -).
DEEP_LINK_PARAMETER = "depuis_un_groupe"


def deep_link(bot_username: str) -> str:
    return f"https://t.me/{bot_username}?start={DEEP_LINK_PARAMETER}"


def private_chat_keyboard(bot_username: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.common.OPEN_PRIVATE_CHAT, url=deep_link(bot_username))]]
    )


class NotPrivateChatHandler(TypeHandler[Update, ContextTypes.DEFAULT_TYPE, None]):
    """Takes the updates of every chat but private ones (other handlers of its group still
    see private updates)."""

    def check_update(self, update: object) -> bool:
        if not super().check_update(update) or not isinstance(update, Update):
            return False
        chat = update.effective_chat
        return chat is not None and chat.type != ChatType.PRIVATE


def _is_command(update: Update) -> bool:
    message = update.message or update.channel_post
    return bool(message is not None and message.text and message.text.startswith("/"))


async def redirect_to_private(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any update from a group, a supergroup or a channel stops here (see module doc)."""
    chat = update.effective_chat
    if chat is None:
        return
    query = update.callback_query
    if query is not None:
        with contextlib.suppress(TelegramError):
            await query.answer(texts.common.WRITE_IN_PRIVATE_SHORT)
    if query is not None or _is_command(update):
        try:
            await context.bot.send_message(
                chat.id,
                texts.common.WRITE_IN_PRIVATE,
                reply_markup=private_chat_keyboard(context.bot.username),
            )
        except TelegramError as error:  # removed from the group, no right to write…
            logger.info("could not answer in a group chat: %s", type(error).__name__)
    raise ApplicationHandlerStop


def register(application: Application) -> None:
    application.add_handler(
        NotPrivateChatHandler(Update, redirect_to_private), group=PRIVATE_CHAT_GUARD_GROUP
    )
