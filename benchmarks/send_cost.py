"""CPU of one digest send: what the HTTP stack alone costs, side by side in one run.

Issue 13 asks for ≤ 2 ms of CPU per served user in the alert workers. A digest is one HTTP
request to Telegram, so the send's own cost is a floor under that figure. This sends the same
digest-like message (HTML text, 10 inline buttons) to the Telegram emulator (in a child
process, its rate limit off, so only the sender's CPU is measured) in four ways, interleaved
over rounds, and prints the process CPU per message of each:

- ``ptb send_message + AIORateLimiter``: the single-process bot's path (its limiter's own cost
  included; the cycle's pacer keeps it under the rate);
- ``ptb send_message``: the workers' path (no limiter, the shared pacer spaces the sends);
- ``ptb do_api_request``: PTB without building the answer's ``Message``;
- ``httpx post``: one ``httpx.AsyncClient`` POST and its JSON answer, nothing else.

    .venv/bin/python benchmarks/send_cost.py                  # 1 000 messages each, 2 rounds
    .venv/bin/python benchmarks/send_cost.py --messages 300 --rounds 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import time
import warnings
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, ApplicationBuilder

from sandbox.telegram import TelegramEmulator
from sandbox.telegram.limits import TelegramLimits

CHATS = 2000
CONCURRENCY = 8  # the cycle's SEND_CONCURRENCY
MODES = (
    "ptb send_message + AIORateLimiter",
    "ptb send_message",
    "ptb do_api_request",
    "httpx post",
)


def emulator_main(conn: Connection) -> None:
    async def serve() -> None:
        # Unlimited: the limiter would only add waiting, and waiting costs no CPU here.
        async with TelegramEmulator(limits=TelegramLimits(enabled=False)) as tg:
            for chat_id in range(1, CHATS + 1):
                tg.user(chat_id)
            conn.send((tg.base_url, tg.token))
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)

    asyncio.run(serve())


def digest() -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        f'• <a href="https://candidat.francetravail.fr/offres/{i}">Serveur H/F</a> 87 %'
        for i in range(5)
    ]
    buttons = [
        [
            InlineKeyboardButton("⭐", callback_data=f"fv:{i}"),
            InlineKeyboardButton("🙈", callback_data=f"hd:{i}"),
        ]
        for i in range(5)
    ]
    return "<b>5 nouvelles offres</b>\n" + "\n".join(lines), InlineKeyboardMarkup(buttons)


async def measure(base_url: str, token: str, mode: str, messages: int) -> float:
    """CPU seconds per message of `mode` (after a warm-up of 50)."""
    builder = ApplicationBuilder().token(token).base_url(base_url)
    if mode.endswith("AIORateLimiter"):
        # Its overall limit is lifted: the emulator does not limit either, only CPU counts.
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=3))
    app = builder.build()
    await app.initialize()
    text, markup = digest()
    raw_body = {"text": text, "parse_mode": "HTML", "reply_markup": markup.to_dict()}
    slots = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(timeout=30) as client:
        url = f"{base_url}{token}/sendMessage"

        async def send(i: int) -> None:
            chat = 1 + i % CHATS
            async with slots:
                if mode.startswith("ptb send_message"):
                    await app.bot.send_message(
                        chat_id=chat,
                        text=text,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
                elif mode == "ptb do_api_request":
                    await app.bot.do_api_request(
                        "sendMessage",
                        api_kwargs={
                            "chat_id": chat,
                            **raw_body,
                            "link_preview_options": {"is_disabled": True},
                        },
                    )
                else:
                    body = json.dumps(
                        {"chat_id": chat, **raw_body, "link_preview_options": {"is_disabled": True}}
                    )
                    answer = await client.post(
                        url, content=body, headers={"content-type": "application/json"}
                    )
                    answer.raise_for_status()
                    answer.json()

        async def run(count: int, offset: int) -> None:
            await asyncio.gather(*(send(offset + i) for i in range(count)))

        await run(50, 0)
        cpu = await _cpu_of(lambda: run(messages, 50))
    await app.shutdown()
    return cpu / messages


async def _cpu_of(work: Callable[[], Awaitable[None]]) -> float:
    started = time.process_time()
    await work()
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    # PTB asks to call its method rather than do_api_request: that is the point measured here.
    warnings.filterwarnings("ignore", message=".*do_api_request.*")
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=emulator_main, args=(child,))
    process.start()
    try:
        base_url, token = parent.recv()
        results: dict[str, list[float]] = {mode: [] for mode in MODES}
        for _ in range(args.rounds):
            for mode in MODES:
                results[mode].append(asyncio.run(measure(base_url, token, mode, args.messages)))
    finally:
        parent.send("stop")
        process.join(timeout=10)
    floor = statistics.median(results["httpx post"])
    print(
        f"CPU per message, {args.messages} messages × {args.rounds} rounds, {CONCURRENCY} at once:"
    )
    for mode in MODES:
        value = statistics.median(results[mode])
        print(f"  {mode:36s} {1000 * value:5.2f} ms   ({value / floor:.2f} × httpx post)")
    print("target of issue 13: ≤ 2 ms per served user, ranking, SQL and sending together")
    return 0


if __name__ == "__main__":
    sys.exit(main())
