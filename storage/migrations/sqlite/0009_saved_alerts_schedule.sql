-- 0009: the saved-alert part of the due query (storage/alert_delivery.py: _saved_due_select)
-- asks SELECT DISTINCT user_id over the schedule columns. SQLite's planner never takes
-- saved_alerts_due (0006) for it: a range on last_served_at would need a temporary B-tree for
-- the DISTINCT, so it scanned the whole table, wide rows (criteria, filters JSON) included. This
-- partial index holds exactly the columns the query reads, in user_id order: the query becomes
-- a scan of this narrow index with no table access and no sort (EXPLAIN QUERY PLAN: "SCAN
-- saved_alerts USING COVERING INDEX saved_alerts_schedule"); disabled alerts are not in it.
CREATE INDEX saved_alerts_schedule ON saved_alerts (
    user_id, last_served_at, alert_minute, quiet_days, frequency, weekday, paused_until, enabled
) WHERE enabled = 1;
