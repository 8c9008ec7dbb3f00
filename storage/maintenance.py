"""Database-wide checks and copies: schema version, table names, integrity check, backup.

What an operator or a test asks of the database as a whole rather than of one table; the
connection plumbing it uses is :class:`storage.db.Database`'s.
"""

from __future__ import annotations

import os

import aiosqlite

from storage.db import Database
from storage.errors import StorageError


class MaintenanceRepository(Database):
    """Schema version, tables, integrity and (SQLite) online backup of the whole database."""

    async def schema_version(self) -> int:
        row = await self._fetchone("SELECT coalesce(max(version), 0) FROM schema_version")
        assert row is not None
        return int(row[0])

    async def table_names(self) -> set[str]:
        """Tables of the database (ours, and any other table sharing it)."""
        if self.backend == "postgresql":
            rows = await self._fetchall(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        else:
            rows = await self._fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(row[0]) for row in rows}

    async def integrity_check(self) -> str:
        """``"ok"`` when the database is sound (SQLite: ``PRAGMA integrity_check``).

        PostgreSQL checks its own pages; reaching it and reading the schema version is the check.
        """
        if self.backend == "postgresql":
            await self.schema_version()
            return "ok"
        rows = await self._fetchall("PRAGMA integrity_check")
        return "\n".join(str(r[0]) for r in rows)

    async def backup(self, target_path: str | os.PathLike[str]) -> None:
        """Write a consistent copy of a SQLite database to ``target_path`` while the bot runs.

        Uses SQLite's online backup API (a plain file copy of a WAL database can miss the
        pages still in the ``-wal`` file). The copy is a normal database: ``Storage.open`` it.
        PostgreSQL has its own tools (``pg_dump``): this raises :class:`StorageError` there.
        """
        if self.backend == "postgresql":
            raise StorageError("backup() copies SQLite files; back PostgreSQL up with pg_dump")
        target = os.fspath(target_path)
        if os.path.exists(target):  # noqa: ASYNC240 - one stat before a long operation
            raise FileExistsError(f"{target} exists; back up to a new file")
        self._check_open()
        async with self._lock:
            await self._sqlite_connection()
            destination = await aiosqlite.connect(target)
            try:
                await self._sqlite_raw[-1].backup(destination)
            finally:
                await destination.close()
