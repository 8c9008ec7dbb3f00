"""Terminal chat with a bot running against the Telegram emulator.

In-process (what ``ft-bot demo`` uses)::

    async with TelegramEmulator() as tg:
        ...start the bot against tg.base_url...
        await run_console(tg, tg.user(1, first_name="Léa"))

From another process, against ``python -m sandbox.telegram --port 8081``::

    python -m sandbox.console --api http://127.0.0.1:8081 --token 123456:TEST-TOKEN

The person types messages; bot messages are printed as text (bold/italic/underline with ANSI
colours on a terminal, plain through a pipe); inline keyboards are shown as numbered buttons,
picked by typing their number; photos and documents are saved to a temporary folder whose path
is printed. Console commands: ``:loc LAT LON`` sends a location, ``:say TEXT`` sends TEXT
literally (e.g. a number that would otherwise pick a button), ``:help``, and ``/quit`` or
``:quit`` to leave. Through a pipe every line waits for the bot to answer and fall quiet
(bounded) before the next one is sent, and end of input waits the same way, so a scripted
session sees the last answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from sandbox.console_backends import ConsoleBackend, ConsoleEvents, HttpBackend, InProcessBackend
from sandbox.console_render import render_message, render_text
from sandbox.telegram import BotMessage, Button, SimulatedUser, TelegramEmulator

__all__ = [
    "ConsoleBackend",
    "ConsoleEvents",
    "HttpBackend",
    "InProcessBackend",
    "render_message",
    "render_text",
    "run_console",
]

HELP = (
    "Tapez un message puis Entrée. Un numéro appuie sur un bouton du dernier clavier.\n"
    "  :loc LAT LON   envoyer une position (par ex. :loc 48.8566 2.3522)\n"
    "  :say TEXTE     envoyer TEXTE tel quel (par ex. un nombre)\n"
    "  :help          revoir cette aide\n"
    "  /quit          quitter"
)
BANNER = "Discussion avec le bot. "


class _Console:
    def __init__(
        self,
        backend: ConsoleBackend,
        output: TextIO,
        *,
        color: bool,
        echo: bool,
        settle: bool,
        reply_timeout: float,
        quiet: float,
        files_dir: Path | None,
        message_index: int,
        answer_index: int,
    ) -> None:
        self.backend = backend
        self.output = output
        self.color = color
        self.echo = echo
        self.settle_after_input = settle
        self.reply_timeout = reply_timeout
        self.quiet = quiet
        self.files_dir = files_dir
        self.message_index = message_index
        self.answer_index = answer_index
        self.received = 0  # events printed so far (messages and answers)
        # `received` when the last input was acted on, while its answer is still awaited
        self.awaiting_since: int | None = None
        self.changed = asyncio.Event()
        # message_id -> latest view, to number the buttons of the latest inline keyboard
        self.latest: dict[int, BotMessage] = {}

    def write(self, text: str) -> None:
        self.output.write(text + "\n")
        self.output.flush()

    def keyboard(self) -> BotMessage | None:
        with_buttons = [m for m in self.latest.values() if m.buttons and not m.deleted]
        return max(with_buttons, key=lambda m: m.message_id) if with_buttons else None

    def reply_keyboard(self) -> tuple[tuple[dict[str, Any], ...], ...] | None:
        for message in sorted(self.latest.values(), key=lambda m: m.message_id, reverse=True):
            if message.remove_keyboard:
                return None
            if message.reply_keyboard:
                return message.reply_keyboard
        return None

    async def pump(self) -> None:
        """Print the bot's messages and notifications as they arrive."""
        import aiohttp

        while not self.backend.closed:
            try:
                events = await self.backend.events(self.message_index, self.answer_index, 25.0)
            except (aiohttp.ClientError, OSError) as error:
                self.write(f"(console : plus de contact avec l'émulateur : {error})")
                return
            for message in events.messages:
                self.latest[message.message_id] = message
                self.write(render_message(message, color=self.color, files_dir=self.files_dir))
            for answer in events.answers:
                if answer.text:
                    kind = "alerte" if answer.show_alert else "notification"
                    self.write(f"({kind} : {answer.text})")
            self.message_index += len(events.messages)
            self.answer_index += len(events.answers)
            if events.messages or events.answers:
                self.received += len(events.messages) + len(events.answers)
                self.changed.set()
                self.changed = asyncio.Event()

    async def wait_for_bot(self) -> None:
        """Wait for the answer to the last input (bounded), then for ``quiet`` s of silence."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.reply_timeout
        since, self.awaiting_since = self.awaiting_since, None
        while since is not None and self.received == since:
            if not await self._wait_change(deadline - loop.time()):
                return
        while await self._wait_change(min(self.quiet, deadline - loop.time())):
            pass

    async def _wait_change(self, seconds: float) -> bool:
        if seconds <= 0:
            return False
        try:
            await asyncio.wait_for(self.changed.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def handle(self, line: str) -> bool:
        """Act on one input line; False when the person leaves."""
        text = line.strip()
        if not text:
            return True
        if text in ("/quit", ":quit", ":q"):
            return False
        if text in (":help", ":h"):
            self.write(HELP)
            return True
        if self.echo:
            self.write(f"> {text}")
        since = self.received
        try:
            acted = await self._act(text)
        except (RuntimeError, ValueError, AssertionError) as error:
            self.write(f"(console : {error})")
            return True
        if acted:
            self.awaiting_since = since
            if self.settle_after_input:
                await self.wait_for_bot()
        return True

    async def _act(self, text: str) -> bool:
        if text.startswith(":loc"):
            parts = text.replace(",", " ").split()
            try:
                latitude, longitude = (float(part) for part in parts[1:])
            except ValueError:  # wrong count or not numbers
                self.write("(console : utilisation : :loc LAT LON, par ex. :loc 48.8566 2.3522)")
                return False
            await self.backend.send_location(latitude, longitude)
            return True
        if text.startswith(":say "):
            await self.backend.send(text[len(":say ") :])
            return True
        if text.isdigit():
            keyboard = self.keyboard()
            buttons: list[Button] = [b for row in keyboard.buttons for b in row] if keyboard else []
            number = int(text)
            if keyboard is not None and 1 <= number <= len(buttons):
                button = buttons[number - 1]
                if button.callback_data is not None:
                    await self.backend.press(keyboard.message_id, button.callback_data)
                    return True
                self.write(f"(lien : {button.url})")
                return False
        await self.backend.send(text)
        return True


async def run_console(
    emulator: TelegramEmulator | ConsoleBackend | None,
    user: SimulatedUser | int | None = None,
    input: TextIO | None = None,
    output: TextIO | None = None,
    *,
    color: bool | None = None,
    settle: bool | None = None,
    reply_timeout: float = 10.0,
    quiet: float = 0.6,
    files_dir: Path | None = None,
    banner: bool = True,
) -> None:
    """Chat as ``user`` until ``/quit`` or end of input.

    ``emulator`` is the in-process TelegramEmulator (with ``user`` a SimulatedUser or an id), or
    a ConsoleBackend such as HttpBackend. Input lines are read by a thread so the event loop
    (and the bot sharing it) never blocks. ``color`` defaults to "output is a terminal";
    ``settle`` (wait for the bot after each line) defaults to "input is not a terminal".
    """
    stream_in = input if input is not None else sys.stdin
    stream_out = output if output is not None else sys.stdout
    if isinstance(emulator, TelegramEmulator):
        sim = user if isinstance(user, SimulatedUser) else emulator.user(int(user or 1))
        backend: ConsoleBackend = InProcessBackend(sim)
        message_index, answer_index = len(sim.all_replies()), len(sim.callback_answers)
    elif emulator is None and isinstance(user, SimulatedUser):
        backend = InProcessBackend(user)
        message_index, answer_index = len(user.all_replies()), len(user.callback_answers)
    elif emulator is not None:
        backend = emulator
        message_index = answer_index = 0
    else:
        raise TypeError("run_console needs an emulator, a SimulatedUser or a ConsoleBackend")
    console = _Console(
        backend,
        stream_out,
        color=_isatty(stream_out) if color is None else color,
        echo=not _isatty(stream_in),  # a scripted transcript shows what was typed
        settle=not _isatty(stream_in) if settle is None else settle,
        reply_timeout=reply_timeout,
        quiet=quiet,
        files_dir=files_dir,
        message_index=message_index,
        answer_index=answer_index,
    )
    if banner:
        console.write(BANNER + HELP)
    lines = _read_lines_in_thread(stream_in)
    pump = asyncio.create_task(console.pump())
    try:
        while True:
            get_line = asyncio.ensure_future(lines.get())
            await asyncio.wait({get_line, pump}, return_when=asyncio.FIRST_COMPLETED)
            if pump.done():  # the emulator closed or is unreachable
                get_line.cancel()
                pump.result()  # re-raise an unexpected error of the printer
                return
            line = get_line.result()
            if line is None:  # end of input: let the bot finish answering
                await console.wait_for_bot()
                return
            if not await console.handle(line):
                return
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _read_lines_in_thread(stream: TextIO) -> asyncio.Queue[str | None]:
    """Lines of ``stream`` in a queue filled by a daemon thread; None marks end of input."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def put(item: str | None) -> bool:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            return False
        return True

    def read() -> None:
        try:
            for line in iter(stream.readline, ""):
                if not put(line):
                    return
        except (OSError, ValueError):
            pass
        put(None)

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    return queue


# --------------------------------------------------------------------------- CLI


async def _main(args: argparse.Namespace) -> int:
    import aiohttp

    backend = HttpBackend(args.api, args.token, args.user_id)
    try:
        try:
            await backend.create_user(args.first_name, args.language)
        except (aiohttp.ClientError, OSError, RuntimeError) as error:
            print(
                f"impossible de joindre l'émulateur Telegram à {args.api} : {error}",
                file=sys.stderr,
            )
            return 1
        await run_console(backend, reply_timeout=args.reply_timeout)
    finally:
        await backend.aclose()
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Discuter avec un bot à travers l'émulateur Telegram."
    )
    parser.add_argument(
        "--api", default="http://127.0.0.1:8081", help="adresse racine de l'émulateur"
    )
    parser.add_argument("--token", default="123456:TEST-TOKEN", help="le jeton du bot")
    parser.add_argument(
        "--user-id", type=int, default=100001, help="identifiant Telegram de l'utilisateur simulé"
    )
    parser.add_argument("--first-name", default="Léa", help="prénom de l'utilisateur simulé")
    parser.add_argument("--language", default="fr", help="code de langue de l'utilisateur")
    parser.add_argument(
        "--reply-timeout",
        type=float,
        default=10.0,
        help="attente maximale d'une réponse du bot, en secondes (entrée non interactive)",
    )
    args = parser.parse_args(argv)
    code = 0
    with contextlib.suppress(KeyboardInterrupt):
        code = asyncio.run(_main(args))
    sys.exit(code)


if __name__ == "__main__":
    main()
