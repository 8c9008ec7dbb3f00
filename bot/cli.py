"""Command line: `ft-bot run | demo | check | alerts --once [--user ID]` (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.config import ConfigError, Settings, setup_logging

logger = logging.getLogger("bot")

OK = "✓"
FAIL = "✗"


def _load_settings(*, require_credentials: bool = True) -> Settings | None:
    try:
        return Settings.from_env(require_credentials=require_credentials)
    except ConfigError as error:
        print("Configuration error (see .env.example):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return None


# --------------------------------------------------------------------------- run


def cmd_run(args: argparse.Namespace) -> int:
    settings = _load_settings()
    if settings is None:
        return 2
    setup_logging(settings.log_level, settings.secret_values())
    from telegram import Update

    from bot.app import build_application

    application = build_application(settings)
    if settings.webhook_url:
        path = urlsplit(settings.webhook_url).path.lstrip("/")
        logger.info("starting in webhook mode on port %s", settings.port)
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.port,
            url_path=path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        logger.info("starting in polling mode")
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


# --------------------------------------------------------------------------- demo


def cmd_demo(args: argparse.Namespace) -> int:
    # The chat owns the terminal: only warnings from the bot, on stderr.
    setup_logging(args.log_level)
    from bot.demo import run_demo

    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(run_demo(offer_count=args.offers, seed=args.seed))
    return 130


# --------------------------------------------------------------------------- check


async def _check(settings: Settings) -> bool:
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    from ft_client import FranceTravailClient, FTError, OfferQuery
    from ft_client.referential import Referential
    from storage import Storage, StorageUnavailableError

    all_ok = True

    def report(ok: bool, what: str) -> None:
        nonlocal all_ok
        all_ok = all_ok and ok
        print(f"{OK if ok else FAIL} {what}", flush=True)

    report(True, "configuration")
    try:
        referential = Referential.load()
        report(True, f"referentials: {len(referential.job_codes())} ROME jobs")
    except Exception as error:
        report(False, f"referentials: {type(error).__name__}: {error}")

    try:
        storage = await Storage.open(settings.database_location)
        await storage.close()
        report(True, f"database: {settings.database_display}")
    except StorageUnavailableError as error:
        report(False, f"database: {error}")  # one line, never the password
    except Exception as error:
        report(False, f"database {settings.database_display}: {type(error).__name__}: {error}")

    try:
        async with FranceTravailClient(
            settings.ft_client_id,
            settings.ft_client_secret,
            api_base_url=settings.ft_api_base_url,
            token_url=settings.ft_token_url,
            timeout=15.0,
            max_retries=1,
        ) as ft:
            page = await ft.search_offers(OfferQuery(keywords="serveur"), start=0, count=1)
        report(True, f"France Travail: token and offers search ({page.total} offers 'serveur')")
    except FTError as error:
        # FTError messages never hold the secret.
        report(False, f"France Travail: {error}")
    except Exception as error:
        report(False, f"France Travail: {type(error).__name__}")

    bot = Bot(
        settings.telegram_token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_file_base_url,
    )
    try:
        async with bot:
            me = await bot.get_me()
        report(True, f"Telegram: getMe answered @{me.username}")
    except InvalidToken:
        # PTB's message quotes the token: never print it.
        report(False, "Telegram: the bot token was rejected (TELEGRAM_BOT_TOKEN)")
    except TelegramError as error:
        report(False, f"Telegram: {type(error).__name__}")
    except Exception as error:
        report(False, f"Telegram: {type(error).__name__}")
    return all_ok


def cmd_check(args: argparse.Namespace) -> int:
    settings = _load_settings()
    if settings is None:
        print(f"{FAIL} configuration")
        return 2
    setup_logging("WARNING", settings.secret_values())
    return 0 if asyncio.run(_check(settings)) else 1


# --------------------------------------------------------------------------- alerts


def cmd_alerts(args: argparse.Namespace) -> int:
    if not args.once:
        print("alerts: only --once is supported (the running bot sends alerts itself)")
        return 2
    settings = _load_settings()
    if settings is None:
        return 2
    setup_logging(settings.log_level, settings.secret_values())
    from bot import alerts

    report = asyncio.run(alerts.run_once(settings, user_id=args.user))
    print(report.summary())
    return 1 if report.aborted else 0


# --------------------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ft-bot", description="Telegram bot for France Travail job offers."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot (polling, or webhook when WEBHOOK_URL is set)")
    demo = sub.add_parser("demo", help="offline demo: local emulators and a terminal chat")
    demo.add_argument("--offers", type=int, default=3000, help="offers in the emulator dataset")
    demo.add_argument("--seed", type=int, default=42, help="dataset seed")
    demo.add_argument("--log-level", default="WARNING", help="bot logging level (stderr)")
    sub.add_parser("check", help="validate configuration and reach both APIs")
    alerts = sub.add_parser("alerts", help="run the daily alerts once (for cron)")
    alerts.add_argument("--once", action="store_true", help="one cycle now, then exit")
    alerts.add_argument("--user", type=int, default=None, help="serve this user id now")
    return parser


COMMANDS = {"run": cmd_run, "demo": cmd_demo, "check": cmd_check, "alerts": cmd_alerts}


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    sys.exit(COMMANDS[args.command](args))
