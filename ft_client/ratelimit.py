"""Client-side rate limiting, one limiter per France Travail API.

The API enforces a limit per application and API (offers: 10 calls/s, burst 10) and answers
429 beyond it. We keep a sliding window on our side: at most ``burst`` calls in any
``burst / rate`` seconds, with ``rate`` a little under the documented one (``headroom``).

What the server counts is when calls *arrive*, and arrivals bunch up: a burst that opens
new connections reaches the server later than a call on a warm keep-alive connection. So a
slot is also held until its call has finished (at most ``max_hold`` seconds), and a new call
waits for a full exact window (``burst / rate``, no headroom) after the finish of the call it
replaces. A call cannot arrive after its own response, so the server never sees more than
``burst`` arrivals in any ``burst / rate`` seconds, whatever the jitter.

(aiolimiter, already installed, offers a leaky bucket only: spaced calls with no catch-up,
measured at 0.93 of the limit against 0.95 here, and no arrival guarantee.)

A 429 that still arrives pauses the whole API for its ``Retry-After``, so the tasks queued
behind it do not hit the same wall.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque


class Slot:
    """One call's place in the window; ``finish()`` it when the answer (or an error) is in."""

    __slots__ = ("_done", "finished", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.finished: float | None = None
        self._done = asyncio.Event()

    def finish(self) -> None:
        if self.finished is None:
            self.finished = asyncio.get_running_loop().time()
            self._done.set()


class ApiRateLimiter:
    """At most ``burst`` calls in any window of ``burst / effective_rate`` seconds."""

    def __init__(
        self,
        rate: float,
        *,
        burst: int | None = None,
        headroom: float = 0.05,
        max_hold: float = 0.5,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate!r}")
        if not 0 <= headroom < 1:
            raise ValueError(f"headroom must be in [0, 1), got {headroom!r}")
        burst = max(1, round(rate)) if burst is None else burst
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        self.rate = rate
        self.burst = burst
        self.effective_rate = rate * (1 - headroom)
        self.window = burst / self.effective_rate  # between starts, with headroom
        self.exact_window = burst / rate  # between a finish and a later start
        self.max_hold = max_hold
        self._slots: deque[Slot] = deque(maxlen=burst)
        self._turn = asyncio.Lock()  # FIFO: callers get their slot in arrival order
        self._paused_until = 0.0
        self._resume = asyncio.Event()  # set = not paused
        self._resume.set()
        self._timer: asyncio.TimerHandle | None = None

    def pause(self, seconds: float) -> None:
        """Hold every new call of this API for ``seconds`` (after a 429's ``Retry-After``)."""
        loop = asyncio.get_running_loop()
        until = loop.time() + max(seconds, 0.0)
        if until <= self._paused_until:
            return
        self._paused_until = until
        self._resume.clear()
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(until, self._resume.set)

    @property
    def paused(self) -> bool:
        return not self._resume.is_set()

    async def acquire(self) -> Slot:
        """Wait for the pause (if any) to end, then for a free slot in the window."""
        loop = asyncio.get_running_loop()
        async with self._turn:
            while True:
                await self._resume.wait()
                if len(self._slots) < self.burst:
                    break
                oldest = self._slots[0]
                now = loop.time()
                hold_until = oldest.started + self.max_hold
                if oldest.finished is None and now < hold_until:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(oldest._done.wait(), hold_until - now)
                    continue
                finished = hold_until if oldest.finished is None else oldest.finished
                finished = min(finished, hold_until)
                ready = max(oldest.started + self.window, finished + self.exact_window)
                if ready <= now:
                    break
                await asyncio.sleep(ready - now)
            slot = Slot(loop.time())
            self._slots.append(slot)  # the deque drops the oldest
            return slot


__all__ = ["ApiRateLimiter", "Slot"]
