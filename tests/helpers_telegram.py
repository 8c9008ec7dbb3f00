"""Run a minimal python-telegram-bot Application against the Telegram emulator (test helper)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from telegram.ext import Application, ApplicationBuilder, BaseHandler

from sandbox.telegram import TelegramEmulator


@contextlib.asynccontextmanager
async def polling_application(
    tg: TelegramEmulator, *handlers: BaseHandler, poll_timeout: int = 5
) -> AsyncIterator[Application]:
    """A started Application polling ``tg`` with these handlers; stopped on exit."""
    application = (
        ApplicationBuilder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .build()
    )
    for handler in handlers:
        application.add_handler(handler)
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.1, timeout=poll_timeout)
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
