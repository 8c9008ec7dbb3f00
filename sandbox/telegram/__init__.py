"""A local emulator of the Telegram Bot API, for tests and the offline demo.

It serves ``/bot<token>/<method>`` on loopback closely enough that python-telegram-bot runs
against it unchanged (``ApplicationBuilder().base_url(tg.base_url)``), enforces Telegram's
limits (HTML entities, 4096 characters, 64-byte callback data, keyboards, 403 for a user who
blocked the bot, 429 with ``retry_after``), and keeps every conversation for inspection.

Tests drive simulated users in-process::

    async with TelegramEmulator(token="123456:TEST-TOKEN") as tg:
        user = tg.user(42, first_name="Léa", language_code="fr")
        await user.send("/start")
        reply = await user.wait_reply(timeout=5)
        await user.press("Oui")

Standalone: ``python -m sandbox.telegram --port 8081``; a small JSON control API under
``/_sandbox/<token>/`` lets ``python -m sandbox.console`` chat from another process.

Layout (``TelegramEmulator`` is ``EmulatorCore`` plus one mixin per group of endpoints):

- ``server``: ``TelegramEmulator``, the aiohttp app, lifecycle and Bot API routing;
- ``core``: shared state, activity events, the send path (chat lookup, rate limits, storage);
- ``bot_profile``, ``messages``, ``media``: the Bot API methods, by subject;
- ``validation``: text, entities and reply markup checks; ``html_entities``: HTML parse mode;
- ``updates``: update queue, getUpdates long polling, webhooks;
- ``driver`` and ``user``: the in-process test driver (``tg.user(...)``, ``SimulatedUser``,
  ``tg.group_member(...)`` for the same person in a group);
- ``control``: the JSON control API; ``__main__``: the command line;
- ``limits``, ``errors``, ``params``, ``state``, ``views``: settings, error answers, request
  parameters, stored state and the driver's views of messages.
"""

from sandbox.telegram.errors import TelegramApiError
from sandbox.telegram.limits import TelegramLimits, TelegramStats
from sandbox.telegram.server import TelegramEmulator
from sandbox.telegram.user import SimulatedUser
from sandbox.telegram.views import BotMessage, Button, CallbackAnswer

__all__ = [
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "SimulatedUser",
    "TelegramApiError",
    "TelegramEmulator",
    "TelegramLimits",
    "TelegramStats",
]
