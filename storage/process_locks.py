"""Locks between processes and machines sharing one PostgreSQL database: session advisory locks.

``advisory_lock(name)`` holds ``pg_try_advisory_lock`` on a connection of its own for as long as
the block runs: exclusive across every process using the database, released at the end of the
block, or by the server when the process dies (its connection closes, SIGKILL included). SQLite
has one machine by construction: the bot uses a lock file next to it (``bot/process_lock.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.errors import StorageError

_TRY_LOCK = text("SELECT pg_try_advisory_lock(:key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:key)")


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (namespaced, so other users of the database's
    advisory locks do not collide with ours)."""
    digest = hashlib.sha256(f"ft-job-bot:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class ProcessLockRepository(Database):
    """Exclusive named locks across processes (PostgreSQL)."""

    @asynccontextmanager
    async def advisory_lock(self, name: str) -> AsyncIterator[bool]:
        """Try to take the lock ``name`` without waiting: yields True if this process holds it."""
        self._check_open()
        if self.backend != "postgresql":
            raise StorageError("advisory locks need PostgreSQL; SQLite uses a lock file")
        key = advisory_key(name)
        async with self._engine.connect() as conn:
            got = bool((await conn.execute(_TRY_LOCK, {"key": key})).scalar_one())
            await conn.commit()
            try:
                yield got
            finally:
                if got:
                    # Shielded: a cancelled holder still unlocks before the connection is pooled.
                    await asyncio.shield(self._unlock(conn, key))

    @staticmethod
    async def _unlock(conn: AsyncConnection, key: int) -> None:
        await conn.execute(_UNLOCK, {"key": key})
        await conn.commit()
