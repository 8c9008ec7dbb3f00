"""Command line: `ft-bot run | demo | check | alerts --once [--user ID] | sweep --once | worker`
(also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.config import ConfigError, Settings, setup_logging
from bot.startup import (
    StartupProblem,
    check_database,
    check_france_travail,
    check_telegram,
    crash_line,
)

logger = logging.getLogger("bot")

OK = "✓"
FAIL = "✗"
# What must never be printed, crash output included: filled once the settings are read.
_secrets: tuple[str, ...] = ()


def _load_settings(*, require_credentials: bool = True) -> Settings | None:
    global _secrets
    try:
        settings = Settings.from_env(require_credentials=require_credentials)
    except ConfigError as error:
        print("Configuration error (see .env.example):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return None
    _secrets = settings.secret_values()
    return settings


def _fail(line: str) -> int:
    """Print a start-up failure as one line on stderr; exit code 1."""
    print(f"{FAIL} {line}", file=sys.stderr, flush=True)
    return 1


# --------------------------------------------------------------------------- run


async def _run_checks(settings: Settings) -> None:
    """The database and Telegram must work; France Travail failing only warns: profiles, help
    and favourites still work, and searches recover once it answers."""
    await check_telegram(settings)
    await check_database(settings)
    try:
        await check_france_travail(settings)
    except StartupProblem as problem:
        logger.warning("%s (starting anyway: searches and alerts fail until fixed)", problem.line)


def _runner_problem(settings: Settings) -> str | None:
    """ALERT_RUNNER=workers without PostgreSQL: nobody would send the alerts."""
    if settings.alert_runner == "workers" and not settings.database_url:
        return (
            "ALERT_RUNNER=workers needs PostgreSQL shared with the workers: set "
            "DATABASE_URL=postgresql://…, or ALERT_RUNNER=bot for one process on SQLite"
        )
    return None


def cmd_run(args: argparse.Namespace) -> int:
    settings = _load_settings()
    if settings is None:
        return 2
    if (problem := _runner_problem(settings)) is not None:
        return _fail(problem)
    setup_logging(settings.log_level, settings.secret_values())
    from telegram import Update

    from bot.assemble import build_application

    # The checks run in the loop that run_polling/run_webhook then use (they take the current
    # one), so that nothing is left bound to a closed loop.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(_run_checks(settings))
    except StartupProblem as problem:
        loop.close()
        return _fail(problem.line)

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
    from bot.demo_runner import run_demo

    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(run_demo(offer_count=args.offers, seed=args.seed))
    return 130


# --------------------------------------------------------------------------- check


async def _check(settings: Settings) -> bool:
    from ft_client.referential import Referential

    all_ok = True

    def report(ok: bool, what: str) -> None:
        nonlocal all_ok
        all_ok = all_ok and ok
        print(f"{OK if ok else FAIL} {what}", flush=True)

    report(True, "configuration")
    runner_problem = _runner_problem(settings)
    if runner_problem is not None:
        report(False, runner_problem)
    elif settings.alert_runner == "workers":
        report(True, "alerts and sweep: run by `ft-bot worker` processes (ALERT_RUNNER=workers)")
    else:
        report(True, "alerts and sweep: run by the bot process (ALERT_RUNNER=bot)")
    try:
        referential = Referential.load()
        report(True, f"referentials: {len(referential.job_codes())} ROME jobs")
    except Exception as error:
        report(False, f"referentials: {crash_line(error, settings.secret_values())}")

    try:
        await check_database(settings)
        report(True, f"database: {settings.database_display}")
    except StartupProblem as problem:
        report(False, problem.line)

    try:
        total = await check_france_travail(settings)
        report(True, f"France Travail: token and offers search ({total} offers 'serveur')")
        france_travail_ok = True
    except StartupProblem as problem:
        report(False, problem.line)
        france_travail_ok = False

    if france_travail_ok:
        from bot.service_check import print_services

        await print_services(settings)  # optional services: listed ✓/✗, never failing the check
    else:
        # One line per problem: the failure above already names it.
        print("· France Travail services: not checked (see above)", flush=True)

    try:
        username = await check_telegram(settings)
        report(True, f"Telegram: getMe answered @{username}")
    except StartupProblem as problem:
        report(False, problem.line)
    return all_ok


def cmd_check(args: argparse.Namespace) -> int:
    settings = _load_settings()
    if settings is None:
        print(f"{FAIL} configuration")
        return 2
    setup_logging("WARNING", settings.secret_values())
    return 0 if asyncio.run(_check(settings)) else 1


# --------------------------------------------------------------------------- alerts


async def _alerts_once(settings: Settings, user_id: int | None) -> int:
    from bot import alerts

    # Without any of the three there is no alert to send: stop before starting the cycle.
    await check_telegram(settings)
    await check_database(settings)
    await check_france_travail(settings)
    report = await alerts.run_once(settings, user_id=user_id)
    print(report.summary())
    return 1 if report.aborted else 0


def cmd_alerts(args: argparse.Namespace) -> int:
    if not args.once:
        print("alerts: only --once is supported (the running bot sends alerts itself)")
        return 2
    settings = _load_settings()
    if settings is None:
        return 2
    if settings.alert_runner == "workers" and args.user is None:
        # A cycle here and the workers' digests at once would serve the same users twice.
        return _fail(
            "alerts --once: the workers send the alerts (ALERT_RUNNER=workers); "
            "--user ID still serves one user now"
        )
    setup_logging(settings.log_level, settings.secret_values())
    try:
        return asyncio.run(_alerts_once(settings, args.user))
    except StartupProblem as problem:
        return _fail(problem.line)


# --------------------------------------------------------------------------- sweep


async def _sweep_once(settings: Settings) -> int:
    from bot.sweep_job import sweep_once

    await check_database(settings)
    await check_france_travail(settings)
    outcome = await sweep_once(settings)
    if outcome is None:
        print("sweep: another process is sweeping this database; nothing done")
        return 1
    print(outcome.summary())
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    if not args.once:
        print("sweep: only --once is supported (the running bot sweeps every SWEEP_MINUTES)")
        return 2
    settings = _load_settings()
    if settings is None:
        return 2
    setup_logging("WARNING", settings.secret_values())  # the one line below is the report
    try:
        return asyncio.run(_sweep_once(settings))
    except StartupProblem as problem:
        return _fail(problem.line)


# --------------------------------------------------------------------------- worker


async def _worker(settings: Settings, name: str, concurrency: int) -> int:
    from bot.worker import run_worker

    # Wrong password or unreachable server: one line (check_database), before any engine starts.
    await check_database(settings)
    await check_telegram(settings)
    try:
        await check_france_travail(settings)
    except StartupProblem as problem:
        logger.warning("%s (starting anyway: sweeps and digests fail until fixed)", problem.line)
    return await run_worker(settings, name=name, concurrency=concurrency)


def cmd_worker(args: argparse.Namespace) -> int:
    settings = _load_settings()
    if settings is None:
        return 2
    if not settings.database_url:
        return _fail(
            "ft-bot worker needs PostgreSQL: set DATABASE_URL=postgresql://… "
            "(the workers share it; DATABASE_PATH is SQLite, for one process)"
        )
    if settings.alert_runner != "workers":
        return _fail(
            "ft-bot worker needs ALERT_RUNNER=workers, for the bot process too: with "
            "ALERT_RUNNER=bot the bot sends the alerts itself and both would send them"
        )
    setup_logging(settings.log_level, settings.secret_values())
    from bot.worker import default_name

    name = args.name or default_name()
    concurrency = args.concurrency or settings.worker_concurrency
    try:
        return asyncio.run(_worker(settings, name, concurrency))
    except StartupProblem as problem:
        return _fail(problem.line)


def _concurrency(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 200:
        raise argparse.ArgumentTypeError("must be between 1 and 200")
    return number


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
    sweep = sub.add_parser("sweep", help="fetch the new offers into the offers table once")
    sweep.add_argument("--once", action="store_true", help="one sweep now, then exit")
    worker = sub.add_parser(
        "worker",
        help="send alert digests and sweep offers, sharing PostgreSQL with other workers",
        description="A worker process (any number, on any machine sharing DATABASE_URL): "
        "sweeps new offers and sends the due digests at the Telegram rate shared by all "
        "workers. Needs DATABASE_URL=postgresql://… and ALERT_RUNNER=workers. "
        "Stops cleanly on SIGTERM or Ctrl-C.",
    )
    worker.add_argument("--name", default=None, help="name in the logs (default: host name)")
    worker.add_argument(
        "--concurrency",
        type=_concurrency,
        default=None,
        help="digest jobs at once in this process (default: WORKER_CONCURRENCY, 10)",
    )
    return parser


COMMANDS = {
    "run": cmd_run,
    "demo": cmd_demo,
    "check": cmd_check,
    "alerts": cmd_alerts,
    "sweep": cmd_sweep,
    "worker": cmd_worker,
}


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
    except KeyboardInterrupt:
        code = 130
    except Exception as error:
        # One line, never a traceback nor a secret (PTB's messages may quote the token); the
        # traceback only at LOG_LEVEL=DEBUG, where the log formatter masks the secrets.
        logger.debug("ft-bot %s stopped", args.command, exc_info=True)
        code = _fail(
            f"ft-bot {args.command} stopped: {crash_line(error, _secrets)} "
            "(LOG_LEVEL=DEBUG shows where)"
        )
    sys.exit(code)
