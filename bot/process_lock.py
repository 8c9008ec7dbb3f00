"""A cross-process lock file next to the database, for jobs that must not run twice at once.

The alert cycle and the sweep each take one (`<database>.alerts.lock`, `<database>.sweep.lock`)
so that the bot's own job and the same command run from cron never overlap on one machine. The
kernel releases the lock when the process dies, even by SIGKILL. Several machines sharing
PostgreSQL need a database lock instead (the worker engine of issue 13).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def file_lock(database_path: str | os.PathLike[str], name: str) -> Iterator[bool]:
    """An exclusive, non-blocking lock on ``<database>.<name>.lock``: True if we got it."""
    location = os.fspath(database_path)
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process guard
        yield True
        return
    if location == ":memory:" or location.startswith("file:"):
        yield True
        return
    lock_path = Path(f"{location}.{name}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
