"""The demo's own command: `/demo_alerte` sends the user's daily digest now.

Registered by `bot.assemble` only when `settings.demo_mode` is set (the offline demo of
`bot.demo_runner`): a visitor should not wait for tomorrow's alert to see one.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.handlers.alert_settings import run_test
from bot.handlers.common import Context, get_profile, reply_html

DEMO_ALERT_NO_PROFILE = (
    "Créez d'abord votre profil avec /start : l'alerte utilise vos métiers, votre lieu et vos "
    "compétences."
)


async def demo_alert(update: Update, context: Context) -> None:
    """/demo_alerte: run the alert cycle for this user now, as the daily job would; an empty
    run says why (as « Tester maintenant » of /alertes does)."""
    profile = await get_profile(update, context)
    if profile is None:
        await reply_html(update, context, DEMO_ALERT_NO_PROFILE)
        return
    await run_test(update, context, profile.user_id)


def register(application: Application) -> None:
    """Called by `bot.assemble.build_application` only when settings.demo_mode is set."""
    application.add_handler(CommandHandler(["demo_alerte", "demo_alert"], demo_alert))
