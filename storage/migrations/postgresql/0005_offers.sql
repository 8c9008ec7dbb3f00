-- 0005: PostgreSQL twin of sqlite/0005_offers.sql: the offers the sweep stores (issue 13) and
-- its one-row state. Offers are France Travail's public job offers, no personal data.
-- Kept for the alert lookback period (prune_offers).
-- grid_cell: the 0.1° cell of the work place, (floor(lat × 10) + 900) × 10000 + floor(lon × 10)
-- + 1800, computed by storage.offers.grid_cell; NULL without coordinates.

CREATE TABLE offers (
    offer_id           TEXT    PRIMARY KEY,
    rome_code          TEXT,
    commune            TEXT,                 -- INSEE code
    departement        TEXT,
    latitude           DOUBLE PRECISION,
    longitude          DOUBLE PRECISION,
    grid_cell          INTEGER,
    contract_type      TEXT,                 -- CDI, CDD, MIS…
    working_time       TEXT,                 -- dureeTravailLibelleConverti: Temps plein / partiel
    experience         TEXT,                 -- D débutant accepté, S souhaitée, E exigée
    salary_label       TEXT,                 -- raw salaire.libelle
    salary_comment     TEXT,                 -- raw salaire.commentaire
    salary_monthly_min INTEGER,              -- ft_client.salary, whole euros per month
    salary_monthly_max INTEGER,
    licences           TEXT    NOT NULL DEFAULT '[]',  -- JSON [[label, requirement], ...]
    created_at         BIGINT  NOT NULL,
    title              TEXT    NOT NULL,
    company            TEXT,
    town               TEXT,                 -- lieuTravail.libelle
    url                TEXT    NOT NULL,
    details            TEXT    NOT NULL,     -- compact JSON of the rest the digest and ranking read
    swept_at           BIGINT  NOT NULL      -- last stored by a sweep
);

-- Candidates around a point: per ROME code, one range of cells per row of cells.
CREATE INDEX offers_rome_cell ON offers (rome_code, grid_cell, created_at);
-- Candidates without a place (nationwide) and "new since" per ROME code.
CREATE INDEX offers_rome_created ON offers (rome_code, created_at);
CREATE INDEX offers_departement ON offers (departement, created_at);
-- prune_offers.
CREATE INDEX offers_created_at ON offers (created_at);

CREATE TABLE sweep_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    high_water_mark BIGINT,                  -- end of the last complete sweep's window
    last_report     TEXT,                    -- JSON of the last sweep's report
    updated_at      BIGINT  NOT NULL
);
