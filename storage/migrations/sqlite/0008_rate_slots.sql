-- 0006: shared send rates (issue 13, several workers): one row per rate (e.g. 'telegram'), the
-- instant from which the next slot is free. Senders of every process take slots by moving it
-- forward; a 429 moves it past the pause for everyone. Not personal data.

CREATE TABLE rate_slots (
    name      TEXT    PRIMARY KEY,
    next_slot REAL    NOT NULL           -- UTC epoch seconds, fractional
) STRICT;
