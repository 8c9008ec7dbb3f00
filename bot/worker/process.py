"""One `ft-bot worker` process: two procrastinate workers in one event loop, stopped cleanly.

- `periodic` queue, concurrency 2: sweep, planning, stalled-job retry, clean-up (a sweep, one
  at a time across workers, leaves the other slot to planning and takeovers);
- `digests` queue, concurrency WORKER_CONCURRENCY: one alert cycle per batch of users.

The process handles SIGTERM and SIGINT itself (procrastinate's own handlers are off: with two
workers in one loop they would stop only one): both workers stop taking jobs, the running ones
get `SHUTDOWN_GRACE_SECONDS` to finish, then the process exits 0. It needs no Telegram updates:
its `Bot` only sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from typing import TYPE_CHECKING

from procrastinate import App
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.alerts.cycle import SEND_CONCURRENCY, SEND_RATE
from bot.config import FREE_BROADCAST_RATE
from bot.worker.engine import (
    DIGESTS_QUEUE,
    PERIODIC_QUEUE,
    RUNTIME_KEY,
    build_app,
    ensure_schema,
)
from bot.worker.pacing import SharedPacer
from bot.worker.tasks import WorkerRuntime
from bot.worker.warmup import open_worker_services

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

# Under systemd's default TimeoutStopSec (90 s) and the unit's 30 s: jobs still running after
# this are cancelled (their users stay due and are planned again).
SHUTDOWN_GRACE_SECONDS = 20.0
MAX_TELEGRAM_CONNECTIONS = 256
# A send whose answer is not read in time counts as failed and its user is served again later,
# although Telegram may have accepted it: PTB's 5 s default made a busy worker (ranking for ten
# jobs at once) send hundreds of duplicates in benchmarks/alert_workers.py. Telegram answers in
# well under a second; a worker that cannot read it within 30 s is overloaded.
TELEGRAM_TIMEOUT_SECONDS = 30.0
# Periodic jobs at once: a sweep (minutes long, one at a time everywhere: its lock) never holds
# up planning or the takeover of a dead worker's jobs, which need the other slot.
PERIODIC_CONCURRENCY = 2


def default_name() -> str:
    return socket.gethostname()


def shared_rate(settings: Settings) -> float:
    """Messages per second across all workers: the configured paid rate, else just under the
    free 30/s (as the single-process cycle does)."""
    rate = settings.telegram_broadcast_rate
    return rate if rate > FREE_BROADCAST_RATE else min(rate, SEND_RATE)


def sending_bot(settings: Settings, concurrency: int) -> Bot:
    """A Bot that only sends: enough connections for every digest in flight, no rate limiter
    (the shared pacer spaces the sends)."""
    connections = min(concurrency * SEND_CONCURRENCY + 4, MAX_TELEGRAM_CONNECTIONS)
    return Bot(
        settings.telegram_token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_file_base_url,
        request=HTTPXRequest(
            connection_pool_size=connections,
            read_timeout=TELEGRAM_TIMEOUT_SECONDS,
            write_timeout=TELEGRAM_TIMEOUT_SECONDS,
            connect_timeout=10.0,
            pool_timeout=TELEGRAM_TIMEOUT_SECONDS,
        ),
    )


async def run_worker(settings: Settings, *, name: str, concurrency: int) -> int:
    """Run until SIGTERM/SIGINT (exit code 0) or until a worker fails (exit code 1)."""
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        # procrastinate logs every job's start and end at INFO: the stalled-job check alone
        # would be two lines every 5 s. Ours say what matters; LOG_LEVEL=DEBUG shows theirs.
        logging.getLogger("procrastinate").setLevel(logging.WARNING)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # Workers never suggest jobs from a person's words (the bot process does): the semantic
    # model (~110 MiB resident) is not loaded unless the operator asks for it.
    os.environ.setdefault("FT_SEMANTIC", "0")
    # Only what ranking uses is built at start-up (~145 MiB less than the bot's warm-up).
    services = await open_worker_services(settings)
    bot = sending_bot(settings, concurrency)
    try:
        await bot.initialize()
        runtime = WorkerRuntime(
            settings, services, bot, SharedPacer(services.storage, shared_rate(settings))
        )
        app = build_app(settings, pool_size=8)
        async with app.open_async():
            await ensure_schema(app, services.storage)
            return await _serve(app, runtime, stop, name=name, concurrency=concurrency)
    finally:
        with contextlib.suppress(Exception):
            await bot.shutdown()
        await services.close()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


async def _serve(
    app: App, runtime: WorkerRuntime, stop: asyncio.Event, *, name: str, concurrency: int
) -> int:
    settings = runtime.settings
    common = {
        "install_signal_handlers": False,
        "additional_context": {RUNTIME_KEY: runtime},
        "update_heartbeat_interval": settings.worker_heartbeat_seconds,
        "stalled_worker_timeout": settings.worker_stalled_seconds,
        "shutdown_graceful_timeout": SHUTDOWN_GRACE_SECONDS,
        "delete_jobs": "successful",
    }
    workers = [
        asyncio.create_task(
            app.run_worker_async(
                queues=[PERIODIC_QUEUE],
                concurrency=PERIODIC_CONCURRENCY,
                name=f"{name}/periodic",
                **common,
            ),
            name="periodic worker",
        ),
        asyncio.create_task(
            app.run_worker_async(
                queues=[DIGESTS_QUEUE], concurrency=concurrency, name=f"{name}/digests", **common
            ),
            name="digests worker",
        ),
    ]
    stopping = asyncio.create_task(stop.wait(), name="stop signal")
    log.info(
        "worker %s ready: %d digest(s) at once, %.0f messages/s shared by all workers",
        name,
        concurrency,
        shared_rate(settings),
    )
    done, _ = await asyncio.wait([stopping, *workers], return_when=asyncio.FIRST_COMPLETED)
    failed = stopping not in done
    if failed:
        log.error("a procrastinate worker stopped unexpectedly: stopping this process")
    else:
        log.info("worker %s stopping: waiting for its running jobs", name)
    for task in (*workers, stopping):
        task.cancel()
    results = await asyncio.gather(*workers, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
            failed = True
            log.error("worker failure: %s", type(result).__name__)
    log.info("worker %s stopped", name)
    return 1 if failed else 0
