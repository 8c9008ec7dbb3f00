"""The alert job of the running bot: one repeating JobQueue tick runs a cycle, and the handler of
the digests' "+N autres offres" button.

A tick never overlaps another cycle: not in this process (the state's lock), not in another one
sharing the database (`ft-bot alerts --once` from cron: `bot.process_lock.database_lock`).
"""

from __future__ import annotations

import logging

from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot import callbacks
from bot.alerts.cycle import run_alert_cycle
from bot.alerts.fetching import AlertState
from bot.alerts.more import MORE_ACTION, on_more_pressed
from bot.hidden_offers import move_legacy_lists
from bot.process_lock import database_lock

log = logging.getLogger(__name__)

JOB_NAME = "alerts"
# First tick soon after start-up, so alerts missed while the bot was down go out quickly.
FIRST_TICK_DELAY_SECONDS = 10.0


async def _alert_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    state: AlertState = context.job.data  # type: ignore[union-attr]
    if state.lock.locked():
        log.info("alert cycle still running: tick skipped")
        return
    async with state.lock:
        services = context.application.bot_data["services"]
        async with database_lock(services.storage, "alerts") as mine:
            if not mine:
                log.info("another process is running an alert cycle: tick skipped")
                return
            if not state.legacy_hidden_moved:
                moved = await move_legacy_lists(services.storage, context.application.user_data)
                state.legacy_hidden_moved = True
                if moved:
                    log.info("hidden offers of %d user(s) moved out of user_data", moved)
            await run_alert_cycle(services, context.bot, state=state)


def register(application: Application) -> None:
    """Add the one repeating alert job and the "+N autres offres" button handler.

    `bot.assemble` calls it while building the bot."""
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError(
            "alerts need PTB's JobQueue: install python-telegram-bot[job-queue,rate-limiter]"
        )
    tick = _tick_seconds(application)
    job_queue.run_repeating(
        _alert_tick,
        interval=tick,
        first=min(FIRST_TICK_DELAY_SECONDS, float(tick)),
        name=JOB_NAME,
        # Not in bot_data: that is persisted, and this holds a lock.
        data=AlertState(),
        job_kwargs={
            # A tick delayed by a busy loop still runs (up to one tick late); piled-up ticks
            # collapse into one; never two cycles at once.
            "misfire_grace_time": tick,
            "coalesce": True,
            "max_instances": 1,
        },
    )
    handler = CallbackQueryHandler(on_more_pressed, pattern=callbacks.pattern(MORE_ACTION))
    application.add_handler(handler, group=0)
    # The catch-all "stale button" fallback (`bot.callbacks.register`) may be registered already:
    # ours must be consulted before it (the first matching handler of a group wins).
    group = application.handlers[0]
    group.remove(handler)
    fallback = next(
        (
            i
            for i, h in enumerate(group)
            if isinstance(h, CallbackQueryHandler) and h.pattern is None
        ),
        len(group),
    )
    group.insert(fallback, handler)


def _tick_seconds(application: Application) -> int:
    services = application.bot_data.get("services")
    settings = getattr(services, "settings", None) or application.bot_data.get("settings")
    return int(getattr(settings, "alert_tick_seconds", 60))
