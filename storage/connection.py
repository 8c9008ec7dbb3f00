"""What a repository runs its statements on: a connection shielded from cancellation.

Why the shield: when a task is cancelled while SQLAlchemy awaits the driver, SQLAlchemy treats
the connection's state as unknown and closes it. For SQLite that close can leave a "zombie"
connection whose unfinished statement keeps the database's write lock, so every later write
waits for ``busy_timeout`` and fails; for PostgreSQL it throws a pooled connection away and logs
asyncpg's "connection_lost" errors. So each statement runs in its own task: a cancelled caller
stops waiting at once, the statement finishes, and the transaction is rolled back after it, on
the same connection, before the connection (SQLite: its lock) goes to anyone else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from sqlalchemy import Executable
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncResult


class StatementRunner(Protocol):
    """The part of :class:`sqlalchemy.ext.asyncio.AsyncConnection` the repositories use."""

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        """Run one statement (a list of parameter dicts runs it for each)."""
        ...

    async def exec_driver_sql(self, statement: str, parameters: Any = None) -> CursorResult[Any]:
        """Run SQL text as the driver takes it."""
        ...

    async def stream(self, statement: Executable) -> AsyncResult[Any]:
        """Rows of a large query, fetched as they are consumed."""
        ...

    async def run_sync(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(sync_connection, *args)`` (inspection, reflection)."""
        ...


class ShieldedConnection:
    """An :class:`AsyncConnection`, one statement at a time, shielded from cancellation."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._in_flight: asyncio.Future[Any] | None = None

    async def _shielded(self, operation: Coroutine[Any, Any, Any]) -> Any:
        task = asyncio.ensure_future(operation)
        self._in_flight = task
        return await asyncio.shield(task)

    async def settle(self) -> None:
        """Wait until the statement a cancelled caller left running has finished (any outcome)."""
        task, self._in_flight = self._in_flight, None
        if task is not None:
            await asyncio.wait([task])
            if not task.cancelled():
                task.exception()  # retrieved: its caller is gone, the rollback follows

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        return await self._shielded(self._connection.execute(statement, parameters))  # type: ignore[no-any-return]

    async def exec_driver_sql(self, statement: str, parameters: Any = None) -> CursorResult[Any]:
        return await self._shielded(self._connection.exec_driver_sql(statement, parameters))  # type: ignore[no-any-return]

    async def stream(self, statement: Executable) -> AsyncResult[Any]:
        # Used by the offline copy tool only; its iteration is not shielded.
        return await self._connection.stream(statement)

    async def run_sync(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await self._shielded(self._connection.run_sync(fn, *args))
