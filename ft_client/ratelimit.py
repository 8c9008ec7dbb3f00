"""Client-side rate limiting, one limiter per France Travail API.

The API enforces a token bucket per application and API (10 calls/s with a burst of 10 for
the offers). We space calls evenly with aiolimiter's leaky bucket (default burst 1: at most
one call every ``1/rate`` seconds), slightly under the documented rate (``headroom``) so that
network jitter never bunches our calls into a 429. A 429 that still arrives pauses the whole
API for its ``Retry-After``, so the tasks queued behind it do not hit the same wall.
"""

from __future__ import annotations

import asyncio

from aiolimiter import AsyncLimiter


class ApiRateLimiter:
    """At most ``rate`` calls per second (``burst`` at once), plus a shared 429 pause."""

    def __init__(self, rate: float, *, burst: int = 1, headroom: float = 0.05) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate!r}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        if not 0 <= headroom < 1:
            raise ValueError(f"headroom must be in [0, 1), got {headroom!r}")
        self.rate = rate
        self.burst = burst
        self.effective_rate = rate * (1 - headroom)
        self._limiter = AsyncLimiter(burst, burst / self.effective_rate)
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

    async def acquire(self) -> None:
        """Wait for the pause (if any) to end, then for a slot."""
        await self._resume.wait()
        await self._limiter.acquire()
        # A 429 may have arrived while we waited for the slot.
        await self._resume.wait()


__all__ = ["ApiRateLimiter"]
