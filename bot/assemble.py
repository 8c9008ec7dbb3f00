"""The one place that assembles the bot: the application factory plus its optional features.

`bot.app` builds the application with the command handlers and knows nothing of the features;
each feature registers its own handlers and jobs: the daily alerts and the sweep of new offers
always (with ALERT_RUNNER=workers their jobs are left to `ft-bot worker` processes: the bot
keeps the digests' buttons but schedules neither the cycle nor the sweep, or both would send),
the demo's command only in demo mode. Production (`ft-bot run`), the offline demo and
tests all build the bot here and differ only in what they pass.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram.ext import Application, BasePersistence
from telegram.request import BaseRequest

from bot import alerts, demo, sweep_job
from bot.app import DEFAULT_PERSISTENCE, build_core_application
from bot.config import Settings
from bot.services import Services


def build_application(
    settings: Settings,
    *,
    services: Services | None = None,
    base_url: str | None = None,
    base_file_url: str | None = None,
    request: BaseRequest | None = None,
    persistence: BasePersistence | None = DEFAULT_PERSISTENCE,
) -> Application:
    """Build the whole bot (not initialised, not started): see `build_core_application`."""
    features: list[Callable[[Application], None]] = [demo.register] if settings.demo_mode else []
    features.extend((alerts.register, sweep_job.register))
    if settings.alert_runner == "workers":
        features.append(_leave_jobs_to_workers)
    return build_core_application(
        settings,
        features=features,
        services=services,
        base_url=base_url,
        base_file_url=base_file_url,
        request=request,
        persistence=persistence,
    )


def _leave_jobs_to_workers(application: Application) -> None:
    """ALERT_RUNNER=workers: drop the alert and sweep jobs the features scheduled (their
    handlers, such as the "+N autres offres" button, stay)."""
    job_queue = application.job_queue
    if job_queue is None:
        return
    for name in (alerts.JOB_NAME, sweep_job.JOB_NAME):
        for job in job_queue.get_jobs_by_name(name):
            job.schedule_removal()
