-- 0001: initial schema. Instants are UTC Unix epoch seconds (INTEGER); lists are JSON text.
-- Applied in one transaction by storage.migrator; recorded in schema_version.

CREATE TABLE users (
    user_id      INTEGER PRIMARY KEY,            -- Telegram user id
    chat_id      INTEGER NOT NULL,               -- private chat id (where alerts go)
    first_name   TEXT,
    language     TEXT,                           -- Telegram language_code
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    blocked_at   INTEGER                         -- set on Telegram 403; NULL = reachable
) STRICT;

CREATE TABLE profiles (
    user_id        INTEGER PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
    target_jobs    TEXT    NOT NULL DEFAULT '[]',   -- JSON [[rome_code, label], ...] (<= 3)
    skills         TEXT    NOT NULL DEFAULT '[]',   -- JSON [skill as typed, ...]
    place_code     TEXT,                            -- INSEE code (commune or arrondissement)
    place_label    TEXT,
    radius_km      INTEGER NOT NULL DEFAULT 10 CHECK (radius_km BETWEEN 0 AND 200),
    contract_types TEXT    NOT NULL DEFAULT '[]',   -- JSON ["CDI", ...]
    alert_minute   INTEGER NOT NULL DEFAULT 480 CHECK (alert_minute BETWEEN 0 AND 1439),
    alert_days     INTEGER NOT NULL DEFAULT 127 CHECK (alert_days BETWEEN 1 AND 127), -- bit d = weekday d (0 = Monday)
    alerts_enabled INTEGER NOT NULL DEFAULT 1 CHECK (alerts_enabled IN (0, 1)),
    last_alert_at  INTEGER NOT NULL DEFAULT 0,      -- 0 = never served
    updated_at     INTEGER NOT NULL
) STRICT;

-- due_for_alerts: "alerts on AND not served since local midnight AND alert minute passed".
-- The range on last_alert_at shrinks to the users still waiting as the day goes on, and
-- alert_minute is read from the index itself.
CREATE INDEX profiles_due ON profiles (last_alert_at, alert_minute) WHERE alerts_enabled = 1;

CREATE TABLE sent_offers (
    user_id  INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    offer_id TEXT    NOT NULL,
    sent_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, offer_id)               -- unique per user and offer; filter_unsent probes it
) STRICT, WITHOUT ROWID;

-- "offers sent today" for /stats and pruning of old rows.
CREATE INDEX sent_offers_sent_at ON sent_offers (sent_at);

CREATE TABLE favourites (
    user_id  INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    offer_id TEXT    NOT NULL,
    title    TEXT    NOT NULL,                    -- snapshot: the offer may vanish from France Travail
    company  TEXT,
    place    TEXT,
    url      TEXT,
    saved_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, offer_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE alert_runs (
    id              INTEGER PRIMARY KEY,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER NOT NULL,
    users_due       INTEGER NOT NULL,
    users_served    INTEGER NOT NULL,
    offers_sent     INTEGER NOT NULL,
    ft_calls        INTEGER NOT NULL,
    ft_errors       INTEGER NOT NULL,
    telegram_errors INTEGER NOT NULL,
    outcome         TEXT    NOT NULL CHECK (outcome IN ('ok', 'partial', 'failed')),
    detail          TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX alert_runs_started_at ON alert_runs (started_at);

CREATE TABLE ft_errors (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    endpoint TEXT    NOT NULL,
    status   INTEGER                              -- HTTP status; NULL for timeouts / network errors
) STRICT;

CREATE INDEX ft_errors_at ON ft_errors (at);

-- python-telegram-bot persistence (storage.persistence.SqlitePersistence). JSON values.
-- No foreign key to users: PTB may store data for a user before any handler calls upsert_user.
-- delete_user() removes these rows explicitly.
CREATE TABLE ptb_user_data (
    user_id INTEGER PRIMARY KEY,
    data    TEXT NOT NULL
) STRICT;

CREATE TABLE ptb_chat_data (
    chat_id INTEGER PRIMARY KEY,
    data    TEXT NOT NULL
) STRICT;

CREATE TABLE ptb_bot_data (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    data TEXT NOT NULL
) STRICT;

CREATE TABLE ptb_callback_data (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    data TEXT NOT NULL
) STRICT;

CREATE TABLE ptb_conversations (
    name  TEXT NOT NULL,                         -- ConversationHandler name
    key   TEXT NOT NULL,                         -- JSON array, e.g. [chat_id, user_id]
    state TEXT NOT NULL,                         -- JSON
    PRIMARY KEY (name, key)
) STRICT, WITHOUT ROWID;
