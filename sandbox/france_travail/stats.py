"""Call counters of the emulator, for tests and benchmarks (``emu.stats``)."""

from __future__ import annotations

import bisect
import collections


class Stats:
    """Call counters. ``calls`` counts every request per endpoint when it arrives."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.responses: collections.Counter[tuple[str, int]] = collections.Counter()
        self.token_requests: int = 0
        self.tokens_issued: int = 0
        self.rate_limited: int = 0  # 429 answered by the rate limiter (injected ones not included)
        self.rate_limited_by_api: collections.Counter[str] = collections.Counter()
        self.faults_injected: collections.Counter[str] = collections.Counter()
        self._arrivals: dict[str, list[float]] = collections.defaultdict(list)
        self._accepted: dict[str, list[float]] = collections.defaultdict(list)

    def record_arrival(self, endpoint: str, api: str | None, at: float) -> None:
        self.calls[endpoint] += 1
        if api:
            self._arrivals[api].append(at)

    def record_accepted(self, api: str, at: float) -> None:
        self._accepted[api].append(at)

    def max_calls_in_window(
        self, api: str, window: float = 1.0, *, accepted_only: bool = False
    ) -> int:
        """Largest number of calls to ``api`` that arrived within any sliding ``window`` seconds.

        With ``accepted_only`` only calls that passed auth and the rate limiter are counted.
        """
        times = (self._accepted if accepted_only else self._arrivals).get(api, [])
        best = 0
        for i, start in enumerate(times):
            j = bisect.bisect_left(times, start + window, lo=i)
            best = max(best, j - i)
        return best

    def total_calls(self, api: str) -> int:
        return len(self._arrivals.get(api, []))

    def arrivals(self, api: str) -> list[float]:
        """When each call to ``api`` arrived (``time.monotonic()``, the event loop's clock)."""
        return list(self._arrivals.get(api, []))
