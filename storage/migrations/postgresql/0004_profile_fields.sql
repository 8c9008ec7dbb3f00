-- 0004: PostgreSQL twin of sqlite/0004_profile_fields.sql. Driving licences held, languages,
-- experience, working time and remote work wanted. NULL = not said / indifférent.

ALTER TABLE profiles ADD COLUMN driving_licences TEXT NOT NULL DEFAULT '[]';
ALTER TABLE profiles ADD COLUMN languages TEXT NOT NULL DEFAULT '[]';
ALTER TABLE profiles ADD COLUMN experience TEXT
    CHECK (experience IN ('debutant', '1-2ans', '3ans+'));
ALTER TABLE profiles ADD COLUMN working_time TEXT
    CHECK (working_time IN ('temps_plein', 'temps_partiel'));
ALTER TABLE profiles ADD COLUMN remote_wanted INTEGER CHECK (remote_wanted IN (0, 1));
