"""The :class:`Storage` repository: one aiosqlite connection, migrations, and every query."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from zoneinfo import ZoneInfo

import aiosqlite

from storage.models import (
    MAX_LANGUAGE_LENGTH,
    MAX_NAME_LENGTH,
    AlertRun,
    Favourite,
    FavouriteSnapshot,
    Profile,
    TargetJob,
    User,
    days_to_mask,
    from_epoch,
    mask_to_days,
    require_aware,
    require_offer_id,
    require_optional_text,
    require_user_id,
    to_epoch,
    validate_alert_days,
    validate_alert_time,
    validate_skills,
)

log = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
MIN_SQLITE_VERSION = (3, 37, 0)  # STRICT tables (3.37), RETURNING (3.35)
DEFAULT_BUSY_TIMEOUT_S = 10.0
FT_ERROR_RETENTION = timedelta(days=30)
MAX_OFFER_IDS_PER_CALL = 10_000

_MIGRATION_NAME_RE = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


class StorageError(Exception):
    """Base class of the errors raised by :mod:`storage`."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer version of the program; refusing to touch it."""


class UnknownUserError(StorageError, LookupError):
    """The operation needs a row in ``users`` (call ``upsert_user`` first)."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """The numbered ``storage/migrations/NNNN_name.sql`` files, in order, checked contiguous."""
    migrations: list[Migration] = []
    folder = resources.files("storage").joinpath("migrations")
    for entry in folder.iterdir():
        match = _MIGRATION_NAME_RE.fullmatch(entry.name)
        if match:
            migrations.append(
                Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8"))
            )
    migrations.sort(key=lambda m: m.version)
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise StorageError(f"migration files are not numbered 1..n: missing {expected:04d}")
    return migrations


def split_sql(script: str) -> list[str]:
    """Split a script into statements (``executescript`` would COMMIT our transaction)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if statement and statement != ";":
                statements.append(statement)
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise StorageError(f"incomplete SQL statement at end of migration: {buffer.strip()[:80]}")
    return statements


LATEST_SCHEMA_VERSION = len(load_migrations())

_PROFILE_BY_ID = (
    "SELECT p.user_id, p.target_jobs, p.skills, p.place_code, p.place_label, p.radius_km,"
    " p.contract_types, p.alert_minute, p.alert_days, p.alerts_enabled, p.last_alert_at"
    " FROM profiles p WHERE p.user_id = ?"
)

_MINUTE_TIMES = [time(m // 60, m % 60) for m in range(1440)]
_DAY_SETS = [mask_to_days(mask) for mask in range(128)]


@lru_cache(maxsize=8192)
def _decode_target_jobs(text: str) -> tuple[TargetJob, ...]:
    """JSON → TargetJobs, memoised: many users share the same few ROME codes (immutable)."""
    jobs = []
    for code, label in json.loads(text):
        job = object.__new__(TargetJob)
        object.__setattr__(job, "code", code)
        object.__setattr__(job, "label", label)
        jobs.append(job)
    return tuple(jobs)


@lru_cache(maxsize=1024)
def _decode_contract_types(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def _profile_from_row(row: Sequence[Any]) -> Profile:
    """Build a Profile from a trusted row without re-validating (100 000 rows must stay fast)."""
    profile = object.__new__(Profile)
    put = object.__setattr__
    put(profile, "user_id", row[0])
    put(profile, "target_jobs", _decode_target_jobs(row[1]))
    put(profile, "skills", tuple(json.loads(row[2])))
    put(profile, "place_code", row[3])
    put(profile, "place_label", row[4])
    put(profile, "radius_km", row[5])
    put(profile, "contract_types", _decode_contract_types(row[6]))
    put(profile, "alert_time", _MINUTE_TIMES[row[7]])
    put(profile, "alert_days", _DAY_SETS[row[8]])
    put(profile, "alerts_enabled", row[9] == 1)
    put(profile, "last_alert_at", from_epoch(row[10]) if row[10] else None)
    return profile


def _due_profiles(rows: Iterable[Sequence[Any]]) -> list[Profile]:
    """``_profile_from_row`` unrolled for the due query (alerts on), names bound locally."""
    new = object.__new__
    put = object.__setattr__
    loads = json.loads
    jobs_of = _decode_target_jobs
    contracts_of = _decode_contract_types
    times = _MINUTE_TIMES
    day_sets = _DAY_SETS
    utc_from = datetime.fromtimestamp
    profiles: list[Profile] = []
    append = profiles.append
    # ~10 new objects per row trigger many cyclic-GC passes over everything alive; none of
    # them can form a cycle, so collection is paused for this synchronous loop (no await).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for uid, jobs, skills, code, label, radius, contracts, minute, days, last in rows:
            profile = new(Profile)
            put(profile, "user_id", uid)
            put(profile, "target_jobs", jobs_of(jobs))
            put(profile, "skills", tuple(loads(skills)))
            put(profile, "place_code", code)
            put(profile, "place_label", label)
            put(profile, "radius_km", radius)
            put(profile, "contract_types", contracts_of(contracts))
            put(profile, "alert_time", times[minute])
            put(profile, "alert_days", day_sets[days])
            put(profile, "alerts_enabled", True)
            put(profile, "last_alert_at", utc_from(last, UTC) if last else None)
            append(profile)
    finally:
        if gc_was_enabled:
            gc.enable()
    return profiles


def _user_from_row(row: Sequence[Any]) -> User:
    created = from_epoch(row[4])
    seen = from_epoch(row[5])
    assert created is not None and seen is not None
    return User(
        user_id=row[0],
        chat_id=row[1],
        first_name=row[2],
        language=row[3],
        created_at=created,
        last_seen_at=seen,
        blocked_at=from_epoch(row[6]),
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def local_midnight(now: datetime, tz: tzinfo) -> datetime:
    """The first instant of ``now``'s calendar day in ``tz`` (aware, in ``tz``)."""
    local = now.astimezone(tz)
    midnight = datetime.combine(local.date(), time(0), tzinfo=tz)
    # Round trip through UTC resolves a midnight that does not exist (a DST jump at 00:00 in
    # some zones) to the first real instant of the day.
    return midnight.astimezone(UTC).astimezone(tz)


class _Opener:
    """``Storage.open(path)`` result: awaitable, and usable as ``async with``."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._storage: Storage | None = None

    def __await__(self) -> Generator[Any, None, Storage]:
        return self._factory().__await__()

    async def __aenter__(self) -> Storage:
        self._storage = await self._factory()
        return self._storage

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._storage is not None:
            await self._storage.close()


class Storage:
    """Repository over one SQLite file.

    One aiosqlite connection per instance: aiosqlite runs every call on one worker thread, so
    access is serialised. An :class:`asyncio.Lock` additionally keeps tasks from interleaving
    statements inside someone else's transaction. Every multi-row change runs in one
    ``BEGIN IMMEDIATE … COMMIT`` (IMMEDIATE takes the write lock up front, so two processes on
    the same file wait on ``busy_timeout`` instead of failing with a deadlock on upgrade).
    """

    def __init__(self, connection: aiosqlite.Connection, path: str) -> None:
        self._db = connection
        self.path = path
        self._lock = asyncio.Lock()
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        synchronous: str = "FULL",
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> _Opener:
        """Open (creating if needed) and migrate the database at ``path``.

        ``synchronous``: ``FULL`` (default) fsyncs the WAL at every commit, so a committed
        change survives a power cut; ``NORMAL`` is also corruption-free in WAL mode but may lose
        the last commits on power loss (never on a process crash). See README.md, "Storage".
        """
        return _Opener(lambda: cls._open(path, synchronous=synchronous, busy_timeout=busy_timeout))

    @classmethod
    async def _open(
        cls, path: str | os.PathLike[str], *, synchronous: str, busy_timeout: float
    ) -> Storage:
        if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:
            raise StorageError(
                f"SQLite {sqlite3.sqlite_version} is too old; "
                f"ft-job-bot needs {'.'.join(map(str, MIN_SQLITE_VERSION))} or newer"
            )
        if synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
            raise ValueError("synchronous must be FULL, NORMAL or EXTRA")
        location = os.fspath(path)
        if location != ":memory:" and not location.startswith("file:"):
            Path(location).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(location, isolation_level=None, timeout=busy_timeout)
        storage = cls(connection, location)
        try:
            await storage._configure(synchronous.upper(), busy_timeout)
            await storage._migrate()
        except BaseException:
            await connection.close()
            raise
        return storage

    async def _configure(self, synchronous: str, busy_timeout: float) -> None:
        db = self._db
        await db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        rows = await db.execute_fetchall("PRAGMA journal_mode = WAL")
        mode = next(iter(rows))[0]
        if mode != "wal" and self.path != ":memory:":
            raise StorageError(f"could not enable WAL journal mode on {self.path} (got {mode})")
        await db.execute(f"PRAGMA synchronous = {synchronous}")
        await db.execute("PRAGMA foreign_keys = ON")
        await db.execute("PRAGMA temp_store = MEMORY")

    async def _migrate(self) -> None:
        migrations = load_migrations()
        latest = len(migrations)
        async with self._transaction() as db:
            # Creating the bookkeeping table is itself transactional: two processes opening a
            # fresh file at once serialise on BEGIN IMMEDIATE and the second sees the first's work.
            await db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL"
                ") STRICT"
            )
            rows = await db.execute_fetchall("SELECT coalesce(max(version), 0) FROM schema_version")
            current = next(iter(rows))[0]
        if current > latest:
            raise SchemaTooNewError(
                f"database {self.path} has schema version {current}, newer than the {latest} this "
                "version of ft-job-bot knows; upgrade ft-job-bot or point DATABASE_PATH elsewhere"
            )
        for migration in migrations[current:]:
            async with self._transaction() as db:
                # Re-check inside the write lock: another process may have migrated meanwhile.
                rows = await db.execute_fetchall(
                    "SELECT 1 FROM schema_version WHERE version = ?", (migration.version,)
                )
                if rows:
                    continue
                for statement in split_sql(migration.sql):
                    await db.execute(statement)
                await db.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, int(_now().timestamp())),
                )
                await db.execute(f"PRAGMA user_version = {migration.version}")
            log.info("storage: applied migration %04d_%s", migration.version, migration.name)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._lock:
            try:
                await self._db.execute("PRAGMA optimize")
            finally:
                await self._db.close()

    @property
    def closed(self) -> bool:
        return self._closed

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ plumbing

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` under the lock; rolled back on any exception.

        The rollback is queued on aiosqlite's worker thread before the lock is released, and that
        thread runs calls in order, so even a cancelled task cannot leave a transaction open
        for the next one.
        """
        if self._closed:
            raise StorageError("storage is closed")
        async with self._lock:
            try:
                # Inside the try: if the task is cancelled while BEGIN is queued, BEGIN still
                # runs on the worker thread, and the rollback queued below undoes it.
                await self._db.execute("BEGIN IMMEDIATE")
                yield self._db
            except BaseException:
                await self._db.rollback()
                raise
            try:
                await self._db.commit()
            except BaseException:
                await self._db.rollback()
                raise

    async def _fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        if self._closed:
            raise StorageError("storage is closed")
        async with self._lock:
            return list(await self._db.execute_fetchall(sql, params))

    async def _fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        rows = await self._fetchall(sql, params)
        return rows[0] if rows else None

    async def schema_version(self) -> int:
        row = await self._fetchone("SELECT coalesce(max(version), 0) FROM schema_version")
        return int(row[0])

    async def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` result (``"ok"`` when the file is sound)."""
        rows = await self._fetchall("PRAGMA integrity_check")
        return "\n".join(str(r[0]) for r in rows)

    async def backup(self, target_path: str | os.PathLike[str]) -> None:
        """Write a consistent copy of the database to ``target_path`` while the bot runs.

        Uses SQLite's online backup API (a plain file copy of a WAL database can miss the
        pages still in the ``-wal`` file). The copy is a normal database: ``Storage.open`` it.
        """
        target = os.fspath(target_path)
        if os.path.exists(target):  # noqa: ASYNC240 - one stat before a long operation
            raise FileExistsError(f"{target} exists; back up to a new file")
        if self._closed:
            raise StorageError("storage is closed")
        destination = await aiosqlite.connect(target)
        try:
            async with self._lock:
                await self._db.backup(destination)
        finally:
            await destination.close()

    @staticmethod
    def _raise_unknown_user(error: sqlite3.IntegrityError, user_id: int) -> None:
        if "FOREIGN KEY" in str(error):
            raise UnknownUserError(f"unknown user {user_id}: call upsert_user first") from error

    # ------------------------------------------------------------------ users

    async def upsert_user(
        self,
        user_id: int,
        chat_id: int,
        first_name: str | None = None,
        language: str | None = None,
        *,
        at: datetime | None = None,
    ) -> User:
        """Create or refresh a user on every update from them; clears ``blocked_at``.

        A user who writes to the bot has (by definition) unblocked it, so alerts resume.
        """
        require_user_id(user_id)
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise TypeError("chat_id must be an int")
        # Telegram's own data: a blank name must not stop the bot from recording the user.
        require_optional_text("first_name", first_name, MAX_NAME_LENGTH, allow_empty=True)
        require_optional_text("language", language, MAX_LANGUAGE_LENGTH, allow_empty=True)
        stamp = to_epoch("at", at or _now())
        async with self._transaction() as db:
            rows = await db.execute_fetchall(
                "INSERT INTO users (user_id, chat_id, first_name, language, created_at,"
                " last_seen_at, blocked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)"
                " ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id,"
                " first_name = excluded.first_name, language = excluded.language,"
                " last_seen_at = excluded.last_seen_at, blocked_at = NULL"
                " RETURNING user_id, chat_id, first_name, language, created_at, last_seen_at,"
                " blocked_at",
                (user_id, chat_id, first_name, language, stamp, stamp),
            )
        return _user_from_row(next(iter(rows)))

    async def get_user(self, user_id: int) -> User | None:
        row = await self._fetchone(
            "SELECT user_id, chat_id, first_name, language, created_at, last_seen_at, blocked_at"
            " FROM users WHERE user_id = ?",
            (user_id,),
        )
        return _user_from_row(row) if row else None

    async def get_users(self, user_ids: Iterable[int]) -> dict[int, User]:
        """Users by id, in one query (missing ids are absent from the result)."""
        ids = [require_user_id(uid) for uid in user_ids]
        rows = await self._fetchall(
            "SELECT user_id, chat_id, first_name, language, created_at, last_seen_at, blocked_at"
            " FROM users WHERE user_id IN (SELECT value FROM json_each(?))",
            (_dumps(ids),),
        )
        return {row[0]: _user_from_row(row) for row in rows}

    async def mark_blocked(self, user_id: int, *, at: datetime | None = None) -> bool:
        """The user blocked the bot (Telegram 403): no more alerts until they write again."""
        stamp = to_epoch("at", at or _now())
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE users SET blocked_at = ? WHERE user_id = ? AND blocked_at IS NULL",
                (stamp, user_id),
            )
            return cursor.rowcount > 0

    # ------------------------------------------------------------------ profiles

    async def get_profile(self, user_id: int) -> Profile | None:
        row = await self._fetchone(_PROFILE_BY_ID, (user_id,))
        return _profile_from_row(row) if row else None

    @staticmethod
    def _profile_params(profile: Profile, stamp: int) -> tuple[Any, ...]:
        if not isinstance(profile, Profile):
            raise TypeError(f"expected a Profile, got {type(profile).__name__}")
        return (
            profile.user_id,
            _dumps([[job.code, job.label] for job in profile.target_jobs]),
            _dumps(list(profile.skills)),
            profile.place_code,
            profile.place_label,
            profile.radius_km,
            _dumps(list(profile.contract_types)),
            profile.alert_time.hour * 60 + profile.alert_time.minute,
            days_to_mask(profile.alert_days),
            int(profile.alerts_enabled),
            to_epoch("last_alert_at", profile.last_alert_at) if profile.last_alert_at else 0,
            stamp,
        )

    _UPSERT_PROFILE = (
        "INSERT INTO profiles (user_id, target_jobs, skills, place_code, place_label, radius_km,"
        " contract_types, alert_minute, alert_days, alerts_enabled, last_alert_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET target_jobs = excluded.target_jobs,"
        " skills = excluded.skills, place_code = excluded.place_code,"
        " place_label = excluded.place_label, radius_km = excluded.radius_km,"
        " contract_types = excluded.contract_types, alert_minute = excluded.alert_minute,"
        " alert_days = excluded.alert_days, alerts_enabled = excluded.alerts_enabled,"
        " last_alert_at = excluded.last_alert_at, updated_at = excluded.updated_at"
    )

    async def upsert_profile(self, profile: Profile) -> None:
        """Store the whole profile (every field, including ``last_alert_at``)."""
        params = self._profile_params(profile, int(_now().timestamp()))
        try:
            async with self._transaction() as db:
                await db.execute(self._UPSERT_PROFILE, params)
        except sqlite3.IntegrityError as error:
            self._raise_unknown_user(error, profile.user_id)
            raise

    async def modify_profile(self, user_id: int, change: Callable[[Profile], Profile]) -> Profile:
        """Read-modify-write in one transaction: ``change(current)`` → stored and returned.

        Use this instead of get_profile + upsert_profile when concurrent updates to one user
        are possible (two quick button presses): no update is lost. A missing profile starts
        from the defaults.
        """
        require_user_id(user_id)
        try:
            async with self._transaction() as db:
                rows = await db.execute_fetchall(_PROFILE_BY_ID, (user_id,))
                row = next(iter(rows), None)
                current = _profile_from_row(row) if row else Profile(user_id=user_id)
                updated = change(current)
                if not isinstance(updated, Profile) or updated.user_id != user_id:
                    raise ValueError("change() must return a Profile for the same user")
                await db.execute(
                    self._UPSERT_PROFILE, self._profile_params(updated, int(_now().timestamp()))
                )
        except sqlite3.IntegrityError as error:
            self._raise_unknown_user(error, user_id)
            raise
        return updated

    async def _set_columns(self, user_id: int, values: dict[str, Any]) -> None:
        """Insert a default profile with ``values``, or update only those columns."""
        require_user_id(user_id)
        values = {**values, "updated_at": int(_now().timestamp())}
        columns = ", ".join(values)  # column names are ours, never user text
        placeholders = ", ".join("?" for _ in values)
        updates = ", ".join(f"{name} = excluded.{name}" for name in values)
        sql = (
            f"INSERT INTO profiles (user_id, {columns}) VALUES (?, {placeholders})"  # noqa: S608
            f" ON CONFLICT (user_id) DO UPDATE SET {updates}"
        )
        try:
            async with self._transaction() as db:
                await db.execute(sql, (user_id, *values.values()))
        except sqlite3.IntegrityError as error:
            self._raise_unknown_user(error, user_id)
            raise

    async def set_skills(self, user_id: int, skills: Sequence[str]) -> None:
        await self._set_columns(user_id, {"skills": _dumps(list(validate_skills(skills)))})

    async def set_target_jobs(self, user_id: int, jobs: Sequence[TargetJob]) -> None:
        checked = Profile(user_id=user_id, target_jobs=tuple(jobs)).target_jobs
        await self._set_columns(
            user_id, {"target_jobs": _dumps([[job.code, job.label] for job in checked])}
        )

    async def set_place(
        self, user_id: int, place_code: str | None, place_label: str | None, radius_km: int
    ) -> None:
        checked = Profile(
            user_id=user_id, place_code=place_code, place_label=place_label, radius_km=radius_km
        )
        await self._set_columns(
            user_id,
            {
                "place_code": checked.place_code,
                "place_label": checked.place_label,
                "radius_km": checked.radius_km,
            },
        )

    async def set_contract_types(self, user_id: int, contract_types: Sequence[str]) -> None:
        checked = Profile(user_id=user_id, contract_types=tuple(contract_types)).contract_types
        await self._set_columns(user_id, {"contract_types": _dumps(list(checked))})

    async def set_alerts(
        self,
        user_id: int,
        enabled: bool,
        time: time | None = None,
        days: Iterable[int] | None = None,
    ) -> None:
        """Turn alerts on/off; ``time``/``days`` change only when given."""
        if not isinstance(enabled, bool):
            raise TypeError("enabled must be a bool")
        values: dict[str, Any] = {"alerts_enabled": int(enabled)}
        if time is not None:
            alert_time = validate_alert_time(time)
            values["alert_minute"] = alert_time.hour * 60 + alert_time.minute
        if days is not None:
            values["alert_days"] = days_to_mask(validate_alert_days(days))
        await self._set_columns(user_id, values)

    # ------------------------------------------------------------------ alerts

    async def due_for_alerts(
        self, now: datetime, tz: tzinfo = PARIS, *, limit: int | None = None
    ) -> list[Profile]:
        """Profiles to serve now, least recently served first (at most ``limit`` if given).

        Due = alerts on, user not blocked, today (in ``tz``) is one of the alert days, the
        local wall-clock time has reached the alert time, and the user was not served since
        local midnight. "Served today" is measured from midnight, not from today's alert
        instant: a user who got today's digest and then moves the alert later the same day
        is not sent a second digest. Wall-clock minutes make DST safe: on the spring-forward
        day an alert at 02:30 (a time that does not exist) fires at 03:00; on the fall-back
        day an alert at 02:30 fires at the first 02:30 only (served since midnight).

        SQL does the filtering through the partial index ``profiles_due`` (whose order is the
        result order: no sort). With ``limit``, a caller can serve a large backlog in slices:
        each slice marked served drops out of the next query.
        """
        require_aware("now", now)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise TypeError("limit must be an int or None")
        local = now.astimezone(tz)
        minute = local.hour * 60 + local.minute
        day_bit = 1 << local.weekday()
        midnight = int(local_midnight(now, tz).timestamp())
        rows = await self._fetchall(
            "SELECT p.user_id, p.target_jobs, p.skills, p.place_code, p.place_label,"
            " p.radius_km, p.contract_types, p.alert_minute, p.alert_days, p.last_alert_at"
            " FROM profiles p JOIN users u ON u.user_id = p.user_id"
            " WHERE p.alerts_enabled = 1 AND p.last_alert_at < ? AND p.alert_minute <= ?"
            " AND (p.alert_days & ?) != 0 AND u.blocked_at IS NULL"
            " ORDER BY p.last_alert_at LIMIT ?",
            (midnight, minute, day_bit, -1 if limit is None else max(limit, 0)),
        )
        return _due_profiles(rows)

    async def mark_served(self, user_id: int, at: datetime) -> None:
        """Record that today's alert was handled (sent, or nothing new to send)."""
        stamp = to_epoch("at", at)
        async with self._transaction() as db:
            await db.execute(
                "UPDATE profiles SET last_alert_at = max(last_alert_at, ?) WHERE user_id = ?",
                (stamp, user_id),
            )

    async def mark_served_many(self, user_ids: Iterable[int], at: datetime) -> int:
        """``mark_served`` for many users in one transaction; returns rows updated."""
        stamp = to_epoch("at", at)
        ids = [require_user_id(uid) for uid in user_ids]
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE profiles SET last_alert_at = max(last_alert_at, ?)"
                " WHERE user_id IN (SELECT value FROM json_each(?))",
                (stamp, _dumps(ids)),
            )
            return cursor.rowcount

    async def filter_unsent(self, user_id: int, offer_ids: Iterable[str]) -> list[str]:
        """The offer ids never sent to this user, in input order without duplicates (one query)."""
        ids = list(dict.fromkeys(offer_ids))
        if not ids:
            return []
        for offer_id in ids:
            require_offer_id(offer_id)
        rows = await self._fetchall(
            "SELECT j.value FROM json_each(?) j WHERE NOT EXISTS (SELECT 1 FROM sent_offers s"
            " WHERE s.user_id = ? AND s.offer_id = j.value) ORDER BY j.key",
            (_dumps(ids), user_id),
        )
        return [row[0] for row in rows]

    async def mark_sent(
        self, user_id: int, offer_ids: Iterable[str], at: datetime | None = None
    ) -> int:
        """Record offers as sent to the user, all or none (idempotent); returns new rows."""
        ids = list(dict.fromkeys(offer_ids))
        if not ids:
            return 0
        if len(ids) > MAX_OFFER_IDS_PER_CALL:
            raise ValueError(f"at most {MAX_OFFER_IDS_PER_CALL} offer ids per call")
        for offer_id in ids:
            require_offer_id(offer_id)
        stamp = to_epoch("at", at or _now())
        try:
            async with self._transaction() as db:
                cursor = await db.execute(
                    "INSERT OR IGNORE INTO sent_offers (user_id, offer_id, sent_at)"
                    " SELECT ?, value, ? FROM json_each(?)",
                    (user_id, stamp, _dumps(ids)),
                )
                return cursor.rowcount
        except sqlite3.IntegrityError as error:
            self._raise_unknown_user(error, user_id)
            raise

    async def prune_sent_offers(self, older_than: datetime) -> int:
        """Forget sent offers older than ``older_than`` (expired offers); returns rows deleted."""
        stamp = to_epoch("older_than", older_than)
        async with self._transaction() as db:
            cursor = await db.execute("DELETE FROM sent_offers WHERE sent_at < ?", (stamp,))
            return cursor.rowcount

    async def record_alert_run(self, run: AlertRun) -> int:
        """Store one alert cycle; returns its id."""
        if not isinstance(run, AlertRun):
            raise TypeError("expected an AlertRun")
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO alert_runs (started_at, finished_at, users_due, users_served,"
                " offers_sent, ft_calls, ft_errors, telegram_errors, outcome, detail)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    to_epoch("started_at", run.started_at),
                    to_epoch("finished_at", run.finished_at),
                    run.users_due,
                    run.users_served,
                    run.offers_sent,
                    run.ft_calls,
                    run.ft_errors,
                    run.telegram_errors,
                    run.outcome,
                    run.detail,
                ),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    async def last_alert_runs(self, limit: int = 10) -> list[AlertRun]:
        rows = await self._fetchall(
            "SELECT id, started_at, finished_at, users_due, users_served, offers_sent, ft_calls,"
            " ft_errors, telegram_errors, outcome, detail FROM alert_runs"
            " ORDER BY started_at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [
            AlertRun(
                id=row[0],
                started_at=from_epoch(row[1]) or datetime.fromtimestamp(0, UTC),
                finished_at=from_epoch(row[2]) or datetime.fromtimestamp(0, UTC),
                users_due=row[3],
                users_served=row[4],
                offers_sent=row[5],
                ft_calls=row[6],
                ft_errors=row[7],
                telegram_errors=row[8],
                outcome=row[9],
                detail=row[10],
            )
            for row in rows
        ]

    async def record_ft_error(
        self, endpoint: str, status: int | None, *, at: datetime | None = None
    ) -> None:
        """Log one France Travail failure (status None = timeout/network); keeps 30 days."""
        if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 200:
            raise ValueError("endpoint must be a non-empty string of at most 200 characters")
        if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
            raise TypeError("status must be an int or None")
        moment = at or _now()
        stamp = to_epoch("at", moment)
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO ft_errors (at, endpoint, status) VALUES (?, ?, ?)",
                (stamp, endpoint, status),
            )
            await db.execute(
                "DELETE FROM ft_errors WHERE at < ?",
                (int((moment - FT_ERROR_RETENTION).timestamp()),),
            )

    async def stats(self, now: datetime | None = None, tz: tzinfo = PARIS) -> dict[str, Any]:
        """Figures for the admin /stats command ("today" = since local midnight in ``tz``).

        Keys: users, blocked_users, profiles, alert_subscribers (alerts on and not blocked),
        offers_sent_today, favourites, ft_errors_24h, ft_errors_24h_by_endpoint,
        last_alert_run (dict or None).
        """
        moment = now or _now()
        require_aware("now", moment)
        midnight = int(local_midnight(moment, tz).timestamp())
        day_ago = int((moment - timedelta(hours=24)).timestamp())
        async with self._lock:
            db = self._db
            counts = next(
                iter(
                    await db.execute_fetchall(
                        "SELECT (SELECT count(*) FROM users),"
                        " (SELECT count(*) FROM users WHERE blocked_at IS NOT NULL),"
                        " (SELECT count(*) FROM profiles),"
                        " (SELECT count(*) FROM profiles p JOIN users u USING (user_id)"
                        "   WHERE p.alerts_enabled = 1 AND u.blocked_at IS NULL),"
                        " (SELECT count(*) FROM sent_offers WHERE sent_at >= ?),"
                        " (SELECT count(*) FROM favourites),"
                        " (SELECT count(*) FROM ft_errors WHERE at >= ?)",
                        (midnight, day_ago),
                    )
                )
            )
            by_endpoint = await db.execute_fetchall(
                "SELECT endpoint, count(*) FROM ft_errors WHERE at >= ? GROUP BY endpoint"
                " ORDER BY count(*) DESC, endpoint",
                (day_ago,),
            )
        runs = await self.last_alert_runs(1)
        return {
            "users": counts[0],
            "blocked_users": counts[1],
            "profiles": counts[2],
            "alert_subscribers": counts[3],
            "offers_sent_today": counts[4],
            "favourites": counts[5],
            "ft_errors_24h": counts[6],
            "ft_errors_24h_by_endpoint": {row[0]: row[1] for row in by_endpoint},
            "last_alert_run": runs[0].to_json() if runs else None,
        }

    # ------------------------------------------------------------------ favourites

    async def add_favourite(
        self, user_id: int, snapshot: FavouriteSnapshot, *, at: datetime | None = None
    ) -> bool:
        """Save an offer for the user; True if new (saving again refreshes the snapshot)."""
        if not isinstance(snapshot, FavouriteSnapshot):
            raise TypeError("expected a FavouriteSnapshot")
        stamp = to_epoch("at", at or _now())
        try:
            async with self._transaction() as db:
                existed = await db.execute_fetchall(
                    "SELECT 1 FROM favourites WHERE user_id = ? AND offer_id = ?",
                    (user_id, snapshot.offer_id),
                )
                await db.execute(
                    "INSERT INTO favourites (user_id, offer_id, title, company, place, url,"
                    " saved_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, offer_id)"
                    " DO UPDATE SET title = excluded.title, company = excluded.company,"
                    " place = excluded.place, url = excluded.url",
                    (
                        user_id,
                        snapshot.offer_id,
                        snapshot.title,
                        snapshot.company,
                        snapshot.place,
                        snapshot.url,
                        stamp,
                    ),
                )
        except sqlite3.IntegrityError as error:
            self._raise_unknown_user(error, user_id)
            raise
        return not existed

    async def list_favourites(self, user_id: int, limit: int | None = None) -> list[Favourite]:
        """The user's favourites, most recently saved first."""
        rows = await self._fetchall(
            "SELECT user_id, offer_id, title, company, place, url, saved_at FROM favourites"
            " WHERE user_id = ? ORDER BY saved_at DESC, offer_id LIMIT ?",
            (user_id, -1 if limit is None else limit),
        )
        return [
            Favourite(
                user_id=row[0],
                offer_id=row[1],
                title=row[2],
                company=row[3],
                place=row[4],
                url=row[5],
                saved_at=from_epoch(row[6]) or datetime.fromtimestamp(0, UTC),
            )
            for row in rows
        ]

    async def is_favourite(self, user_id: int, offer_id: str) -> bool:
        row = await self._fetchone(
            "SELECT 1 FROM favourites WHERE user_id = ? AND offer_id = ?", (user_id, offer_id)
        )
        return row is not None

    async def remove_favourite(self, user_id: int, offer_id: str) -> bool:
        """Remove one of the user's own favourites; False if they had no such favourite."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM favourites WHERE user_id = ? AND offer_id = ?", (user_id, offer_id)
            )
            return cursor.rowcount > 0

    # ------------------------------------------------------------------ GDPR

    async def delete_user(self, user_id: int) -> dict[str, int]:
        """Erase every row about the user in one transaction (GDPR art. 17).

        Cascades from ``users`` remove profile, sent offers and favourites; PTB persistence
        rows (user_data, the private chat's chat_data, conversations whose key contains the
        user or their chat) are removed explicitly. Returns rows deleted per table.
        A running Application keeps its in-memory copy: the bot must also call
        ``application.drop_user_data(user_id)`` / ``drop_chat_data(chat_id)``.
        """
        require_user_id(user_id)
        deleted: dict[str, int] = {}
        async with self._transaction() as db:
            rows = await db.execute_fetchall(
                "SELECT chat_id FROM users WHERE user_id = ?", (user_id,)
            )
            chat_ids = {user_id} | {row[0] for row in rows}
            chats = _dumps(sorted(chat_ids))
            for table in ("profiles", "sent_offers", "favourites"):
                cursor = await db.execute(
                    f"DELETE FROM {table} WHERE user_id = ?",  # noqa: S608 - fixed table names
                    (user_id,),
                )
                deleted[table] = cursor.rowcount
            cursor = await db.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
            deleted["users"] = cursor.rowcount
            cursor = await db.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))
            deleted["ptb_user_data"] = cursor.rowcount
            cursor = await db.execute(
                "DELETE FROM ptb_chat_data WHERE chat_id IN (SELECT value FROM json_each(?))",
                (chats,),
            )
            deleted["ptb_chat_data"] = cursor.rowcount
            cursor = await db.execute(
                "DELETE FROM ptb_conversations WHERE EXISTS (SELECT 1 FROM"
                " json_each(ptb_conversations.key) k"
                " WHERE k.value IN (SELECT value FROM json_each(?)))",
                (chats,),
            )
            deleted["ptb_conversations"] = cursor.rowcount
        return deleted

    @asynccontextmanager
    async def _read_snapshot(self) -> AsyncIterator[aiosqlite.Connection]:
        """A deferred read transaction under the lock: several SELECTs see one snapshot."""
        if self._closed:
            raise StorageError("storage is closed")
        async with self._lock:
            try:
                await self._db.execute("BEGIN")
                yield self._db
            finally:
                await self._db.rollback()

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user as a JSON-serialisable dict (GDPR art. 15 and 20).

        Read in one snapshot, so a concurrent change cannot produce a half-updated export.
        """
        require_user_id(user_id)
        async with self._read_snapshot() as db:
            user_rows = list(
                await db.execute_fetchall(
                    "SELECT user_id, chat_id, first_name, language, created_at, last_seen_at,"
                    " blocked_at FROM users WHERE user_id = ?",
                    (user_id,),
                )
            )
            profile_rows = list(await db.execute_fetchall(_PROFILE_BY_ID, (user_id,)))
            user = _user_from_row(user_rows[0]) if user_rows else None
            chats = _dumps(sorted({user_id} | ({user.chat_id} if user else set())))
            sent = await db.execute_fetchall(
                "SELECT offer_id, sent_at FROM sent_offers WHERE user_id = ?"
                " ORDER BY sent_at, offer_id",
                (user_id,),
            )
            favourites = await db.execute_fetchall(
                "SELECT offer_id, title, company, place, url, saved_at FROM favourites"
                " WHERE user_id = ? ORDER BY saved_at DESC, offer_id",
                (user_id,),
            )
            user_data = list(
                await db.execute_fetchall(
                    "SELECT data FROM ptb_user_data WHERE user_id = ?", (user_id,)
                )
            )
            chat_data = await db.execute_fetchall(
                "SELECT chat_id, data FROM ptb_chat_data"
                " WHERE chat_id IN (SELECT value FROM json_each(?))",
                (chats,),
            )
            conversations = await db.execute_fetchall(
                "SELECT name, key, state FROM ptb_conversations WHERE EXISTS (SELECT 1 FROM"
                " json_each(ptb_conversations.key) k"
                " WHERE k.value IN (SELECT value FROM json_each(?)))"
                " ORDER BY name, key",
                (chats,),
            )
        profile = _profile_from_row(profile_rows[0]) if profile_rows else None
        return {
            "format": "ft-job-bot user export",
            "schema_version": LATEST_SCHEMA_VERSION,
            "exported_at": _now().isoformat(),
            "user": user.to_json() if user else None,
            "profile": profile.to_json() if profile else None,
            "sent_offers": [{"offer_id": row[0], "sent_at": _iso(row[1])} for row in sent],
            "favourites": [
                {
                    "offer_id": row[0],
                    "title": row[1],
                    "company": row[2],
                    "place": row[3],
                    "url": row[4],
                    "saved_at": _iso(row[5]),
                }
                for row in favourites
            ],
            "bot_memory": {
                "user_data": json.loads(user_data[0][0]) if user_data else None,
                "chat_data": {str(row[0]): json.loads(row[1]) for row in chat_data},
                "conversations": [
                    {"name": row[0], "key": json.loads(row[1]), "state": json.loads(row[2])}
                    for row in conversations
                ],
            },
        }

    # ------------------------------------------------------------------ PTB persistence access
    # Used by storage.persistence.SqlitePersistence (values are JSON text, checked there).

    async def ptb_load(self, table: str) -> list[Any]:
        sql = {
            "user_data": "SELECT user_id, data FROM ptb_user_data",
            "chat_data": "SELECT chat_id, data FROM ptb_chat_data",
            "bot_data": "SELECT id, data FROM ptb_bot_data",
            "callback_data": "SELECT id, data FROM ptb_callback_data",
        }[table]
        return await self._fetchall(sql)

    async def ptb_load_conversations(self, name: str) -> list[Any]:
        return await self._fetchall(
            "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
        )

    async def ptb_store(self, table: str, key: int, data: str | None) -> None:
        """Upsert (or delete when ``data`` is None) one persistence row."""
        table_name, column = {
            "user_data": ("ptb_user_data", "user_id"),
            "chat_data": ("ptb_chat_data", "chat_id"),
            "bot_data": ("ptb_bot_data", "id"),
            "callback_data": ("ptb_callback_data", "id"),
        }[table]
        async with self._transaction() as db:
            if data is None:
                await db.execute(
                    f"DELETE FROM {table_name} WHERE {column} = ?",  # noqa: S608
                    (key,),
                )
            else:
                await db.execute(
                    f"INSERT INTO {table_name} ({column}, data) VALUES (?, ?)"  # noqa: S608
                    f" ON CONFLICT ({column}) DO UPDATE SET data = excluded.data",
                    (key, data),
                )

    async def ptb_store_conversation(self, name: str, key: str, state: str | None) -> None:
        async with self._transaction() as db:
            if state is None:
                await db.execute(
                    "DELETE FROM ptb_conversations WHERE name = ? AND key = ?", (name, key)
                )
            else:
                await db.execute(
                    "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?)"
                    " ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
                    (name, key, state),
                )
