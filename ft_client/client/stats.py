"""Cumulative counters of a client (calls, retries, errors, tokens, cache hits) for /stats."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ClientStats:
    """Counters for /stats and alert-run records (all cumulative since creation or ``reset``)."""

    calls: Counter[str] = field(default_factory=Counter)  # HTTP requests sent, per endpoint
    retries: Counter[str] = field(default_factory=Counter)  # re-sent requests, per endpoint
    errors: Counter[str] = field(default_factory=Counter)  # failed answers by status/kind
    failures: Counter[str] = field(default_factory=Counter)  # FTErrors raised, per endpoint
    rate_limited: int = 0  # 429 answers received
    retry_after_waited: float = 0.0  # seconds of pause asked by Retry-After (after bounding)
    token_requests: int = 0
    token_refreshes_on_401: int = 0
    cache_hits: int = 0

    def reset(self) -> None:
        fresh = ClientStats()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "total_calls": sum(self.calls.values()),
            "retries": dict(self.retries),
            "errors": dict(self.errors),
            "failures": dict(self.failures),
            "rate_limited": self.rate_limited,
            "retry_after_waited": round(self.retry_after_waited, 3),
            "token_requests": self.token_requests,
            "token_refreshes_on_401": self.token_refreshes_on_401,
            "cache_hits": self.cache_hits,
        }
