"""``python -m sandbox.telegram``: serve the emulator on loopback until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from sandbox.telegram.limits import TelegramLimits
from sandbox.telegram.server import TelegramEmulator


async def _serve(args: argparse.Namespace) -> None:
    limits = TelegramLimits(enabled=not args.no_limits)
    emulator = TelegramEmulator(
        token=args.token,
        bot_username=args.username,
        host="127.0.0.1",
        port=args.port,
        limits=limits,
    )
    async with emulator:
        print(f"Telegram Bot API emulator on {emulator.root_url}", flush=True)
        print(f"  TELEGRAM_API_BASE_URL={emulator.base_url}", flush=True)
        print(f"  TELEGRAM_BOT_TOKEN={emulator.token}", flush=True)
        print(
            f"  chat: python -m sandbox.console --api {emulator.root_url} --token {emulator.token}",
            flush=True,
        )
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Telegram Bot API emulator (loopback).")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="ft_job_bot", help="the bot's username")
    parser.add_argument("--no-limits", action="store_true", help="disable rate limits")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
