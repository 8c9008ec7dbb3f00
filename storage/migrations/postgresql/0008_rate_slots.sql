-- 0006: PostgreSQL twin of sqlite/0006_rate_slots.sql: shared send rates (issue 13, several
-- workers), one row per rate, the instant from which the next slot is free. Not personal data.

CREATE TABLE rate_slots (
    name      TEXT             PRIMARY KEY,
    next_slot DOUBLE PRECISION NOT NULL  -- UTC epoch seconds, fractional
);
