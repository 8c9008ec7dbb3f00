"""A worker's memory: what it holds, logged now and then, and given back after each digest job.

- `cache_entries()`: the entries of the process-wide caches that grow with the users served
  (matching phrases, label pairs, shared targets, interned offer parts, stems);
- `MemoryLog`: one INFO line at most every `LOG_EVERY_SECONDS`, after a digest job: resident
  memory, its peak, the cache entries (with `WORKER_MEMORY_DETAIL=1`, an estimate of each
  cache's bytes too: a walk of every entry, ~1 s for the largest, so off by default);
- `trim()`: glibc's `malloc_trim(0)`, which returns the free pages of every arena to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 60.0
DETAIL_ENV = "WORKER_MEMORY_DETAIL"


def status_kib(field: str = "VmRSS") -> int:
    """A field of /proc/self/status in KiB (VmRSS: resident now, VmHWM: its peak); 0 off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _caches() -> dict[str, list[Any]]:
    """Name → the live cache objects of that name, one per matcher or index (a process may
    hold several referentials: tests do; imported lazily, the modules may not be loaded yet)."""
    from ft_client.matching import fulltext, offers, skills
    from storage import offer_rows

    found: dict[str, list[Any]] = {}

    def add(**caches: Any) -> None:
        for name, cache in caches.items():
            found.setdefault(name, []).append(cache)

    for matcher in skills._matchers.values():
        add(
            phrase_skills=matcher._phrase_cache,
            phrase_stems=matcher._phrase_stems,
            phrase_jobs=matcher._phrase_jobs,
            phrase_weight=matcher._phrase_weight,
            stems_skills=matcher._stems_cache,
            label_pairs=matcher._label_cache,
            skill_typos=matcher._typo_cache,
        )
    interned = offer_rows._INTERNED
    add(
        targets=offers._TARGETS,
        competences=interned.competences,
        qualities=interned.qualities,
        requirements=interned.requirements,
        companies=interned.companies,
    )
    for index in fulltext._indexes.values():
        add(fulltext_typos=index._typo_cache)
    return found


def cache_entries() -> dict[str, int]:
    """Entries per cache, summed over the process's matchers (the stem `lru_cache` included)."""
    from ft_client.matching import fulltext

    entries = {name: sum(len(c) for c in caches) for name, caches in _caches().items()}
    entries["word_stems"] = fulltext._stem_word.cache_info().currsize
    return entries


def _walk(obj: Any, seen: set[int]) -> Iterator[int]:
    """The sizes of `obj` and of the containers and scalars it holds, each object once."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif hasattr(item, "__slots__"):
            stack.extend(getattr(item, s) for s in item.__slots__ if hasattr(item, s))
        elif hasattr(item, "__dict__"):
            stack.append(vars(item))


def cache_bytes() -> dict[str, int]:
    """An estimate of each cache's bytes (its containers, keys and values; objects shared
    with the referential are counted once, by the first cache that reaches them)."""
    from ft_client.matching import skills

    # The referentials the shared targets point to are not the caches' own.
    seen = {id(matcher.referential) for matcher in skills._matchers.values()}
    return {
        name: sum(sum(_walk(cache, seen)) for cache in caches) for name, caches in _caches().items()
    }


def _libc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


_TRIM = _libc_trim()


def trim() -> bool:
    """Give the free heap pages back to the system; False where glibc is not there."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


def _format(values: Iterable[tuple[str, int]], unit: Callable[[int], str]) -> str:
    return ", ".join(f"{name} {unit(value)}" for name, value in values)


class MemoryLog:
    """One line about the process's memory every `every` seconds at most (called after jobs)."""

    def __init__(self, every: float = LOG_EVERY_SECONDS, detail: bool | None = None) -> None:
        self.every = every
        self.detail = os.environ.get(DETAIL_ENV) == "1" if detail is None else detail
        self._last = time.monotonic()

    def maybe_log(self) -> bool:
        now = time.monotonic()
        if now - self._last < self.every:
            return False
        self._last = now
        line = (
            f"memory: resident {status_kib() / 1024:.0f} MiB (peak "
            f"{status_kib('VmHWM') / 1024:.0f} MiB); cache entries: "
            + _format(cache_entries().items(), str)
        )
        if self.detail:
            line += "; cache MiB: " + _format(cache_bytes().items(), lambda n: f"{n / 2**20:.1f}")
        log.info("%s", line)
        return True
