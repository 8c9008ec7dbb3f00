"""Leaving or stalling the conversation: /annuler, the timeout, unexpected messages and
out-of-step buttons."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update

from bot import texts
from bot.handlers.common import Context, answer_query, reply_html, services
from bot.handlers.onboarding.draft import clear_draft
from bot.handlers.onboarding.states import END

T = texts.onboarding


async def cancel(update: Update, context: Context) -> int:
    clear_draft(context)
    await answer_query(update)
    user = update.effective_user
    # "rien n'a été enregistré" would worry someone who was only editing a saved profile.
    saved = user is not None and await services(context).storage.get_profile(user.id) is not None
    message = texts.common.CANCELLED_PROFILE_KEPT if saved else texts.common.CANCELLED
    await reply_html(update, context, message, ReplyKeyboardRemove())
    return END


async def timeout(update: Update, context: Context) -> None:
    clear_draft(context)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None:
        await context.bot.send_message(chat.id, T.TIMEOUT, reply_markup=ReplyKeyboardRemove())


async def use_text(update: Update, context: Context) -> None:
    """Stickers, photos… inside the conversation: explain, stay in the step."""
    await reply_html(update, context, T.USE_TEXT)


async def use_buttons(update: Update, context: Context) -> None:
    await reply_html(update, context, T.USE_BUTTONS)


async def stale_in_conversation(update: Update, context: Context) -> None:
    """A valid but out-of-step onboarding button (from an older message)."""
    await answer_query(update, texts.common.STALE_BUTTON, alert=True)


async def cancel_outside(update: Update, context: Context) -> None:
    """/annuler when no conversation is going on."""
    await reply_html(update, context, texts.common.NOTHING_TO_CANCEL)
