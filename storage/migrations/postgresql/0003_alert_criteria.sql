-- 0003: PostgreSQL twin of sqlite/0003_alert_criteria.sql. The alert criteria (ROME codes,
-- commune, radius, contract types) the last alert was served for; criteria that differ from
-- them make the next alert look back ALERT_LOOKBACK_DAYS again. NULL = not known yet.

ALTER TABLE profiles ADD COLUMN alert_criteria TEXT;
