"""Per client and API token buckets; a refused call gets the gateway's 429 with Retry-After."""

from __future__ import annotations

import time
from collections.abc import Mapping

from aiohttp import web

from sandbox.france_travail.config import EmulatorConfig


class TokenBucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.updated = burst, time.monotonic()

    def take(self, now: float) -> bool:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.updated = max(now, self.updated)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class RateLimiting:
    """Mixed into ``FranceTravailEmulator``: the buckets and the 429 answer."""

    config: EmulatorConfig
    _buckets: dict[tuple[str, str], TokenBucket]

    def _too_many(self, headers: Mapping[str, str]) -> web.Response:
        return web.Response(
            status=429,
            text="Too Many Requests",
            content_type="text/plain",
            headers={**headers, "Retry-After": str(self.config.retry_after)},
        )

    def _bucket(self, client_id: str, api: str) -> TokenBucket:
        key = (client_id, api)
        rate, burst = self.config.rate_limits[api], self.config.burst_for(api)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(rate, burst)
        elif (bucket.rate, bucket.burst) != (rate, burst):  # config changed at run time
            bucket.rate, bucket.burst = rate, burst
            bucket.tokens = min(bucket.tokens, burst)
        return bucket
