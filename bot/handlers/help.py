"""/aide (alias /help): every command with an example."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.handlers.common import Context, reply_html
from bot.texts import commands as t

COMMANDS: list[tuple[str, str]] = [("aide", t.HELP_DESCRIPTION)]


async def help_command(update: Update, context: Context) -> None:
    await reply_html(update, context, t.HELP)


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["aide", "help"], help_command))
