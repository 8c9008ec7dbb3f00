"""`ft-bot demo`: everything offline in one process.

The France Travail emulator (with its generated dataset) and the Telegram emulator listen on
free loopback ports, the real bot runs against them with a temporary database, and the
terminal chat (`sandbox.console`) lets one person talk to it as a Telegram user. Nothing to
configure: no `.env`, no network. `/demo_alerte` (demo only, `bot.demo`) sends the user's daily
digest now.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from bot.config import Settings

logger = logging.getLogger(__name__)

DEMO_TOKEN = "123456:DEMO-TOKEN"  # noqa: S105 - the local emulator's fake token
DEMO_USER_ID = 100001
DEMO_OFFERS = 3000
DEMO_LOOKBACK_DAYS = 31

BANNER = (
    "Démo hors ligne de ft-job-bot : émulateurs France Travail et Telegram en local, "
    "base de données temporaire.\n"
    "Essayez : /start (créer votre profil), /match G1803, /recherche serveur à Paris, "
    "/favoris, /demo_alerte (recevoir l'alerte du jour maintenant), /aide.\n"
)


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
    from bot.assemble import build_application
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
