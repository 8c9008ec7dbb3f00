"""The Telegram rate shared by every worker process: a `SendPacer` over storage's rate slots.

Each process takes slots of the one `telegram` rate in blocks (one row update for `block`
messages, so that 1 000 messages/s across all workers is ~50 updates/s, not 1 000), keeps them
locally and hands them to its senders in order. A slot is an instant: a sender sleeps until it.
A slot missed by more than `lateness` (a busy event loop) is dropped, never caught up, so a late
process cannot burst. A 429 (`slow_down`) moves the shared row past the pause: every process's
next block starts after it; only slots already handed out (at most one block per process) can
still go during the pause.
"""

from __future__ import annotations

import asyncio
import collections
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage import Storage

TELEGRAM_RATE = "telegram"
# Shared-row updates per second across all workers at most, whatever the rate.
MAX_BLOCKS_PER_SECOND = 50
MAX_BLOCK = 50


def block_size(rate: float) -> int:
    """Slots per row update: 1 at Telegram's free 30/s, 20 at 1 000/s."""
    return max(1, min(MAX_BLOCK, math.ceil(rate / MAX_BLOCKS_PER_SECOND)))


class SharedPacer:
    """`bot.alerts.sending.SendPacer` for several processes sharing one database."""

    def __init__(self, storage: Storage, rate: float, *, name: str = TELEGRAM_RATE) -> None:
        if not (rate > 0 and math.isfinite(rate)):
            raise ValueError("rate must be a positive number")
        self.storage = storage
        self.rate = rate
        self.name = name
        self.block = block_size(rate)
        # One slot's worth of lateness, and at least 50 ms (a database round trip): the most a
        # late process can add to the rate in any one second.
        self.lateness = max(1.0 / rate, 0.05)
        # (event-loop instant, database instant) of each slot kept locally.
        self._slots: collections.deque[tuple[float, float]] = collections.deque()
        self._refill = asyncio.Lock()
        self.blocks_taken = 0
        # The last slots handed out (event-loop instants): the rate actually granted, readable
        # whatever the machine's load (a sender may wake late; its slot was still this one).
        self.granted: collections.deque[float] = collections.deque(maxlen=1024)
        # The same slots on the database's clock, where all processes' slots are spaced: the
        # loop instants above carry each block's round-trip jitter in their conversion.
        self.granted_shared: collections.deque[float] = collections.deque(maxlen=1024)

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            while self._slots and self._slots[0][0] < now - self.lateness:
                self._slots.popleft()
            if self._slots:
                at, shared_at = self._slots.popleft()
                self.granted.append(at)
                self.granted_shared.append(shared_at)
                break
            async with self._refill:
                if not self._slots:
                    await self._take_block()
        if at > loop.time():
            await asyncio.sleep(at - loop.time())

    async def _take_block(self) -> None:
        slots = await self.storage.take_rate_slots(self.name, self.block, self.rate)
        # Database instants to this loop's clock: the offset from the database's "now".
        offset = asyncio.get_running_loop().time() - slots.now
        self._slots.extend((slots.at(i) + offset, slots.at(i)) for i in range(slots.count))
        self.blocks_taken += 1

    async def slow_down(self, seconds: float) -> None:
        self._slots.clear()  # this process's slots before the pause are void
        await self.storage.pause_rate_slots(self.name, seconds)
