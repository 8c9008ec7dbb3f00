"""The terminal chat, in-process (as ``ft-bot demo`` uses it) and as a piped subprocess."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox.console import render_text, run_console
from sandbox.telegram import TelegramEmulator
from tests.helpers_telegram import polling_application

REPO_ROOT = Path(__file__).resolve().parent.parent
PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082"
)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_html(
        '<b>Bienvenue</b> ! Voir <a href="https://www.francetravail.fr">le site</a>.',
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Chercher", callback_data="search")]]
        ),
    )


async def _search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Recherche lancée")
    await query.edit_message_text("Résultats : 3 offres")


async def _photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_photo(PNG_1x1, caption="Carte")


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    if message.location is not None:
        await message.reply_text(f"Position reçue {message.location.latitude}")
    else:
        await message.reply_text(f"Écho : {message.text}")


@pytest.fixture
async def tg() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator() as emulator:
        yield emulator


@pytest.fixture
async def app(tg: TelegramEmulator) -> AsyncIterator[Application]:
    async with polling_application(
        tg,
        CommandHandler("start", _start),
        CommandHandler("carte", _photo),
        CallbackQueryHandler(_search, pattern="^search$"),
        MessageHandler(filters.TEXT | filters.LOCATION, _echo),
    ) as application:
        yield application


async def test_scripted_session_in_process(tg: TelegramEmulator, app: Application) -> None:
    user = tg.user(1, first_name="Léa")
    output = io.StringIO()
    script = io.StringIO("/start\n1\n:loc 48.85 2.35\n:say 1\n7\nfin\n")
    await run_console(tg, user, script, output, quiet=0.2)
    text = output.getvalue()
    expected_in_order = [
        "> /start",
        "Bienvenue ! Voir le site <https://www.francetravail.fr>.",
        "[1] Chercher",
        "> 1",
        "(notification : Recherche lancée)",
        "bot (message 2 modifié) :",
        "Résultats : 3 offres",
        "Position reçue 48.85",
        "Écho : 1",
        "Écho : 7",  # no keyboard left: a number is just text
        "Écho : fin",  # the last answer is printed although input ended
    ]
    positions = [text.index(fragment) for fragment in expected_in_order]
    assert positions == sorted(positions)
    assert "\x1b[" not in text  # no ANSI codes through a pipe


async def test_quit_stops_before_the_remaining_lines(
    tg: TelegramEmulator, app: Application
) -> None:
    user = tg.user(2)
    output = io.StringIO()
    await run_console(tg, user, io.StringIO("bonjour\n/quit\nplus tard\n"), output, quiet=0.1)
    assert "Écho : bonjour" in output.getvalue()
    sent = [m.data.get("text") for m in tg.conversation(2) if not m.from_bot]
    assert sent == ["bonjour"]


async def test_photos_are_saved_and_their_path_printed(
    tg: TelegramEmulator, app: Application, tmp_path: Path
) -> None:
    output = io.StringIO()
    await run_console(tg, 3, io.StringIO("/carte\n"), output, quiet=0.1, files_dir=tmp_path)
    saved = _files_in(tmp_path)
    assert [content for _, content in saved] == [PNG_1x1]
    assert f"[photo enregistrée dans {saved[0][0]}]" in output.getvalue()


def _files_in(folder: Path) -> list[tuple[Path, bytes]]:
    return [(path, path.read_bytes()) for path in sorted(folder.iterdir())]


def test_render_text_with_ansi_styles() -> None:
    entities = (
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 2, "length": 4},
    )
    coloured = render_text("Gras ital", entities, color=True)
    assert coloured == "\x1b[0m\x1b[1mGr\x1b[0m\x1b[1;3mas\x1b[0m\x1b[3m i\x1b[0mtal\x1b[0m"
    assert render_text("Gras ital", entities, color=False) == "Gras ital"


async def test_console_subprocess_through_a_pipe(tg: TelegramEmulator, app: Application) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox.console",
        "--api",
        tg.root_url,
        "--token",
        tg.token,
        "--user-id",
        "77",
        "--first-name",
        "Paul",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(b"/start\n1\nsalut\n"), timeout=60)
    assert process.returncode == 0, stderr.decode()
    text = stdout.decode()
    for fragment in ("Bienvenue", "Résultats : 3 offres", "Écho : salut"):
        assert fragment in text
    assert tg.user(77).first_name == "Paul"


class _WatchedOutput(io.StringIO):
    """Console output that sets an event once ``needle`` has been printed."""

    def __init__(self, needle: str) -> None:
        super().__init__()
        self.needle = needle
        self.printed = asyncio.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.needle in self.getvalue():
            self.printed.set()
        return written


async def test_console_ends_when_the_emulator_closes() -> None:
    read_fd, write_fd = os.pipe()
    output = _WatchedOutput("ping from the bot")
    with os.fdopen(read_fd, encoding="utf-8") as never_ending_input:
        try:
            async with TelegramEmulator() as emulator:
                emulator.user(9)
                console = asyncio.create_task(run_console(emulator, 9, never_ending_input, output))
                async with httpx.AsyncClient(base_url=emulator.base_url + emulator.token) as bot:
                    sent = await bot.post(
                        "/sendMessage", json={"chat_id": 9, "text": "ping from the bot"}
                    )
                    assert sent.json()["ok"]
                # Printed: the console's printer is running and, having nothing more to show,
                # is parked waiting for the next bot message when the emulator closes.
                await asyncio.wait_for(output.printed.wait(), timeout=10)
                assert not console.done()
            # The printer waits up to 25 s per call: ending sooner means the close woke it.
            await asyncio.wait_for(console, timeout=10)
        finally:
            os.close(write_fd)  # ends the reader thread


async def test_console_cli_reports_an_unreachable_emulator() -> None:
    async with TelegramEmulator() as emulator:
        url = emulator.root_url  # closed on exit: nothing listens there afterwards
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox.console",
        "--api",
        url,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    assert "impossible de joindre l'émulateur Telegram" in stderr.decode()
