-- 0003: the alert criteria (the France Travail query: ROME codes, commune, radius, contract
-- types) that the last alert was served for. When a profile's criteria differ from these, the
-- next alert looks back ALERT_LOOKBACK_DAYS again instead of starting at the last digest (a
-- person who moves from Rennes to Paris wants this week's Paris offers). NULL = not known yet
-- (served before this migration, or never served): the next alert looks back too; sent_offers
-- still keeps every offer from being sent twice.

ALTER TABLE profiles ADD COLUMN alert_criteria TEXT;
