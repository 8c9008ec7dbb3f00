"""The tables, declared once for both backends (SQLAlchemy Core ``MetaData``).

The repositories build every query from these objects, so SQLAlchemy renders the right SQL for
SQLite and for PostgreSQL. The DDL itself lives in the frozen, versioned migrations
(``storage/migrations/<backend>/NNNN_name.sql``): a migration must keep creating what it created
when it was released, whatever this module says later. ``tests/test_storage_schema.py`` checks
that a migrated database of each backend has exactly the columns declared here.

Instants are UTC epoch seconds (``BigInteger``); lists are JSON text.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    literal_column,
)

metadata = MetaData()


def _user_fk() -> ForeignKey:
    return ForeignKey("users.user_id", ondelete="CASCADE")


users = Table(
    "users",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("first_name", Text),
    Column("language", Text),
    Column("created_at", BigInteger, nullable=False),
    Column("last_seen_at", BigInteger, nullable=False),
    Column("blocked_at", BigInteger),
)

profiles = Table(
    "profiles",
    metadata,
    Column("user_id", BigInteger, _user_fk(), primary_key=True, autoincrement=False),
    Column("target_jobs", Text, nullable=False),
    Column("skills", Text, nullable=False),
    Column("place_code", Text),
    Column("place_label", Text),
    Column("radius_km", Integer, nullable=False),
    Column("contract_types", Text, nullable=False),
    Column("alert_minute", Integer, nullable=False),
    Column("alert_days", Integer, nullable=False),
    Column("alerts_enabled", Integer, nullable=False),
    Column("last_alert_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    # The alert query the last alert was served for (0003); NULL = not known yet.
    Column("alert_criteria", Text),
    # Migration 0004: NULL = not said ("indifférent").
    Column("driving_licences", Text, nullable=False),
    Column("languages", Text, nullable=False),
    Column("experience", Text),
    Column("working_time", Text),
    Column("remote_wanted", Integer),
)

sent_offers = Table(
    "sent_offers",
    metadata,
    Column("user_id", BigInteger, _user_fk(), primary_key=True, autoincrement=False),
    Column("offer_id", Text, primary_key=True),
    Column("sent_at", BigInteger, nullable=False),
)

favourites = Table(
    "favourites",
    metadata,
    Column("user_id", BigInteger, _user_fk(), primary_key=True, autoincrement=False),
    Column("offer_id", Text, primary_key=True),
    Column("title", Text, nullable=False),
    Column("company", Text),
    Column("place", Text),
    Column("url", Text),
    Column("saved_at", BigInteger, nullable=False),
)

alert_runs = Table(
    "alert_runs",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("started_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger, nullable=False),
    Column("users_due", Integer, nullable=False),
    Column("users_served", Integer, nullable=False),
    Column("offers_sent", Integer, nullable=False),
    Column("ft_calls", Integer, nullable=False),
    Column("ft_errors", Integer, nullable=False),
    Column("telegram_errors", Integer, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("detail", Text, nullable=False),
)

ft_errors = Table(
    "ft_errors",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("at", BigInteger, nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("status", Integer),
)

# python-telegram-bot persistence (storage.persistence.SqlitePersistence): JSON text values, no
# foreign key to users (PTB may store data before any handler calls upsert_user).
ptb_user_data = Table(
    "ptb_user_data",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("data", Text, nullable=False),
)

ptb_chat_data = Table(
    "ptb_chat_data",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("data", Text, nullable=False),
)

ptb_bot_data = Table(
    "ptb_bot_data",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("data", Text, nullable=False),
)

ptb_callback_data = Table(
    "ptb_callback_data",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("data", Text, nullable=False),
)

ptb_conversations = Table(
    "ptb_conversations",
    metadata,
    Column("name", Text, primary_key=True),
    Column("key", Text, primary_key=True),  # JSON array, e.g. [chat_id, user_id]
    Column("state", Text, nullable=False),
)

# The sweep's offers (issue 13): public job offers, no personal data; see storage/offers.py.
offers = Table(
    "offers",
    metadata,
    Column("offer_id", Text, primary_key=True),
    Column("rome_code", Text),
    Column("commune", Text),
    Column("departement", Text),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("grid_cell", Integer),
    Column("contract_type", Text),
    Column("working_time", Text),
    Column("experience", Text),
    Column("salary_label", Text),
    Column("salary_comment", Text),
    Column("salary_monthly_min", Integer),
    Column("salary_monthly_max", Integer),
    Column("licences", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("title", Text, nullable=False),
    Column("company", Text),
    Column("town", Text),
    Column("url", Text, nullable=False),
    Column("details", Text, nullable=False),
    Column("swept_at", BigInteger, nullable=False),
)

sweep_state = Table(
    "sweep_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("high_water_mark", BigInteger),
    Column("last_report", Text),
    Column("updated_at", BigInteger, nullable=False),
)

# Alerts people control (issue 15, 0006): saved searches, the own alert's settings, feedback.
saved_alerts = Table(
    "saved_alerts",
    metadata,
    Column("user_id", BigInteger, _user_fk(), primary_key=True, autoincrement=False),
    Column("alert_no", Integer, primary_key=True, autoincrement=False),
    Column("label", Text, nullable=False),
    Column("rome_codes", Text, nullable=False),
    Column("keywords", Text),
    Column("commune_code", Text),
    Column("place_label", Text),
    Column("radius_km", Integer),
    Column("departement", Text),
    Column("region", Text),
    Column("contract_types", Text, nullable=False),
    Column("alternance", Integer, nullable=False),
    Column("part_time", Integer),
    Column("beginner", Integer, nullable=False),
    Column("frequency", Text, nullable=False),
    Column("weekday", Integer, nullable=False),
    Column("alert_minute", Integer, nullable=False),
    Column("quiet_days", Integer, nullable=False),
    Column("paused_until", Text),
    Column("enabled", Integer, nullable=False),
    Column("filters", Text, nullable=False),
    Column("last_served_at", BigInteger, nullable=False),
    Column("served_criteria", Text),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# The due query's indexes (storage/alert_delivery.py: _saved_due_select), both partial on
# enabled = 1. PostgreSQL serves the query with saved_alerts_due (0006); SQLite's planner, which
# wants user_id order for the query's DISTINCT, with the covering saved_alerts_schedule (0009,
# SQLite only: on PostgreSQL it would only cost writes). tests/test_saved_alerts_index.py checks
# both plans.
_ENABLED = saved_alerts.c.enabled == literal_column("1")
Index(
    "saved_alerts_due",
    saved_alerts.c.last_served_at,
    saved_alerts.c.alert_minute,
    sqlite_where=_ENABLED,
    postgresql_where=_ENABLED,
)
Index(
    "saved_alerts_schedule",
    saved_alerts.c.user_id,
    saved_alerts.c.last_served_at,
    saved_alerts.c.alert_minute,
    saved_alerts.c.quiet_days,
    saved_alerts.c.frequency,
    saved_alerts.c.weekday,
    saved_alerts.c.paused_until,
    saved_alerts.c.enabled,
    sqlite_where=_ENABLED,
).ddl_if(dialect="sqlite")

profile_alert_settings = Table(
    "profile_alert_settings",
    metadata,
    Column("user_id", BigInteger, _user_fk(), primary_key=True, autoincrement=False),
    Column("filters", Text, nullable=False),
    Column("paused_until", Text),
    Column("updated_at", BigInteger, nullable=False),
)

offer_feedback = Table(
    "offer_feedback",
    metadata,
    Column("user_id", BigInteger, _user_fk(), primary_key=True, autoincrement=False),
    Column("offer_id", Text, primary_key=True),
    Column("reason", Text),
    Column("rome_code", Text),
    Column("company", Text),
    Column("distance_km", Float),
    Column("salary_monthly", Integer),
    Column("contract_type", Text),
    Column("created_at", BigInteger, nullable=False),
)

# Shared send rates (issue 13): the next free slot of each rate, taken by every worker process;
# see storage/rate_slots.py. Transient state, not copied by the SQLite → PostgreSQL tool.
rate_slots = Table(
    "rate_slots",
    metadata,
    Column("name", Text, primary_key=True),
    Column("next_slot", Float, nullable=False),
)

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("applied_at", BigInteger, nullable=False),
)

# Every table holding data, parents first: the order the SQLite → PostgreSQL copy inserts in.
DATA_TABLES: tuple[Table, ...] = (
    users,
    profiles,
    sent_offers,
    favourites,
    alert_runs,
    ft_errors,
    ptb_user_data,
    ptb_chat_data,
    ptb_bot_data,
    ptb_callback_data,
    ptb_conversations,
    offers,
    sweep_state,
    saved_alerts,
    profile_alert_settings,
    offer_feedback,
)
