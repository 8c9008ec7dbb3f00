-- 0006: local alert matching (issue 13 item 2). A query for a commune matches every offer of that
-- commune (or of its arrondissements) whatever its distance, as France Travail's does: per ROME
-- code, the offers of a few communes are then read from this index, not the whole country.
CREATE INDEX offers_rome_commune ON offers (rome_code, commune, created_at);
