"""One alert cycle outside the running bot, for cron: `ft-bot alerts --once [--user ID]`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.alerts.bookkeeping import AlertCycleReport
from bot.alerts.cycle import run_alert_cycle
from bot.app import build_core_application
from bot.process_lock import database_lock
from bot.services import Services

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)


async def run_once(settings: Settings, *, user_id: int | None = None) -> AlertCycleReport:
    """One cycle now, outside the running bot: for cron (`ft-bot alerts --once [--user ID]`).

    The Application is built and initialized (getMe, rate limiter) but never polls, so a bot
    running elsewhere with the same token keeps receiving the updates; it has no alert job.
    """
    services = await Services.open(settings)
    try:
        # No persistence: a bot running at the same time owns the conversation state, and this
        # process must not write back what it loaded.
        application = build_core_application(settings, services=services, persistence=None)
        await application.initialize()
        try:
            async with database_lock(services.storage, "alerts") as mine:
                if not mine:
                    report = AlertCycleReport(started_at=datetime.now(UTC), locked_out=True)
                    log.warning("%s", report.summary())
                    return report
                return await run_alert_cycle(services, application.bot, force_user_id=user_id)
        finally:
            await application.shutdown()
    finally:
        await services.close()
