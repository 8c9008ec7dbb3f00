"""Fixtures shared by the Telegram emulator tests (``tests/test_telegram_emulator*.py``).

``tg``: the emulator; ``app``: a real python-telegram-bot Application polling it, with a few
handlers (``/start`` with a keyboard, its callback, an echo). Test modules bind the fixtures by
assignment (``tg = helpers_telegram_emulator.tg``), like ``tests/helpers_storage.py``'s.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox.telegram import TelegramEmulator

TOKEN = "123456:TEST-TOKEN"


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_html(
        "<b>Bonjour</b> &amp; bienvenue, <i>Léa</i> !",
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Oui", callback_data="answer:yes"),
                    InlineKeyboardButton("Non", callback_data="answer:no"),
                ],
                [InlineKeyboardButton("Site", url="https://www.francetravail.fr")],
            ]
        ),
    )


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer(f"Reçu : {query.data}")
    await query.edit_message_text(f"Vous avez choisi <b>{query.data}</b>", parse_mode="HTML")


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    if message.location is not None:
        await message.reply_text(f"Position {message.location.latitude:.2f}")
    else:
        await message.reply_text(f"Écho : {message.text}")


@pytest.fixture
async def tg() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator(token=TOKEN, bot_username="ft_job_bot") as emulator:
        yield emulator


@pytest.fixture
async def app(tg: TelegramEmulator) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_answer, pattern=r"^answer:"))
    application.add_handler(MessageHandler(filters.TEXT | filters.LOCATION, _echo))
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.1, timeout=5)
    await application.start()
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
