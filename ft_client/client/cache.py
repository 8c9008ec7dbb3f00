"""The in-memory TTL cache of referential, ROME and soft-skill answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


class _TTLCache:
    """In-memory cache with a TTL and one fetch at a time per key (no thundering herd)."""

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self._clock = clock
        self._values: dict[str, tuple[float, Any]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _get(self, key: str) -> tuple[bool, Any]:
        entry = self._values.get(key)
        if entry is not None and entry[0] > self._clock():
            return True, entry[1]
        return False, None

    async def get_or_fetch(
        self, key: str, fetch: Callable[[], Awaitable[T]], on_hit: Callable[[], None]
    ) -> T:
        found, value = self._get(key)
        if found:
            on_hit()
            return value
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            found, value = self._get(key)
            if found:
                on_hit()
                return value
            value = await fetch()
            if self.ttl > 0:
                self._values[key] = (self._clock() + self.ttl, value)
            return value

    def clear(self) -> None:
        self._values.clear()
