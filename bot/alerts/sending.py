"""Telegram side of an alert cycle: one digest message, paced, and what Telegram's answer means.

`send_digest` tells the cycle whether the message was accepted (then, and only then, the offers
are recorded as sent), whether the user blocked the bot, or whether it failed (the user stays
due). `Pacer` spaces the digests evenly just under Telegram's 30 messages/s within one process;
any `SendPacer` (e.g. one shared by several worker processes) can take its place.
"""

from __future__ import annotations

import asyncio
import logging
import math
import warnings
from collections import deque
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from telegram import InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

if TYPE_CHECKING:
    from telegram import Bot

    from bot.alerts.bookkeeping import AlertCycleReport

log = logging.getLogger(__name__)

# When Telegram still says "retry after" once AIORateLimiter gave up, how many more waits we do.
LEFTOVER_RETRY_AFTER_ATTEMPTS = 2


class SendPacer(Protocol):
    """Where a digest waits for its sending slot; a 429 slows every later send."""

    async def wait(self) -> None:
        """Return when the next message may go."""

    async def slow_down(self, seconds: float) -> None:
        """Telegram said "retry after `seconds`": no message goes before that (for everyone
        sharing this pacer)."""


class Pacer:
    """Sends spaced at `rate` per second. Sends that could not go at their time (the event loop
    was busy ranking) may catch up, by at most `burst` messages, and never beyond `rate` sends
    in any one-second window. A larger burst (a second's worth) gained no sending time in the
    benchmark and let up to 37 digests reach Telegram within one second (HTTP requests bunch
    on the way): 4 it stays."""

    def __init__(self, rate: float, burst: int = 4) -> None:
        self.interval = 1.0 / rate
        per_second = max(1, math.floor(rate))
        self.burst = burst
        self.next_at = 0.0
        # Times of the last sends, as many as one second may hold.
        self.window: deque[float] = deque(maxlen=per_second)

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            at = max(now - self.burst * self.interval, self.next_at)
            if len(self.window) == self.window.maxlen:
                at = max(at, self.window[0] + 1.0)
            if at <= now:
                break
            # Several senders may wake for the same slot: each checks again, one takes it.
            await asyncio.sleep(at - now)
        self.next_at = at + self.interval
        # When the send actually goes (late after a busy loop), not when it was due.
        self.window.append(now)

    async def slow_down(self, seconds: float) -> None:
        self.next_at = max(self.next_at, asyncio.get_running_loop().time() + seconds)


class Outcome:
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def retry_after_seconds(exc: RetryAfter) -> float:
    """Telegram's « retry after », in seconds. PTB 22.2+ warns on each read that the attribute
    will become a `timedelta` in its next major version; both types are handled here, so the
    warning (one per 429, in the operator's log) says nothing actionable."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return _seconds(exc.retry_after)


async def send_digest(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    report: AlertCycleReport,
    pacer: SendPacer,
    *,
    paid_broadcast: bool = False,
) -> str:
    """Send one digest; `paid_broadcast` sends it with `allow_paid_broadcast` (above 30/s)."""
    for attempt in range(LEFTOVER_RETRY_AFTER_ATTEMPTS + 1):
        await pacer.wait()
        try:
            await bot.send_message(
                chat_id=chat_id,
                text=text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_paid_broadcast=paid_broadcast or None,
            )
            return Outcome.SENT
        except Forbidden:
            return Outcome.BLOCKED
        except RetryAfter as exc:
            # AIORateLimiter(max_retries=…) already waited; this is what it left to us.
            report.retry_after_waits += 1
            if attempt == LEFTOVER_RETRY_AFTER_ATTEMPTS:
                return Outcome.FAILED
            # Through the pacer: every digest sharing it waits, not only this one.
            await pacer.slow_down(retry_after_seconds(exc) + 0.1)
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                return Outcome.BLOCKED
            log.error("alert digest refused by Telegram: %s", exc.message)
            return Outcome.FAILED
        except TelegramError as exc:
            # Timeouts/network: the message may or may not have gone out; the user stays due and
            # is retried next tick (this is the "in flight" case of the crash guarantee).
            log.warning("alert digest not confirmed by Telegram: %s", type(exc).__name__)
            return Outcome.FAILED
    return Outcome.FAILED
