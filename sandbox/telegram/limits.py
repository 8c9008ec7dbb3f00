"""Telegram's limits as settings, the counters tests read, and the rate-limit token bucket.

The checks live where the limited thing happens (text and keyboard sizes in ``validation``,
rate limits on the send path in ``core``, callback and long-poll timeouts in ``messages`` and
``updates``); this module holds their parameters.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class TelegramLimits:
    """Limits the emulator enforces; all on by default and changeable at run time.

    Sending methods (sendMessage, sendPhoto, sendDocument, sendLocation) draw from a global
    token bucket and a per-chat one. Telegram documents "about 30 messages per second" overall
    and "avoid more than one message per second in a chat" while tolerating short bursts in
    private chats, hence ``per_chat_burst``. A send with ``allow_paid_broadcast`` skips the
    global bucket for the paid one (Telegram: up to 1 000 messages/s, charged in Stars; the
    emulator enforces the rate and counts the messages, it bills nothing); the per-chat limit
    still applies.
    """

    enabled: bool = True
    global_per_second: float = 30.0
    global_burst: int = 30
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 10
    paid_broadcast_per_second: float = 1000.0
    paid_broadcast_burst: int = 1000
    max_text_length: int = 4096
    max_caption_length: int = 1024
    max_callback_data_bytes: int = 64
    max_callback_answer_length: int = 200
    max_inline_buttons: int = 100
    # After this many seconds a callback query can no longer be answered.
    callback_query_ttl: float = 15.0
    max_long_poll_timeout: float = 50.0


@dataclass
class TelegramStats:
    """Counters for tests and benchmarks."""

    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[tuple[str, int]] = field(default_factory=Counter)
    too_many_requests: int = 0
    messages_sent: int = 0
    paid_broadcast_messages: int = 0  # sent with allow_paid_broadcast (0.1 Star each, live)
    # monotonic timestamps of accepted sends, for "max messages in any one-second window" checks
    send_times: list[float] = field(default_factory=list)

    def max_sends_in_window(self, seconds: float = 1.0) -> int:
        best = 0
        start = 0
        for end, stamp in enumerate(self.send_times):
            while stamp - self.send_times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    def reset(self) -> None:
        self.calls.clear()
        self.errors.clear()
        self.too_many_requests = 0
        self.messages_sent = 0
        self.paid_broadcast_messages = 0
        self.send_times.clear()


class TokenBucket:
    def __init__(self) -> None:
        self.tokens: float | None = None
        self.updated = 0.0

    def take(self, now: float, rate: float, capacity: int) -> float:
        """Take one token; return 0 on success or the seconds until one is available."""
        if self.tokens is None:
            self.tokens = float(capacity)
        else:
            self.tokens = min(float(capacity), self.tokens + (now - self.updated) * rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / rate if rate > 0 else math.inf
