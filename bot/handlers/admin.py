"""Admin commands (``ADMIN_IDS`` only): /stats. Anyone else gets no answer at all, so the
command's existence is not revealed; the update is still consumed so that no "unknown
command" fallback answers either."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import cards
from bot.handlers.common import Context, reply_html, services
from bot.texts import commands as t

logger = logging.getLogger(__name__)

# Not in the public command menu (COMMANDS is what setMyCommands shows to everyone).
COMMANDS: list[tuple[str, str]] = []


def is_admin(update: Update, context: Context) -> bool:
    user = update.effective_user
    return user is not None and user.id in services(context).settings.admin_ids


async def stats_command(update: Update, context: Context) -> None:
    if not is_admin(update, context):
        logger.info("admin command refused in update %s", update.update_id)
        return
    svc = services(context)
    figures = await svc.storage.stats(tz=svc.settings.alert_timezone)
    by_endpoint = figures.get("ft_errors_24h_by_endpoint") or {}
    details = [
        t.STATS_ERRORS_DETAIL.format(endpoint=endpoint, count=count)
        for endpoint, count in by_endpoint.items()
    ]
    text = cards.stats_card(
        users=int(figures.get("users", 0)),
        subscribers=int(figures.get("alert_subscribers", 0)),
        sent_today=int(figures.get("offers_sent_today", 0)),
        ft_errors=int(figures.get("ft_errors_24h", 0)),
        details=details,
    )
    await reply_html(update, context, text)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("stats", stats_command))
