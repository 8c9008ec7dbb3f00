"""/supprimer (alias /delete): erase everything after confirmation; /mesdonnees (alias /mydata):
everything we keep about the user as a JSON document.

The export holds the onboarding answers only while that conversation is going on, under
"in_progress" with the step reached; a draft left over from a finished conversation is
forgotten rather than exported.

Erasing covers the database (``storage.delete_user`` also removes the PTB persistence rows) and
the running application's memory: ``user_data``, ``chat_data`` and any conversation state keyed
on the user, so that the next persistence flush cannot write them back.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot import callbacks, cards
from bot.handlers.common import Context, answer_query, edit_or_reply, reply_html, services
from bot.handlers.onboarding.draft import DRAFT
from bot.handlers.onboarding.states import CONVERSATION_NAME
from bot.texts import commands as t

logger = logging.getLogger(__name__)

COMMANDS: list[tuple[str, str]] = [
    ("mesdonnees", t.MY_DATA_DESCRIPTION),
    ("supprimer", t.DELETE_DESCRIPTION),
]

EXPORT_FILENAME = "mes-donnees-ft-job-bot.json"


def confirm_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.DELETE_YES, callback_data=callbacks.encode(cards.ACTION_DELETE, "yes")
                ),
                InlineKeyboardButton(
                    t.DELETE_NO, callback_data=callbacks.encode(cards.ACTION_DELETE, "no")
                ),
            ]
        ]
    )


# user_data key: the message id of the latest confirmation question. Only its buttons act, so
# neither a forged "yes" sent on another message nor the buttons of an older question erase.
CONFIRMATION_KEY = "delete_confirmation"


async def delete_command(update: Update, context: Context) -> None:
    sent = await reply_html(update, context, t.DELETE_CONFIRM, confirm_keyboard())
    if sent is not None and context.user_data is not None:
        context.user_data[CONFIRMATION_KEY] = sent.message_id


def forget_in_memory(application: Application, user_id: int) -> int:
    """Drop the user's data held by the running application; returns conversations ended.

    Their private chat (whose id is their user id) and their own conversations, whatever the
    chat: conversation keys are (chat_id, user_id), another member's key in a shared group
    is not theirs.

    ``drop_user_data``/``drop_chat_data`` also schedule the deletion in the persistence.
    PTB has no public API to end a conversation from outside its handler, so the
    ConversationHandlers' state dicts are edited directly (their tracked deletions are written
    to the persistence on the next flush, like a conversation that ended normally).
    """
    application.drop_user_data(user_id)
    application.drop_chat_data(user_id)
    ended = 0
    for handlers in application.handlers.values():
        for handler in handlers:
            if not isinstance(handler, ConversationHandler):
                continue
            states = handler._conversations  # see docstring
            for key in [k for k in states if k[-1] == user_id]:
                del states[key]
                ended += 1
            # A pending conversation timeout would otherwise fire later and talk to them.
            for key in [k for k in handler.timeout_jobs if k[-1] == user_id]:
                handler.timeout_jobs.pop(key).schedule_removal()
    return ended


async def delete_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    user = update.effective_user
    chat = update.effective_chat
    query = update.callback_query
    if data is None or user is None or chat is None or query is None:
        return
    pressed = query.message.message_id if query.message is not None else None
    if context.user_data is None or pressed is None:
        return
    if context.user_data.get(CONFIRMATION_KEY) != pressed:
        await answer_query(update, t.STALE_BUTTON, alert=True)
        return
    del context.user_data[CONFIRMATION_KEY]
    if data.args[0] != "yes":
        await answer_query(update)
        await edit_or_reply(update, context, t.DELETE_CANCELLED)
        return
    deleted = await services(context).storage.delete_user(user.id)
    ended = forget_in_memory(context.application, user.id)
    logger.info(
        "user data erased on request (update %s): %s rows, %s conversation(s)",
        update.update_id,
        sum(deleted.values()),
        ended,
    )
    await answer_query(update)
    await edit_or_reply(update, context, t.DELETE_DONE)


def onboarding_step(application: Application, user_id: int) -> str | None:
    """The step of the user's onboarding conversation, None when none is going on."""
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, ConversationHandler) and handler.name == CONVERSATION_NAME:
                for key, state in handler._conversations.items():  # see forget_in_memory
                    if key[-1] == user_id and isinstance(state, str):
                        return state
    return None


def describe_progress(export: dict[str, Any], step: str | None) -> None:
    """Move the onboarding draft out of the bot's memory into "in_progress" (or drop it)."""
    memory = export.get("bot_memory") or {}
    user_data = memory.get("user_data")
    draft = user_data.pop(DRAFT, None) if isinstance(user_data, dict) else None
    if user_data == {}:
        memory["user_data"] = None
    if step is None:
        return
    progress: dict[str, Any] = {
        "what": t.EXPORT_ONBOARDING_IN_PROGRESS,
        "step": t.EXPORT_STEP_LABELS.get(step, step),
    }
    if isinstance(draft, dict):
        place = draft.get("place")
        progress["answers_so_far"] = {
            "jobs": draft.get("jobs", []),
            "skills": draft.get("skills", []),
            "place": place.get("label") if isinstance(place, dict) else None,
            "radius_km": draft.get("radius"),
            "contracts": draft.get("contracts", []),
            "alerts": draft.get("alerts"),
            "alert_time": draft.get("alert_time"),
        }
    export["in_progress"] = progress


async def my_data_command(update: Update, context: Context) -> None:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    step = onboarding_step(context.application, user.id)
    if step is None and context.user_data is not None:
        # Left over from a conversation that is over: nothing uses it any more.
        context.user_data.pop(DRAFT, None)
    # What the bot holds in memory, written first, so that the export is up to date.
    await context.application.update_persistence()
    export = await services(context).storage.export_user(user.id)
    if export.get("user") is None and export.get("profile") is None:
        await reply_html(update, context, t.MY_DATA_NONE)
        return
    describe_progress(export, step)
    document = json.dumps(export, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    await context.bot.send_document(
        chat.id,
        InputFile(io.BytesIO(document), filename=EXPORT_FILENAME),
        caption=t.MY_DATA_CAPTION,
    )


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["supprimer", "delete"], delete_command))
    application.add_handler(CommandHandler(["mesdonnees", "mydata"], my_data_command))
    application.add_handler(
        CallbackQueryHandler(delete_button, pattern=callbacks.pattern(cards.ACTION_DELETE))
    )
