"""Durable storage of ft-job-bot: SQLite (aiosqlite) or PostgreSQL (asyncpg), one code path.

Public API::

    from storage import Storage, Profile, TargetJob, User, Favourite, FavouriteSnapshot, AlertRun
    from storage import SqlitePersistence, SchemaTooNewError, UnknownUserError, StorageError
    from storage import StorageUnavailableError, is_postgres_url

``Storage.open(location)``: a ``postgresql://user:password@host:port/db`` URL selects
PostgreSQL; anything else is a SQLite path (the zero-setup default). Both go through SQLAlchemy
Core 2.x async: the tables are declared once in ``schema`` and every repository builds its
queries from them (dialect upserts, RETURNING, expanding IN lists), so no SQLite-only SQL is
left in the repositories.

Modules: ``facade`` (:class:`Storage`, composing the repositories), ``db`` (connection core: engine,
SQLite PRAGMAs, transactions, snapshots), ``maintenance`` (schema version, integrity check, backup),
``backends`` (URL or path → backend, connection errors in one line), ``schema`` (the ``MetaData``),
``migrator`` (versioned migrations), one repository per concern — ``users``, ``profiles``,
``alert_delivery`` (who is due, offers sent), ``deliveries`` (accepted digests recorded, one or a
batch at once), ``monitoring`` (alert runs, France Travail errors, /stats), ``favourites``,
``privacy`` (GDPR erase/export), ``ptb_tables`` (persistence rows), ``offers`` (the offers the sweep
stores, not personal data, with the grid-cell look-up for local matching; rows ↔ offers in
``offer_rows``, the grid in ``offer_grid``) — plus ``rows`` (row ↔ model conversion), ``clock``,
``errors``, ``models`` (validated dataclasses), ``persistence`` (:class:`SqlitePersistence`, for
both backends) and ``migrate`` (``python -m storage.migrate``: copy a SQLite database into
PostgreSQL).

SQLite: one connection per :class:`Storage` plus an asyncio lock so tasks never interleave
statements inside another task's transaction. ``journal_mode=WAL`` (readers never block the
writer; crash-safe), ``foreign_keys=ON``, ``busy_timeout`` (10 s: another process such as
``ft-bot alerts --once`` waits instead of failing with "database is locked"),
``synchronous=FULL`` by default (each commit is fsynced, so what was acknowledged survives a
power cut; NORMAL is also corruption-free in WAL but may drop the last commits on power loss).
Every multi-row change is one ``BEGIN IMMEDIATE … COMMIT``. PostgreSQL: a connection pool, READ
COMMITTED transactions, row locks on read-modify-write paths.

Migrations: ``storage/migrations/<backend>/NNNN_name.sql`` (same numbers for both backends),
applied in order at open, each in one transaction together with its row in ``schema_version``
(version, name, applied_at) — so a crash mid-migration leaves the previous version intact and the
migration re-runs cleanly. A database whose version is newer than the program raises
:class:`SchemaTooNewError`.

Tables (instants are UTC Unix epoch seconds; lists are JSON text):

``users``
    Telegram user id (primary key), private chat id, first name, language, created/last seen,
    ``blocked_at`` (set when Telegram answers 403; cleared by ``touch_user`` when they write
    again). Created by ``upsert_user`` when the person starts using the bot, never from a
    group. Parent of every per-user table (``ON DELETE CASCADE``).
``profiles``
    One per user: target jobs (≤ 3 ROME codes with labels), skills as typed, place (INSEE code and
    label), radius, contract types, alert time as ``alert_minute`` (minutes after local
    midnight), ``alert_days`` as a 7-bit mask (bit 0 = Monday), ``alerts_enabled``,
    ``last_alert_at`` (0 = never). Partial index ``profiles_due (last_alert_at, alert_minute)
    WHERE alerts_enabled = 1`` lets SQL select who is due: see ``Storage.due_for_alerts``.
``sent_offers``
    (user, offer id) primary key (SQLite: ``WITHOUT ROWID``): an offer is never sent twice to a
    user; ``filter_unsent`` probes the key for ~150 ids in one query. Index on ``sent_at`` for
    "offers sent today" and pruning.
``favourites``
    (user, offer id) key plus a snapshot (title, company, place, url) because offers disappear
    from France Travail; saved time.
``alert_runs``
    One row per alert cycle: start, end, users due/served, offers sent, FT calls/errors,
    Telegram errors, outcome (ok/partial/failed), detail.
``ft_errors``
    France Travail failures (endpoint, HTTP status or NULL for timeouts, time), kept 30 days, for
    /stats "errors in the last 24 h".
``ptb_user_data``, ``ptb_chat_data``, ``ptb_bot_data``, ``ptb_callback_data``, ``ptb_conversations``
    python-telegram-bot persistence (JSON values) for :class:`SqlitePersistence`. No foreign key
    to ``users`` (PTB may persist before the user row exists); ``delete_user`` removes them.
``schema_version``
    Applied migrations.

Backups: :meth:`Storage.backup` writes a consistent online copy of a SQLite file (SQLite backup
API); PostgreSQL is backed up with its own tools.

GDPR: :meth:`Storage.delete_user` erases every row about a user (including persistence rows) in
one transaction; :meth:`Storage.export_user` returns everything as a JSON-serialisable dict.
"""

from storage.backends import is_postgres_url
from storage.clock import PARIS, local_midnight
from storage.db import LATEST_SCHEMA_VERSION
from storage.deliveries import Delivery
from storage.errors import (
    SchemaTooNewError,
    StorageError,
    StorageUnavailableError,
    UnknownUserError,
)
from storage.facade import Storage
from storage.models import (
    ALL_DAYS,
    DEFAULT_ALERT_TIME,
    DEFAULT_RADIUS_KM,
    MAX_CONTRACT_TYPES,
    MAX_RADIUS_KM,
    MAX_SKILL_LENGTH,
    MAX_SKILLS,
    MAX_TARGET_JOBS,
    AlertRun,
    Favourite,
    FavouriteSnapshot,
    Profile,
    TargetJob,
    User,
)
from storage.persistence import PersistenceSerializationError, SqlitePersistence

__all__ = [
    "ALL_DAYS",
    "DEFAULT_ALERT_TIME",
    "DEFAULT_RADIUS_KM",
    "LATEST_SCHEMA_VERSION",
    "MAX_CONTRACT_TYPES",
    "MAX_RADIUS_KM",
    "MAX_SKILLS",
    "MAX_SKILL_LENGTH",
    "MAX_TARGET_JOBS",
    "PARIS",
    "AlertRun",
    "Delivery",
    "Favourite",
    "FavouriteSnapshot",
    "PersistenceSerializationError",
    "Profile",
    "SchemaTooNewError",
    "SqlitePersistence",
    "Storage",
    "StorageError",
    "StorageUnavailableError",
    "TargetJob",
    "UnknownUserError",
    "User",
    "is_postgres_url",
    "local_midnight",
]
