"""Daily alerts: one JobQueue tick asks storage who is due, then sends batched digests.

A cycle (`run_alert_cycle`):
1. `storage.due_for_alerts(now, tz)` → the users with an alert due: their profile alert's time has
   come today and they were not served since, or one of their saved alerts is due (storage owns
   "due": on, not paused, today's day, time reached, not served since, not blocked; a digest older
   than a day is never sent late). `due` tells which of a person's alerts are due and plans each
   saved alert (its query, window, filters).
2. Alerts are grouped by identical criteria (`planning`), profile and saved alike. When the `offers`
   table the sweep fills is fresh (`local_source.local_window`: last sweep at most 2 × SWEEP_MINUTES
   old), each group's offers are read from it once (`local_source`), over [oldest window start,
   where the table is complete), and the cycle asks France Travail nothing. Otherwise (no sweep yet,
   sweeps off or failing; logged once per cycle) groups sharing commune and radius are asked
   together in one query set, over [oldest window start, now), every page within the API's limits
   (`fetching`), concurrently (bounded; the client's limiter keeps us under 10 calls/s).
3. Per alert: keep offers of its own window, drop those already sent (`sent_among_many`: one
   look-up per read for all its alerts), rank (`rank_offers`; one alert at a time, the event loop
   getting a turn between two so that digests keep flowing), apply its filters and the person's
   « pas intéressé » (`person`), keep the ones above `alert_min_score`.
4. ONE message per person once all their alerts are in: merged by alert, no offer twice, the top
   `alert_digest_size` per alert (`person`, `digest`), paced (`sending`). Only after Telegram
   accepted it are the offers marked sent and every alert it served marked served at the window's
   end, in one transaction (`bookkeeping`). No qualifying offer → no message, served anyway.
   Forbidden → user marked blocked. France Travail failing for a group → its users stay due and the
   group backs off (in memory, per query) before the next attempt; the other groups go on.

Modules: `planning` (pure grouping and windows), `due` (which alerts of a person are due, saved
alerts' plans), `person` (one person's alerts → one message), `local_source` (the offers table:
freshness, window end, one read per group), `fetching` (France Travail, backoff), `sending`
(Telegram), `serving` (one person's digest composed, sent and recorded), `recording` (group
commit of accepted digests), `bookkeeping` (report, alert_runs, sent/served marks, lock file),
`cycle` (one cycle end to end), `digest` (selection and HTML of a digest), `more` (the "+N
autres offres" button), `job` (the running bot's JobQueue tick), `oneshot` (cron), `try_now` (one
user now: « Tester maintenant », /demo_alerte) and `explain` (why that run sent nothing).
"""

from __future__ import annotations

# The tuning constants are re-exported for reading; to change one (as tests do), set it on the
# module that reads it, e.g. `bot.alerts.cycle.SEND_CONCURRENCY`.
from bot.alerts.bookkeeping import AlertCycleReport, alert_run_record, cycle_lock
from bot.alerts.cycle import (
    FT_CONCURRENCY,
    MAX_PENDING_USERS,
    SEND_CONCURRENCY,
    SEND_RATE,
    UserOutcome,
    run_alert_cycle,
)
from bot.alerts.fetching import MAX_BACKOFF, MAX_OFFERS_PER_QUERY, MAX_WINDOW_SPLITS, AlertState
from bot.alerts.job import FIRST_TICK_DELAY_SECONDS, JOB_NAME, register
from bot.alerts.local_source import FRESH_SWEEPS, LocalOfferSource, LocalWindow, local_window
from bot.alerts.more import (
    MORE_ACTION,
    decode_more,
    encode_more,
    more_keyboard,
    more_page,
    on_more_pressed,
)
from bot.alerts.oneshot import run_once
from bot.alerts.planning import (
    MAX_ROME_CODES_PER_QUERY,
    QueryGroup,
    QuerySet,
    UserPlan,
    alert_criteria,
    alert_query_key,
    offers_for_group,
    offers_for_groups,
    offers_in_window,
    plan_groups,
    plan_query_sets,
    query_commune,
    rank_for,
    window_start,
)
from bot.alerts.sending import LEFTOVER_RETRY_AFTER_ATTEMPTS
from bot.alerts.try_now import TryResult, run_alert_now

__all__ = [
    "FIRST_TICK_DELAY_SECONDS",
    "FRESH_SWEEPS",
    "FT_CONCURRENCY",
    "JOB_NAME",
    "LEFTOVER_RETRY_AFTER_ATTEMPTS",
    "MAX_BACKOFF",
    "MAX_OFFERS_PER_QUERY",
    "MAX_PENDING_USERS",
    "MAX_ROME_CODES_PER_QUERY",
    "MAX_WINDOW_SPLITS",
    "MORE_ACTION",
    "SEND_CONCURRENCY",
    "SEND_RATE",
    "AlertCycleReport",
    "AlertState",
    "LocalOfferSource",
    "LocalWindow",
    "QueryGroup",
    "QuerySet",
    "TryResult",
    "UserOutcome",
    "UserPlan",
    "alert_criteria",
    "alert_query_key",
    "alert_run_record",
    "cycle_lock",
    "decode_more",
    "encode_more",
    "local_window",
    "more_keyboard",
    "more_page",
    "offers_for_group",
    "offers_for_groups",
    "offers_in_window",
    "on_more_pressed",
    "plan_groups",
    "plan_query_sets",
    "query_commune",
    "rank_for",
    "register",
    "run_alert_cycle",
    "run_alert_now",
    "run_once",
    "window_start",
]
