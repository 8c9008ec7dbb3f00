"""One alert cycle, end to end: who is due, one read per group, one digest per user.

`run_alert_cycle` asks storage who is due, tells which of each person's alerts are due (`due`:
the profile's and saved alerts) and groups the alerts by identical criteria (`planning`).
When the offers table is fresh (`local_source.local_window`), each group's offers are read from
it once; otherwise (no sweep yet, sweeps off or failing: logged once per cycle) query sets are
asked of France Travail, concurrently (bounded; `fetching`). Each alert's offers are selected as
soon as its group's offers are in (rank, filters, feedback: `person`), and each person is served
as soon as all their due alerts are (`serving`): one message (`person.compose`, `sending`),
then its offers and every alert it served recorded in one transaction, with the digests
accepted meanwhile (`recording`). Fetching pauses while too many fetched users wait for
Telegram, so that memory stays bounded on a national cycle.

A cycle run for one user (`force_user_id`: « Tester maintenant », `/demo_alerte`) can also hand
back that user's `UserOutcome`: how many offers the window held, how many were already sent and
how many were below the threshold, so that an empty answer can say why.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.alerts import digest as digest_mod
from bot.alerts.bookkeeping import AlertCycleReport, record_run
from bot.alerts.due import criteria_of, profile_alert_due, saved_alert_due, saved_plan
from bot.alerts.fetching import AlertState, fetch_window, ft_search_calls
from bot.alerts.local_source import (
    LocalOfferSource,
    LocalWindow,
    local_window,
    locally_supported,
    read_sets,
)
from bot.alerts.person import AlertOutcome, AlertResult, PersonRun, select_offers
from bot.alerts.planning import (
    PROFILE_ALERT_NO,
    QueryGroup,
    QuerySet,
    UserPlan,
    group_plans,
    offers_for_groups,
    offers_in_window,
    person_order,
    plan_groups,
    plan_query_sets,
)
from bot.alerts.sending import Pacer, SendPacer
from bot.alerts.serving import DigestServer
from bot.config import FREE_BROADCAST_RATE
from ft_client import FTError
from ft_client.models import Offer
from storage.clock import local_midnight

if TYPE_CHECKING:
    from telegram import Bot

    from bot.config import Settings
    from bot.services import Services
    from storage import Profile

log = logging.getLogger(__name__)

# Concurrent France Travail query sets; the client's limiter is what keeps FT under 10 calls/s.
FT_CONCURRENCY = 4
# Concurrent reads of the offers table (one per group of identical criteria).
LOCAL_CONCURRENCY = 4
# Digests being sent at once (the pacer spaces them at 30/s): 8 keeps 30/s with up to ~250 ms
# per send.
SEND_CONCURRENCY = 8
# Digests accepted by Telegram and not yet recorded, at most (`DeliveryRecorder`): what a crash
# can make the next run send again, each identically. A second's worth at 30/s: their records
# go in one transaction while the sends go on (one transaction per digest made every sender
# wait behind a slow commit).
UNRECORDED_LIMIT = 32
# Digests per second: evenly spaced, just under Telegram's 30 messages/s. AIORateLimiter alone
# allows a 30-message burst after any idle moment on top of its 30/s, and the 429s that Telegram
# then answers pause every request of the bot.
SEND_RATE = 29.0
# Users whose offers were fetched but who are not served yet: fetching and ranking stop running
# ahead of Telegram sending beyond PENDING_SECONDS of sends at the cycle's rate, within these
# bounds. Memory stays bounded, and the ranking done ahead of time does not crowd the event loop
# while the sends wait for it (2 000 users ahead at 30/s cost ~10 % of the cycle's sending time).
PENDING_SECONDS = 15.0
MIN_PENDING_USERS = 300
MAX_PENDING_USERS = 2000


@dataclass(slots=True)
class UserOutcome(AlertOutcome):
    """What one user's run found: its own fields are the profile alert's counts (but `sent`:
    the offers of the whole digest), `saved` the saved alerts' (by number); an empty answer is
    explained with them."""

    user_id: int = 0
    saved: dict[int, AlertOutcome] = field(default_factory=dict)


class _Cycle:
    def __init__(
        self,
        services: Services,
        bot: Bot,
        now: datetime,
        state: AlertState,
        report: AlertCycleReport,
        outcomes: dict[int, UserOutcome] | None = None,
        pacer: SendPacer | None = None,
        local: LocalWindow | None = None,
    ) -> None:
        self.settings: Settings = services.settings
        self.storage = services.storage
        self.ft = services.ft
        self.referential = services.referential
        self.now = now
        self.day = now.astimezone(self.settings.alert_timezone).date()
        self.state = state
        self.report = report
        self.ft_slots = asyncio.Semaphore(FT_CONCURRENCY)
        self.local = local
        self.local_source = LocalOfferSource(self.storage, self.referential)
        self.local_slots = asyncio.Semaphore(LOCAL_CONCURRENCY)
        rate = self.settings.telegram_broadcast_rate
        # Just under the free limit by default; the configured rate when paid broadcasts are on.
        paid_broadcast = rate > FREE_BROADCAST_RATE
        send_rate = rate if paid_broadcast else SEND_RATE
        self.server = DigestServer(
            storage=self.storage,
            bot=bot,
            settings=self.settings,
            day=self.day,
            report=report,
            pacer=pacer or Pacer(send_rate),
            paid_broadcast=paid_broadcast,
            send_concurrency=SEND_CONCURRENCY,
            unrecorded_limit=UNRECORDED_LIMIT,
            outcome_of=self.outcome,
        )
        self.pending_limit = int(
            min(MAX_PENDING_USERS, max(MIN_PENDING_USERS, send_rate * PENDING_SECONDS))
        )
        self.pending_users = 0
        self.pending_changed = asyncio.Condition()
        self.people: dict[int, PersonRun] = {}
        # Filled only when the caller asks (one-user runs): a national cycle keeps no per-user data.
        self.outcomes = outcomes

    def user_outcome(self, user_id: int) -> UserOutcome | None:
        if self.outcomes is None:
            return None
        return self.outcomes.setdefault(user_id, UserOutcome(user_id=user_id))

    def outcome(self, user_id: int, alert_no: int = PROFILE_ALERT_NO) -> AlertOutcome | None:
        found = self.user_outcome(user_id)
        if found is None or alert_no == PROFILE_ALERT_NO:
            return found
        return found.saved.setdefault(alert_no, AlertOutcome(alert_no=alert_no))

    async def run(self, profiles: Sequence[Profile], *, forced: bool = False) -> None:
        """Serve the due alerts of these people (`forced`: every alert of theirs that is on
        and not paused, due or not: « Tester maintenant »)."""
        ids = [p.user_id for p in profiles]
        served_criteria = await self.storage.alert_criteria_of(ids)
        settings_of = await self.storage.profile_alert_settings_of(ids)
        saved_of = await self.storage.saved_alerts_of(ids)
        feedback_of = await self.storage.feedback_of(ids)
        tz = self.settings.alert_timezone
        local_now = self.now.astimezone(tz)
        midnight = local_midnight(self.now, tz)
        lookback = self.settings.alert_lookback_days
        profile_due: list[Profile] = []
        saved_plans: list[UserPlan] = []
        saved_skipped: list[tuple[int, int, str]] = []
        for profile in profiles:
            settings = settings_of.get(profile.user_id)
            paused = settings.paused_until if settings else None
            if forced or profile_alert_due(profile, paused, local_now, midnight):
                profile_due.append(profile)
            for alert in saved_of.get(profile.user_id, ()):
                if forced:
                    due = alert.schedule.enabled and not alert.schedule.paused_on(local_now.date())
                else:
                    due = saved_alert_due(alert, local_now, midnight)
                if not due:
                    continue
                plan = saved_plan(profile, alert, self.referential, self.now, lookback)
                if (found := self.outcome(profile.user_id, alert.alert_no)) is not None:
                    found.label = alert.label
                    found.criteria = criteria_of(alert).summary()
                    found.skipped = plan is None
                if plan is None:
                    canonical = alert.criteria.canonical()
                    saved_skipped.append((profile.user_id, alert.alert_no, canonical))
                else:
                    saved_plans.append(plan)
        filters = {uid: s.filters for uid, s in settings_of.items()}
        profile_groups, skipped = plan_groups(
            profile_due, self.referential, self.now, lookback, served_criteria, filters
        )
        for profile in skipped:
            if (outcome := self.outcome(profile.user_id)) is not None:
                outcome.skipped = True
        plans = [plan for group in profile_groups for plan in group.users] + saved_plans
        groups = group_plans(plans)
        for plan in plans:
            if (outcome := self.outcome(plan.profile.user_id, plan.alert_no)) is not None:
                outcome.window_start = plan.window_start
                outcome.criteria_changed = plan.criteria_changed
            person = self.people.get(plan.profile.user_id)
            if person is None:
                person = self.people[plan.profile.user_id] = PersonRun(
                    plan.profile, 0, feedback_of.get(plan.profile.user_id, ())
                )
            person.waiting += 1
        self.report.distinct_queries = len(groups)
        self.report.users_skipped += len(skipped)
        if skipped or saved_skipped:
            # Nothing to look for (no target job, unknown place): served, so that they are not
            # examined again every tick today.
            await self.storage.record_served_many(
                self.now, {None: [p.user_id for p in skipped]}, saved_skipped
            )
        users = await self.storage.get_users(self.people)
        self.server.chat_ids = {uid: user.chat_id for uid, user in users.items()}
        ready: list[QueryGroup] = []
        local_groups: list[QueryGroup] = []
        deferred: list[UserPlan] = []
        for group in groups:
            if self.local is not None and locally_supported(group.key):
                local_groups.append(group)
            elif self.state.deferred(group.key, self.now):
                self.report.queries_deferred += 1
                self.report.failures += len(group.users)
                deferred.extend(group.users)
            else:
                ready.append(group)
        query_sets = plan_query_sets(ready)
        self.report.query_sets = len(query_sets)
        local_sets = person_order(
            [
                [local_groups[i] for i in indexes]
                for indexes in read_sets([g.key for g in local_groups])
            ]
        )
        self.report.local_groups = len(local_sets)
        await asyncio.gather(
            self.fail(deferred),
            *(self.run_local_set(s) for s in local_sets),
            *(self.run_set(qs) for qs in query_sets),
        )
        await self.server.nothing_new.flush()

    async def fail(self, plans: Sequence[UserPlan]) -> None:
        """These alerts failed (they stay due); their people are served with the rest."""
        for plan in plans:
            if (outcome := self.outcome(plan.profile.user_id, plan.alert_no)) is not None:
                outcome.failed = True
        await asyncio.gather(*(self.alert_done(plan, None) for plan in plans))

    async def alert_done(self, plan: UserPlan, result: AlertResult | None) -> None:
        person = self.people.get(plan.profile.user_id)
        if person is not None and person.add(result, plan):
            await self.serve_person(person)

    async def add_pending(self, users: int) -> None:
        async with self.pending_changed:
            self.pending_users += users
            self.pending_changed.notify_all()

    async def run_set(self, query_set: QuerySet) -> None:
        offers = await self.fetch_set(query_set)
        if offers is None:
            await self.fail([plan for group in query_set.groups for plan in group.users])
            return
        # Counted from the fetch on, until every user of the set is handled.
        await self.add_pending(query_set.users)
        try:
            self.report.offers_fetched += len(offers)
            for group in query_set.groups:
                self.state.succeeded(group.key)
            per_group = offers_for_groups(offers, [g.key for g in query_set.groups])
            del offers
            await self.select_groups(query_set.groups, per_group, self.now)
        finally:
            await self.add_pending(-query_set.users)

    async def run_local_set(self, groups: Sequence[QueryGroup]) -> None:
        """Groups served from the offers table: their candidates read once for all of them
        (`local_source.read_sets`), their windows ending where the table is complete
        (`LocalWindow.end`)."""
        assert self.local is not None
        end = self.local.end
        users = sum(len(g.users) for g in groups)
        per_group: list[list[Offer]] | None = None
        async with self.local_slots:
            # Same backpressure as France Travail fetching: memory stays bounded.
            async with self.pending_changed:
                await self.pending_changed.wait_for(lambda: self.pending_users < self.pending_limit)
            start = min(g.window_start for g in groups)
            try:
                per_group = await self.local_source.offers_for_many(
                    [g.key for g in groups], start, end
                )
            except Exception:
                log.exception("reading the offers table failed for %d alert(s)", users)
                self.report.failures += users
            else:
                await self.add_pending(users)
        if per_group is None:
            await self.fail([plan for g in groups for plan in g.users])
            return
        try:
            self.report.offers_fetched += len({o.id for offers in per_group for o in offers})
            await self.select_groups(groups, per_group, end)
        finally:
            await self.add_pending(-users)

    async def fetch_set(self, query_set: QuerySet) -> list[Offer] | None:
        """The set's offers, or None when France Travail failed (the set backs off)."""
        async with self.ft_slots:
            # Backpressure with the slot held: fetching stops while enough fetched users wait
            # for Telegram (at most FT_CONCURRENCY sets are fetched beyond the bound).
            async with self.pending_changed:
                await self.pending_changed.wait_for(lambda: self.pending_users < self.pending_limit)
            try:
                return await fetch_window(self.ft, query_set.query(self.now))
            except FTError as exc:
                tick = timedelta(seconds=self.settings.alert_tick_seconds)
                retry_at = self.now
                for group in query_set.groups:
                    retry_at = self.state.failed(group.key, self.now, tick).retry_at
                self.report.queries_failed += 1
                self.report.failures += query_set.users
                log.warning(
                    "alert query failed for %d alert(s) (%s); next attempt from %s",
                    query_set.users,
                    exc,
                    retry_at.isoformat(timespec="seconds"),
                )
                return None

    async def select_groups(
        self, groups: Sequence[QueryGroup], per_group: Sequence[Sequence[Offer]], end: datetime
    ) -> None:
        """Select each alert of groups whose offers cover their windows up to `end` (now when
        asked live; where the table is complete when read locally). What was already sent is
        asked of storage once for all of them; the alerts are then ranked one at a time, the
        event loop getting a turn between two (digests keep flowing at their pace while a large
        read is ranked), and each person is served as soon as all their alerts are in."""
        windows = [
            (plan, offers_in_window(offers, plan.window_start, end))
            for group, offers in zip(groups, per_group, strict=True)
            for plan in group.users
        ]
        candidates: dict[int, set[str]] = {}
        for plan, mine in windows:
            candidates.setdefault(plan.profile.user_id, set()).update(o.id for o in mine)
        try:
            sent = await self.storage.sent_among_many(candidates)
        except Exception:
            # Nothing is lost: these alerts stay due and are tried again next tick.
            log.exception("reading the offers already sent failed for %d alert(s)", len(windows))
            self.report.failures += len(windows)
            await self.fail([plan for plan, _mine in windows])
            return
        del candidates
        serving: list[asyncio.Task[None]] = []
        pending = deque(windows)
        del windows  # each window is let go once its alert is selected
        try:
            while pending:
                plan, mine = pending.popleft()
                result = await self.select_alert(plan, mine, sent[plan.profile.user_id], end)
                del mine
                person = self.people.get(plan.profile.user_id)
                if person is not None and person.add(result, plan):
                    serving.append(asyncio.create_task(self.serve_person(person)))
                await asyncio.sleep(0)
            await asyncio.gather(*serving)
        finally:
            for task in serving:
                task.cancel()

    async def select_alert(
        self, plan: UserPlan, mine: Sequence[Offer], sent: set[str], end: datetime
    ) -> AlertResult | None:
        """One alert's offers (`mine`: its window's), or None when its selection failed (the
        alert then stays due, as when its offers could not be read). Ranked a part at a time,
        the event loop getting a turn after each part (sends keep their slots)."""
        try:
            return await self._select_alert(plan, mine, sent, end)
        except Exception:
            # One person's problem (a ranking bug, an odd offer) must not cost the others
            # theirs; the alert stays due and is tried again next tick.
            self.report.failures += 1
            log.exception("alert selection failed for one alert")
            if (found := self.outcome(plan.profile.user_id, plan.alert_no)) is not None:
                found.failed = True
            return None

    async def _select_alert(
        self, plan: UserPlan, mine: Sequence[Offer], sent: set[str], end: datetime
    ) -> AlertResult:
        user_id = plan.profile.user_id
        found = self.outcome(user_id, plan.alert_no)
        in_window = len(mine)
        unsent = [o for o in mine if o.id not in sent]
        person = self.people[user_id]
        ranked = await person.rank(plan, unsent, self.referential, self.now)
        kept = select_offers(ranked, plan, person.feedback, found, self.local_source.remote)
        if found is not None:
            found.fetched = in_window
            found.already_sent = in_window - len(unsent)
            found.below_threshold = len(kept) - len(
                digest_mod.qualifying(kept, self.settings.alert_min_score)
            )
        return AlertResult(plan=plan, ranked=kept, end=end)

    async def serve_person(self, person: PersonRun) -> None:
        try:
            await self.server.serve(person)
        except Exception:
            self.report.failures += 1
            for result in person.results:
                if outcome := self.outcome(result.plan.profile.user_id, result.plan.alert_no):
                    outcome.failed = True
            log.exception("alert digest failed for one user")
        finally:
            # Served (or failed: then due again next tick): their ranked offers are let go, so
            # that a national cycle holds only the people in flight, not everyone served.
            self.people.pop(person.profile.user_id, None)
            person.let_go()


async def run_alert_cycle(
    services: Services,
    bot: Bot,
    now: datetime | None = None,
    *,
    force_user_id: int | None = None,
    state: AlertState | None = None,
    outcomes: dict[int, UserOutcome] | None = None,
    user_ids: Sequence[int] | None = None,
    pacer: SendPacer | None = None,
) -> AlertCycleReport:
    """Run one alert cycle at `now` (default: the current time). See the module docstring.

    `force_user_id` serves that one user now, due or not (admin/testing: `ft-bot alerts --once
    --user ID`). `state` carries the per-query backoff between cycles (the job keeps one).
    `outcomes`, when given, receives each served user's `UserOutcome` (for one-user runs).
    `user_ids` restricts the cycle to those of the due users (a worker serves its share);
    `pacer` replaces the process's own Telegram pacing (e.g. a rate shared by several workers).
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    state = state or AlertState()
    report = AlertCycleReport(started_at=now)
    started = time.perf_counter()
    calls_before = ft_search_calls(services.ft)
    local, why_live = await local_window(services.storage, services.settings, now)
    report.source = "local" if local is not None else "live"
    cycle = _Cycle(services, bot, now, state, report, outcomes, pacer, local)
    if force_user_id is not None:
        profile = await services.storage.get_profile(force_user_id)
        profiles = [profile] if profile is not None else []
    else:
        profiles = await services.storage.due_for_alerts(
            now, services.settings.alert_timezone, user_ids=user_ids
        )
    report.users_due = len(profiles)
    if profiles and local is None:
        log.info(
            "alert cycle: offers asked of France Travail, the offers table is not fresh (%s)",
            why_live,
        )
    try:
        await cycle.run(profiles, forced=force_user_id is not None)
    except BaseException:
        report.aborted = True
        raise
    finally:
        # Searches of other tasks of the bot (a user's /recherche) in the meantime count too.
        report.ft_calls = ft_search_calls(services.ft) - calls_before
        report.duration = time.perf_counter() - started
        if report.users_due or report.aborted:
            await record_run(services, report, now + timedelta(seconds=report.duration))
            log.info("%s", report.summary())
        else:
            # Most ticks find nobody due: neither a stored run nor an INFO line for those.
            log.debug("%s", report.summary())
    return report
