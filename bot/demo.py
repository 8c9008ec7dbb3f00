"""`ft-bot demo`: everything offline in one process.

The France Travail emulator (with its generated dataset) and the Telegram emulator listen on
free loopback ports, the real bot runs against them with a temporary database, and the
terminal chat (`sandbox.console`) lets one person talk to it as a Telegram user. Nothing to
configure: no `.env`, no network. `/demo_alerte` (demo only) sends the user's daily digest now.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import texts
from bot.config import Settings
from bot.handlers.common import Context, get_profile, reply_html, services

logger = logging.getLogger(__name__)

DEMO_TOKEN = "123456:DEMO-TOKEN"  # noqa: S105 - the local emulator's fake token
DEMO_USER_ID = 100001
DEMO_OFFERS = 3000
DEMO_LOOKBACK_DAYS = 31

BANNER = (
    "Démo hors ligne de ft-job-bot : émulateurs France Travail et Telegram en local, "
    "base de données temporaire.\n"
    "Essayez : /start (créer votre profil), /match G1603, /recherche serveur à Paris, "
    "/favoris, /demo_alerte (recevoir l'alerte du jour maintenant), /aide.\n"
)

DEMO_ALERT_NO_PROFILE = (
    "Créez d'abord votre profil avec /start : l'alerte utilise vos métiers, votre lieu et vos "
    "compétences."
)
DEMO_ALERT_NOTHING = (
    "Aucune nouvelle offre à vous envoyer pour l'instant (les offres déjà envoyées ne "
    "reviennent pas)."
)


async def demo_alert(update: Update, context: Context) -> None:
    """/demo_alerte: run the alert cycle for this user now, as the daily job would."""
    from bot import alerts

    profile = await get_profile(update, context)
    if profile is None:
        await reply_html(update, context, DEMO_ALERT_NO_PROFILE)
        return
    report = await alerts.run_alert_cycle(
        services(context), context.bot, force_user_id=profile.user_id
    )
    if report.failures or report.queries_failed:
        await reply_html(update, context, texts.common.FT_UNAVAILABLE)
    elif not report.messages_sent:
        await reply_html(update, context, DEMO_ALERT_NOTHING)


def register(application: Application) -> None:
    """Called by build_application only when settings.demo_mode is set."""
    application.add_handler(CommandHandler(["demo_alerte", "demo_alert"], demo_alert))


async def run_demo(
    *,
    input: TextIO | None = None,
    output: TextIO | None = None,
    user_id: int = DEMO_USER_ID,
    first_name: str = "Léa",
    offer_count: int = DEMO_OFFERS,
    seed: int = 42,
    database_dir: Path | None = None,
) -> int:
    """Run the offline demo until /quit or end of input. Returns a process exit code."""
    from bot.app import build_application
    from sandbox.console import run_console
    from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
    from sandbox.telegram import TelegramEmulator

    out = output or sys.stdout
    with tempfile.TemporaryDirectory(prefix="ft-bot-demo-") as tmp:
        folder = database_dir or Path(tmp)
        async with (
            FranceTravailEmulator(EmulatorConfig(seed=seed, offer_count=offer_count)) as ft,
            TelegramEmulator(token=DEMO_TOKEN, bot_username="ft_job_bot") as tg,
        ):
            settings = Settings(
                telegram_token=tg.token,
                ft_client_id=ft.client_id,
                ft_client_secret=ft.client_secret,
                telegram_api_base_url=tg.base_url,
                ft_api_base_url=ft.base_url,
                ft_token_url=ft.token_url,
                database_path=folder / "demo.sqlite3",
                admin_ids=frozenset({user_id}),
                demo_mode=True,
                # The emulator's offers were published over the past weeks: looking back a
                # month (the maximum) gives /demo_alerte something to show on a fresh profile.
                alert_lookback_days=DEMO_LOOKBACK_DAYS,
            )
            application = build_application(
                settings, base_url=tg.base_url, base_file_url=tg.base_file_url
            )
            await application.initialize()
            try:
                if application.post_init is not None:
                    await application.post_init(application)
                await application.start()
                # The emulator answers getUpdates by long polling: no busy loop.
                await application.updater.start_polling(poll_interval=0.1, timeout=1)
                out.write(BANNER)
                out.flush()
                user = tg.user(user_id, first_name=first_name, language_code="fr")
                await run_console(tg, user, input=input, output=output)
            finally:
                if application.updater.running:
                    await application.updater.stop()
                if application.running:
                    await application.stop()
                await application.shutdown()
                if application.post_shutdown is not None:
                    await application.post_shutdown(application)
    return 0
