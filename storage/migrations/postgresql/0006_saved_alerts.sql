-- 0006: PostgreSQL twin of sqlite/0006_saved_alerts.sql: alerts people control (issue 15).
-- Up to 4 saved searches per person next to the profile's own alert, the filters and pause of
-- that own alert, and « pas intéressé » feedback (every offer hidden with 🙈, with an optional
-- reason that changes the next digests).
-- filters: JSON of ft_client.alert_filters.AlertFilters. Dates are ISO 'YYYY-MM-DD' text.

CREATE TABLE saved_alerts (
    user_id         BIGINT  NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    alert_no        INTEGER NOT NULL,        -- 1, 2, … per person (the buttons carry it)
    label           TEXT    NOT NULL,
    rome_codes      TEXT    NOT NULL DEFAULT '[]',   -- JSON list
    keywords        TEXT,                    -- free-text words of a /recherche
    commune_code    TEXT,                    -- INSEE code
    place_label     TEXT,
    radius_km       INTEGER,
    departement     TEXT,
    region          TEXT,
    contract_types  TEXT    NOT NULL DEFAULT '[]',   -- JSON list
    alternance      INTEGER NOT NULL DEFAULT 0,
    part_time       INTEGER,                 -- NULL: either
    beginner        INTEGER NOT NULL DEFAULT 0,
    frequency       TEXT    NOT NULL DEFAULT 'daily'
        CHECK (frequency IN ('daily', 'weekdays', 'weekly')),
    weekday         INTEGER NOT NULL DEFAULT 0 CHECK (weekday BETWEEN 0 AND 6),
    alert_minute    INTEGER NOT NULL DEFAULT 480 CHECK (alert_minute BETWEEN 0 AND 1439),
    quiet_days      INTEGER NOT NULL DEFAULT 0,      -- 7-bit mask, bit 0 = Monday
    paused_until    TEXT,
    enabled         INTEGER NOT NULL DEFAULT 1,
    filters         TEXT    NOT NULL DEFAULT '{}',
    last_served_at  BIGINT  NOT NULL DEFAULT 0,      -- 0 = never
    served_criteria TEXT,                    -- the criteria the last digest was served for
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (user_id, alert_no)
);

CREATE INDEX saved_alerts_due ON saved_alerts (last_served_at, alert_minute) WHERE enabled = 1;

-- The profile's own alert: its criteria and time stay in profiles; its filters and pause here.
CREATE TABLE profile_alert_settings (
    user_id      BIGINT  PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    filters      TEXT    NOT NULL DEFAULT '{}',
    paused_until TEXT,
    updated_at   BIGINT  NOT NULL
);

CREATE TABLE offer_feedback (
    user_id        BIGINT  NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    offer_id       TEXT    NOT NULL,
    reason         TEXT CHECK (reason IN ('metier', 'entreprise', 'trop_loin', 'salaire', 'contrat')),
    rome_code      TEXT,
    company        TEXT,
    distance_km    DOUBLE PRECISION,
    salary_monthly INTEGER,
    contract_type  TEXT,
    created_at     BIGINT  NOT NULL,
    PRIMARY KEY (user_id, offer_id)
);
