"""/profil: the profile card with a button to edit each part.

The buttons (``pf|<part>``) are entry points of the onboarding conversation
(`bot.handlers.onboarding`), which edits that part and shows the summary to confirm.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import texts
from bot.handlers.common import Context, get_profile, reply_html
from bot.handlers.onboarding import edit_keyboard, summary_text_from


async def show_profile(update: Update, context: Context) -> None:
    profile = await get_profile(update, context)
    if profile is None:
        await reply_html(update, context, texts.common.NO_PROFILE)
        return
    await reply_html(
        update,
        context,
        f"{summary_text_from(profile)}\n\n{texts.onboarding.CHOOSE_WHAT_TO_EDIT}",
        edit_keyboard("pf"),
    )


COMMANDS: list[tuple[str, str]] = []  # "profil" is listed by bot.handlers.onboarding


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["profil", "profile"], show_profile))
