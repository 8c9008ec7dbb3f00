"""Locks for jobs that must not run twice at once: the alert cycle and the sweep.

``database_lock(storage, name)`` is the one to use: on PostgreSQL a session advisory lock held
by the database (``storage.advisory_lock``), so that two *machines* sharing it never overlap;
on SQLite the lock file ``<database>.<name>.lock`` next to the file (one machine by
construction). The bot's own jobs, ``ft-bot alerts --once`` / ``sweep --once`` from cron and the
workers' sweep all take it. Either way a process that dies (SIGKILL included) releases it: the
kernel drops the file lock, the server the advisory lock with the connection.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage import Storage


@contextlib.asynccontextmanager
async def database_lock(storage: Storage, name: str) -> AsyncIterator[bool]:
    """An exclusive, non-blocking lock ``name`` for this database: True if we got it."""
    if storage.backend == "postgresql":
        async with storage.advisory_lock(name) as acquired:
            yield acquired
        return
    with file_lock(storage.path, name) as acquired:
        yield acquired


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
