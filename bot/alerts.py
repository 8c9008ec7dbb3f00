"""Daily alerts: one JobQueue tick asks storage who is due, then sends batched digests.

A cycle (`run_alert_cycle`):
1. `storage.due_for_alerts(now, tz)` → the users whose alert time has come today and who were not
   served since (storage owns "due": alerts on, today's day, time reached, not served since, not
   blocked; a digest older than a day is never sent late).
2. Users are grouped by identical France Travail query (ROME codes, whole-city commune, radius,
   contract types — `OfferQuery` is hashable). Groups that share commune and radius are then
   asked together: ONE query set per (commune, radius) with their ROME codes in one `codeROME`
   list and no contract filter; each group keeps exactly the offers its own query would return
   (its codes and contract types are plain offer fields). Each query set covers
   [oldest window start of its users, now), sorted by date, every page within the API's limits.
   Sets run concurrently (bounded); the France Travail client's limiter keeps us under 10 calls/s.
3. Per user: keep offers of their own window, drop those already sent (`filter_unsent`), rank
   (`rank_offers`), keep the ones above `alert_min_score`, show the top `alert_digest_size`.
4. ONE message per user through PTB's `AIORateLimiter`. Only after Telegram accepted it are the
   offers marked sent and the user marked served. No qualifying offer → no message, served anyway.
   Forbidden → user marked blocked. France Travail failing for a group → its users stay due and the
   group backs off (in memory, per query) before the next attempt; the other groups go on.

Crash safety follows from the order of writes: a user is marked served only after Telegram
accepted their message, and offers are marked sent before the user is marked served, so a cycle
killed at any point repeats at most the messages that were in flight (sent, not yet recorded).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot import callbacks, texts
from bot import digest as digest_mod
from bot.services import match_profile_for
from ft_client import FranceTravailClient, FTError, OfferQuery
from ft_client.matching import RankedOffer, rank_offers
from ft_client.models import Offer
from storage import AlertRun

if TYPE_CHECKING:
    from telegram import Bot, Update

    from bot.config import Settings
    from bot.services import Services
    from ft_client.referential import Referential
    from storage import Profile

log = logging.getLogger(__name__)

JOB_NAME = "alerts"
# First tick soon after start-up, so alerts missed while the bot was down go out quickly.
FIRST_TICK_DELAY_SECONDS = 10.0
# Concurrent France Travail query sets; the client's limiter is what keeps FT under 10 calls/s.
FT_CONCURRENCY = 4
# Digests being sent and recorded at once; AIORateLimiter spaces the sends at 30/s. 8 keeps 30/s
# with up to ~250 ms per send+record, and bounds what a crash can repeat: a digest accepted by
# Telegram but not yet recorded is sent again after a restart.
SEND_CONCURRENCY = 8
# Digests per second: evenly spaced, just under Telegram's 30 messages/s. AIORateLimiter alone
# allows a 30-message burst after any idle moment on top of its 30/s, and the 429s that Telegram
# then answers pause every request of the bot.
SEND_RATE = 29.0
# Users whose offers were fetched but who are not served yet: France Travail fetching stops
# running ahead of Telegram sending beyond this (bounds memory on large cycles; ~70 s of sends).
MAX_PENDING_USERS = 2000
# Pagination cap per query set: the API serves at most positions 0..3149.
MAX_OFFERS_PER_QUERY = 3150
# ROME codes per coalesced query (the API takes up to 200; fewer keeps URLs and pages modest).
MAX_ROME_CODES_PER_QUERY = 50
# A window with more offers than the API pages through is halved, at most this many times.
MAX_WINDOW_SPLITS = 3
# When Telegram still says "retry after" once AIORateLimiter gave up, how many more waits we do.
LEFTOVER_RETRY_AFTER_ATTEMPTS = 2
# Backoff of a failing France Travail query: one tick, then doubling, capped.
MAX_BACKOFF = timedelta(minutes=30)
# Callback action of the "+N autres offres" button: the digest's window, epoch seconds in base 36.
MORE_ACTION = "am"
_EPOCH36 = r"[0-9a-z]{1,8}"
callbacks.register_action(MORE_ACTION, _EPOCH36, _EPOCH36)


# --------------------------------------------------------------------------------------------
# Report and state


@dataclass(slots=True)
class AlertCycleReport:
    """Counts of one cycle (no personal data): what `record_alert_run` stores and the log shows."""

    started_at: datetime
    users_due: int = 0
    distinct_queries: int = 0  # groups of users with identical criteria
    query_sets: int = 0  # France Travail query sets actually asked (groups coalesced)
    ft_calls: int = 0
    offers_fetched: int = 0
    messages_sent: int = 0
    users_served: int = 0
    users_skipped: int = 0
    users_blocked: int = 0
    failures: int = 0
    queries_failed: int = 0
    queries_deferred: int = 0
    retry_after_waits: int = 0
    telegram_errors: int = 0
    offers_sent: int = 0
    aborted: bool = False
    locked_out: bool = False  # another process was running a cycle on the same database
    duration: float = 0.0

    def summary(self) -> str:
        if self.locked_out:
            return "alert cycle: skipped, another process is running one on this database"
        return (
            f"alert cycle: users_due={self.users_due} distinct_queries={self.distinct_queries} "
            f"query_sets={self.query_sets} "
            f"ft_calls={self.ft_calls} offers_fetched={self.offers_fetched} "
            f"messages_sent={self.messages_sent} users_served={self.users_served} "
            f"users_skipped={self.users_skipped} users_blocked={self.users_blocked} "
            f"failures={self.failures} queries_failed={self.queries_failed} "
            f"queries_deferred={self.queries_deferred} duration={self.duration:.2f}s"
        )


@dataclass(slots=True)
class _Backoff:
    failures: int
    retry_at: datetime
    failed_at: datetime


@dataclass(slots=True)
class AlertState:
    """Per-application state: the overlap guard and the per-query backoff (in memory on purpose:
    after a restart every due user is simply tried again)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    backoff: dict[OfferQuery, _Backoff] = field(default_factory=dict)

    def deferred(self, key: OfferQuery, now: datetime) -> bool:
        entry = self.backoff.get(key)
        if entry is None:
            return False
        # A clock moved backwards (tests, manual runs) must not block a query for ever.
        return entry.failed_at <= now < entry.retry_at

    def failed(self, key: OfferQuery, now: datetime, tick: timedelta) -> _Backoff:
        previous = self.backoff.get(key)
        failures = previous.failures + 1 if previous else 1
        delay = min(tick * (2 ** (failures - 1)), MAX_BACKOFF)
        entry = _Backoff(failures=failures, retry_at=now + delay, failed_at=now)
        self.backoff[key] = entry
        # Forget queries whose users stopped being due long ago (profile changed, alerts off).
        for stale in [k for k, e in self.backoff.items() if e.retry_at < now - MAX_BACKOFF]:
            del self.backoff[stale]
        return entry

    def succeeded(self, key: OfferQuery) -> None:
        self.backoff.pop(key, None)


# --------------------------------------------------------------------------------------------
# Planning: profiles → query groups (pure)


@dataclass(frozen=True, slots=True)
class UserPlan:
    """One due user: their profile, their own window start, and the group they belong to."""

    profile: Profile
    window_start: datetime
    key: OfferQuery


@dataclass(slots=True)
class QueryGroup:
    key: OfferQuery
    users: list[UserPlan]

    @property
    def window_start(self) -> datetime:
        return min(u.window_start for u in self.users)

    def query(self, now: datetime) -> OfferQuery:
        return dataclasses.replace(self.key, created_after=self.window_start, created_before=now)


def window_start(last_alert_at: datetime | None, now: datetime, lookback_days: int) -> datetime:
    """Offers are wanted from the last digest on, never more than `lookback_days` back."""
    floor = now - timedelta(days=lookback_days)
    if last_alert_at is None:
        return floor
    if last_alert_at.tzinfo is None:
        last_alert_at = last_alert_at.replace(tzinfo=UTC)
    return max(last_alert_at, floor)


def query_commune(referential: Referential, place_code: str | None) -> str | None:
    """The INSEE code to query for a chosen place: an arrondissement of Paris, Lyon or Marseille
    is queried through its whole city (the offers API accepts those for sure).

    Raises ValueError for a code the referential does not know."""
    if not place_code:
        return None
    return referential.query_commune(place_code)


def alert_query_key(profile: Profile, referential: Referential) -> OfferQuery | None:
    """The France Travail query (without dates) for a profile; None if it has no target job."""
    codes = tuple(sorted({job.code for job in profile.target_jobs if job.code}))
    if not codes:
        return None
    commune = query_commune(referential, profile.place_code)
    return OfferQuery(
        rome_codes=codes,
        commune=commune,
        distance_km=profile.radius_km if commune else None,
        contract_types=tuple(sorted(set(profile.contract_types))),
        sort=1,  # creation date first, as France Travail's own alerts do
    )


def plan_groups(
    profiles: Sequence[Profile], referential: Referential, now: datetime, lookback_days: int
) -> tuple[list[QueryGroup], list[Profile]]:
    """Group due profiles by identical query. Returns (groups, profiles skipped: no target job)."""
    groups: dict[OfferQuery, QueryGroup] = {}
    skipped: list[Profile] = []
    for profile in profiles:
        try:
            key = alert_query_key(profile, referential)
        except ValueError:
            key = None  # a profile the API cannot express (bad stored code): skip, log count only
        if key is None:
            skipped.append(profile)
            continue
        plan = UserPlan(
            profile=profile,
            window_start=window_start(profile.last_alert_at, now, lookback_days),
            key=key,
        )
        group = groups.get(key)
        if group is None:
            groups[key] = QueryGroup(key=key, users=[plan])
        else:
            group.users.append(plan)
    return list(groups.values()), skipped


@dataclass(slots=True)
class QuerySet:
    """Groups asked together: same commune and radius, their ROME codes in one `codeROME` list.

    France Travail's 10 calls/s is the bottleneck of a national cycle, and most identical-criteria
    groups have only a few new offers a day. Groups that differ only by ROME codes or contract
    types are therefore asked in ONE query (codes together, no contract filter) and each group
    keeps exactly what the API would have answered it: offers of its codes and contract types,
    which are plain fields of the offer. Commune and radius stay part of the query: a distance
    filter is the API's to apply.
    """

    base: OfferQuery
    groups: list[QueryGroup] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)
    users: int = 0

    def add(self, group: QueryGroup) -> None:
        self.groups.append(group)
        self.codes.update(group.key.rome_codes)
        self.users += len(group.users)

    @property
    def rome_codes(self) -> tuple[str, ...]:
        return tuple(sorted(self.codes))

    def query(self, now: datetime) -> OfferQuery:
        start = min(g.window_start for g in self.groups)
        return dataclasses.replace(
            self.base, rome_codes=self.rome_codes, created_after=start, created_before=now
        )


def plan_query_sets(
    groups: Sequence[QueryGroup], max_codes: int = MAX_ROME_CODES_PER_QUERY
) -> list[QuerySet]:
    """Coalesce groups by (commune, radius), at most `max_codes` ROME codes per query."""
    by_place: dict[OfferQuery, list[QuerySet]] = {}
    for group in sorted(groups, key=lambda g: -len(g.users)):
        base = dataclasses.replace(group.key, rome_codes=(), contract_types=())
        sets = by_place.setdefault(base, [])
        target = next(
            (
                candidate
                for candidate in sets
                if len(candidate.codes.union(group.key.rome_codes)) <= max_codes
            ),
            None,
        )
        if target is None:
            target = QuerySet(base=base)
            sets.append(target)
        target.add(group)
    planned = [qs for sets in by_place.values() for qs in sets]
    planned.sort(key=lambda qs: -qs.users)
    # Largest first (digests start flowing at once), then alternately from both ends, so that
    # each France Travail call unlocks about the same number of users all along the cycle:
    # Telegram never waits for France Travail, France Travail never waits for the backpressure.
    order: list[QuerySet] = []
    low, high = 0, len(planned) - 1
    while low <= high:
        order.append(planned[low])
        if low != high:
            order.append(planned[high])
        low, high = low + 1, high - 1
    return order


def offers_for_group(offers: Sequence[Offer], key: OfferQuery) -> list[Offer]:
    """What the API answers for the group's own query, taken from its query set's answer."""
    return offers_for_groups(offers, [key])[0]


def offers_for_groups(offers: Sequence[Offer], keys: Sequence[OfferQuery]) -> list[list[Offer]]:
    """`offers_for_group` for many groups of one query set, indexing the offers once; each
    group's offers keep the API's order (newest first)."""
    by_code: dict[str, list[int]] = {}
    for index, offer in enumerate(offers):
        by_code.setdefault((offer.rome_code or "").upper(), []).append(index)
    result: list[list[Offer]] = []
    for key in keys:
        types = set(key.contract_types)
        indexes = sorted(i for code in key.rome_codes for i in by_code.get(code, ()))
        result.append([offers[i] for i in indexes if not types or offers[i].contract_type in types])
    return result


def offers_in_window(offers: Sequence[Offer], start: datetime, end: datetime) -> list[Offer]:
    """The offers of one user's window (a set is fetched for its oldest member's window)."""
    return [o for o in offers if o.created_at is None or start <= o.created_at < end]


# --------------------------------------------------------------------------------------------
# Matching glue


def rank_for(
    profile: Profile, referential: Referential, offers: Sequence[Offer], now: datetime
) -> list[RankedOffer]:
    if not offers:
        return []
    return rank_offers(
        match_profile_for(profile, referential), offers, referential=referential, now=now
    )


# --------------------------------------------------------------------------------------------
# Sending


class _Pacer:
    """Sends spaced at `rate` per second. A send that could not go at its time (the event loop
    was busy ranking) may catch up, but by at most `burst` messages: never a long burst."""

    def __init__(self, rate: float, burst: int = 4) -> None:
        self.interval = 1.0 / rate
        self.burst = burst
        self.next_at = 0.0

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        at = max(now - self.burst * self.interval, self.next_at)
        self.next_at = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)


class _Outcome:
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def more_keyboard(count: int, start: datetime, end: datetime) -> InlineKeyboardMarkup | None:
    if count <= 0:
        return None
    data = encode_more(start, end)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(digest_mod.more_button_text(count), callback_data=data)]]
    )


def _b36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if value <= 0:
        return "0"
    out = ""
    while value:
        value, rem = divmod(value, 36)
        out = digits[rem] + out
    return out


def encode_more(start: datetime, end: datetime) -> str:
    """Callback data of the "+N autres offres" button: the user's digest window (epoch seconds)."""
    return callbacks.encode(
        MORE_ACTION, _b36(int(start.timestamp())), _b36(math.ceil(end.timestamp()))
    )


def decode_more(data: object) -> tuple[datetime, datetime] | None:
    decoded = callbacks.decode(data)
    if decoded is None or decoded.action != MORE_ACTION or len(decoded.args) != 2:
        return None
    try:
        start, end = (datetime.fromtimestamp(int(a, 36), tz=UTC) for a in decoded.args)
    except (ValueError, OverflowError, OSError):
        return None
    if not start < end:
        return None
    return start, end


async def _send_digest(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    report: AlertCycleReport,
    pacer: _Pacer,
) -> str:
    for attempt in range(LEFTOVER_RETRY_AFTER_ATTEMPTS + 1):
        await pacer.wait()
        try:
            await bot.send_message(
                chat_id=chat_id,
                text=text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
            return _Outcome.SENT
        except Forbidden:
            return _Outcome.BLOCKED
        except RetryAfter as exc:
            # AIORateLimiter(max_retries=…) already waited; this is what it left to us.
            report.retry_after_waits += 1
            if attempt == LEFTOVER_RETRY_AFTER_ATTEMPTS:
                return _Outcome.FAILED
            await asyncio.sleep(_seconds(exc.retry_after) + 0.1)
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                return _Outcome.BLOCKED
            log.error("alert digest refused by Telegram: %s", exc.message)
            return _Outcome.FAILED
        except TelegramError as exc:
            # Timeouts/network: the message may or may not have gone out; the user stays due and
            # is retried next tick (this is the "in flight" case of the crash guarantee).
            log.warning("alert digest not confirmed by Telegram: %s", type(exc).__name__)
            return _Outcome.FAILED
    return _Outcome.FAILED


# --------------------------------------------------------------------------------------------
# The cycle


def _ft_search_calls(ft: FranceTravailClient) -> int:
    """Offer searches sent so far by the client (retries included: they are calls too)."""
    return ft.stats.calls["offres_search"]


class _Cycle:
    def __init__(
        self,
        services: Services,
        bot: Bot,
        now: datetime,
        state: AlertState,
        report: AlertCycleReport,
    ) -> None:
        self.settings: Settings = services.settings
        self.storage = services.storage
        self.ft = services.ft
        self.referential = services.referential
        self.bot = bot
        self.now = now
        self.day = now.astimezone(self.settings.alert_timezone).date()
        self.state = state
        self.report = report
        self.ft_slots = asyncio.Semaphore(FT_CONCURRENCY)
        self.send_slots = asyncio.Semaphore(SEND_CONCURRENCY)
        self.pacer = _Pacer(SEND_RATE)
        self.pending_users = 0
        self.pending_changed = asyncio.Condition()
        self.chat_ids: dict[int, int] = {}

    async def run(self, profiles: Sequence[Profile]) -> None:
        groups, skipped = plan_groups(
            profiles, self.referential, self.now, self.settings.alert_lookback_days
        )
        self.report.distinct_queries = len(groups)
        self.report.users_skipped += len(skipped)
        if skipped:
            # Nothing to look for (no target job, unknown place): served, so that they are not
            # examined again every tick today.
            await self.storage.mark_served_many([p.user_id for p in skipped], self.now)
        users = await self.storage.get_users(p.user_id for p in profiles)
        self.chat_ids = {uid: user.chat_id for uid, user in users.items()}
        ready: list[QueryGroup] = []
        for group in groups:
            if self.state.deferred(group.key, self.now):
                self.report.queries_deferred += 1
                self.report.failures += len(group.users)
            else:
                ready.append(group)
        query_sets = plan_query_sets(ready)
        self.report.query_sets = len(query_sets)
        await asyncio.gather(*(self.run_set(qs) for qs in query_sets))

    async def fetch(self, query: OfferQuery, depth: int = 0) -> list[Offer]:
        """Every offer of the query's window; a window with more results than the API can page
        through is split in two (a few times at most)."""
        offers = [o async for o in self.ft.iter_offers(query, limit=MAX_OFFERS_PER_QUERY)]
        if len(offers) >= MAX_OFFERS_PER_QUERY and depth < MAX_WINDOW_SPLITS:
            merged: dict[str, Offer] = {}
            for part in query.split_window(2):
                for offer in await self.fetch(part, depth + 1):
                    merged.setdefault(offer.id, offer)
            return list(merged.values())
        return offers

    async def add_pending(self, users: int) -> None:
        async with self.pending_changed:
            self.pending_users += users
            self.pending_changed.notify_all()

    async def run_set(self, query_set: QuerySet) -> None:
        offers = await self.fetch_set(query_set)
        if offers is None:
            return
        # Counted from the fetch on, until every user of the set is handled.
        await self.add_pending(query_set.users)
        try:
            self.report.offers_fetched += len(offers)
            for group in query_set.groups:
                self.state.succeeded(group.key)
            per_group = offers_for_groups(offers, [g.key for g in query_set.groups])
            del offers
            await asyncio.gather(
                *(
                    self.run_group(g, mine)
                    for g, mine in zip(query_set.groups, per_group, strict=True)
                )
            )
        finally:
            await self.add_pending(-query_set.users)

    async def fetch_set(self, query_set: QuerySet) -> list[Offer] | None:
        """The set's offers, or None when France Travail failed (the set backs off)."""
        async with self.ft_slots:
            # Backpressure with the slot held: fetching stops while enough fetched users wait
            # for Telegram (at most FT_CONCURRENCY sets are fetched beyond the bound).
            async with self.pending_changed:
                await self.pending_changed.wait_for(lambda: self.pending_users < MAX_PENDING_USERS)
            try:
                return await self.fetch(query_set.query(self.now))
            except FTError as exc:
                tick = timedelta(seconds=self.settings.alert_tick_seconds)
                retry_at = self.now
                for group in query_set.groups:
                    retry_at = self.state.failed(group.key, self.now, tick).retry_at
                self.report.queries_failed += 1
                self.report.failures += query_set.users
                log.warning(
                    "alert query failed for %d user(s) (%s); next attempt from %s",
                    query_set.users,
                    exc,
                    retry_at.isoformat(timespec="seconds"),
                )
                return None

    async def run_group(self, group: QueryGroup, offers: Sequence[Offer]) -> None:
        nothing_new: list[int] = []
        await asyncio.gather(*(self.serve_user(user, offers, nothing_new) for user in group.users))
        if nothing_new:
            try:
                await self.storage.mark_served_many(nothing_new, self.now)
            except Exception:
                log.exception("could not mark %d user(s) served", len(nothing_new))
                self.report.failures += len(nothing_new)
                return
            self.report.users_served += len(nothing_new)

    async def serve_user(
        self, user: UserPlan, offers: Sequence[Offer], nothing_new: list[int]
    ) -> None:
        try:
            await self._serve_user(user, offers, nothing_new)
        except Exception:
            # One user's problem (a storage hiccup, a ranking bug) must not cost the others theirs;
            # the user stays due and is tried again next tick.
            self.report.failures += 1
            log.exception("alert digest failed for one user")

    async def _serve_user(
        self, user: UserPlan, offers: Sequence[Offer], nothing_new: list[int]
    ) -> None:
        user_id = user.profile.user_id
        mine = offers_in_window(offers, user.window_start, self.now)
        if mine:
            unsent = set(await self.storage.filter_unsent(user_id, [o.id for o in mine]))
            mine = [o for o in mine if o.id in unsent]
        ranked = rank_for(user.profile, self.referential, mine, self.now)
        digest = digest_mod.build_digest(
            ranked,
            min_score=self.settings.alert_min_score,
            size=self.settings.alert_digest_size,
            day=self.day,
        )
        if digest.empty:
            nothing_new.append(user_id)  # no empty digests; served in one batch per group
            return
        text = digest_mod.render_digest(digest, day=self.day)
        markup = more_keyboard(digest.more_count, user.window_start, self.now)
        # Private chat: its id is the user's id unless storage knows better.
        chat_id = self.chat_ids.get(user_id, user_id)
        # The slot covers the send AND its recording: at any instant at most SEND_CONCURRENCY
        # digests are accepted by Telegram but not yet recorded (what a crash could repeat).
        async with self.send_slots:
            outcome = await _send_digest(self.bot, chat_id, text, markup, self.report, self.pacer)
            if outcome == _Outcome.SENT:
                self.report.messages_sent += 1
                self.report.offers_sent += len(digest.offer_ids)
                # Offers first, then "served": a crash between the two leaves the user due, and
                # the retry finds those offers already sent.
                await self.storage.mark_sent(user_id, list(digest.offer_ids), at=self.now)
                await self.storage.mark_served(user_id, self.now)
                self.report.users_served += 1
        if outcome == _Outcome.BLOCKED:
            await self.storage.mark_blocked(user_id)
            self.report.users_blocked += 1
        elif outcome == _Outcome.FAILED:
            self.report.failures += 1
            self.report.telegram_errors += 1


async def run_alert_cycle(
    services: Services,
    bot: Bot,
    now: datetime | None = None,
    *,
    force_user_id: int | None = None,
    state: AlertState | None = None,
) -> AlertCycleReport:
    """Run one alert cycle at `now` (default: the current time). See the module docstring.

    `force_user_id` serves that one user now, due or not (admin/testing: `ft-bot alerts --once
    --user ID`). `state` carries the per-query backoff between cycles (the job keeps one).
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    state = state or AlertState()
    report = AlertCycleReport(started_at=now)
    started = time.perf_counter()
    calls_before = _ft_search_calls(services.ft)
    cycle = _Cycle(services, bot, now, state, report)
    if force_user_id is not None:
        profile = await services.storage.get_profile(force_user_id)
        profiles = [profile] if profile is not None else []
    else:
        profiles = await services.storage.due_for_alerts(now, services.settings.alert_timezone)
    report.users_due = len(profiles)
    try:
        await cycle.run(profiles)
    except BaseException:
        report.aborted = True
        raise
    finally:
        # Searches of other tasks of the bot (a user's /recherche) in the meantime count too.
        report.ft_calls = _ft_search_calls(services.ft) - calls_before
        report.duration = time.perf_counter() - started
        if report.users_due or report.aborted:
            await _record(services, report, now + timedelta(seconds=report.duration))
            log.info("%s", report.summary())
        else:
            # Most ticks find nobody due: neither a stored run nor an INFO line for those.
            log.debug("%s", report.summary())
    return report


def alert_run_record(report: AlertCycleReport, finished_at: datetime) -> AlertRun:
    """The storage record of a cycle (counts only, no personal data)."""

    problems = report.failures + report.queries_failed + report.queries_deferred
    if report.aborted:
        outcome = "failed"
    elif problems == 0:
        outcome = "ok"
    elif report.users_served or report.users_blocked:
        outcome = "partial"
    else:
        outcome = "failed"
    return AlertRun(
        started_at=report.started_at,
        finished_at=max(finished_at, report.started_at),
        users_due=report.users_due,
        users_served=report.users_served,
        offers_sent=report.offers_sent,
        ft_calls=report.ft_calls,
        ft_errors=report.queries_failed,
        telegram_errors=report.telegram_errors,
        outcome=outcome,
        detail=report.summary(),
    )


async def _record(services: Services, report: AlertCycleReport, finished_at: datetime) -> None:
    try:
        await services.storage.record_alert_run(alert_run_record(report, finished_at))
    except Exception:
        log.exception("could not record the alert run")


@contextlib.contextmanager
def cycle_lock(database_path: str | os.PathLike[str]) -> Iterator[bool]:
    """An exclusive, non-blocking lock on `<database>.alerts.lock`: True if this process got it.

    The bot's own job and `ft-bot alerts --once` from cron may share a database; two cycles at
    once would both find the same users due and send them two digests. The lock is released by
    the kernel when the process dies, even by SIGKILL.
    """
    location = os.fspath(database_path)
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process guard
        yield True
        return
    if location == ":memory:" or location.startswith("file:"):
        yield True
        return
    lock_path = Path(location + ".alerts.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------
# JobQueue wiring


async def _alert_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    state: AlertState = context.job.data  # type: ignore[union-attr]
    if state.lock.locked():
        log.info("alert cycle still running: tick skipped")
        return
    async with state.lock:
        services = context.application.bot_data["services"]
        with cycle_lock(services.settings.database_path) as mine:
            if not mine:
                log.info("another process is running an alert cycle: tick skipped")
                return
            await run_alert_cycle(services, context.bot, state=state)


def register_alert_job(application: Application) -> None:
    """Add the one repeating alert job and the "+N autres offres" button handler."""
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError(
            "alerts need PTB's JobQueue: install python-telegram-bot[job-queue,rate-limiter]"
        )
    tick = _tick_seconds(application)
    job_queue.run_repeating(
        _alert_tick,
        interval=tick,
        first=min(FIRST_TICK_DELAY_SECONDS, float(tick)),
        name=JOB_NAME,
        # Not in bot_data: that is persisted, and this holds a lock.
        data=AlertState(),
        job_kwargs={
            # A tick delayed by a busy loop still runs (up to one tick late); piled-up ticks
            # collapse into one; never two cycles at once.
            "misfire_grace_time": tick,
            "coalesce": True,
            "max_instances": 1,
        },
    )
    handler = CallbackQueryHandler(on_more_pressed, pattern=callbacks.pattern(MORE_ACTION))
    application.add_handler(handler, group=0)
    # bot.app may have registered the catch-all "stale button" fallback already: ours must be
    # consulted before it (the first matching handler of a group wins).
    group = application.handlers[0]
    group.remove(handler)
    fallback = next(
        (
            i
            for i, h in enumerate(group)
            if isinstance(h, CallbackQueryHandler) and h.pattern is None
        ),
        len(group),
    )
    group.insert(fallback, handler)


def _tick_seconds(application: Application) -> int:
    services = application.bot_data.get("services")
    settings = getattr(services, "settings", None) or application.bot_data.get("settings")
    return int(getattr(settings, "alert_tick_seconds", 60))


async def on_more_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "+N autres offres": show the next best unsent offers of that digest's window."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    services = context.application.bot_data["services"]
    window = decode_more(query.data)
    profile = await services.storage.get_profile(user.id) if window else None
    if window is None or profile is None:
        # A forged window, or a user who deleted their data since: the generic answer.
        await callbacks.stale_button(update, context)
        return
    start, end = window
    # Digest windows never exceed the lookback; a forged one must not cost more than that.
    end = min(end, datetime.now(UTC))
    start = max(start, end - timedelta(days=services.settings.alert_lookback_days))
    if start >= end:
        await callbacks.stale_button(update, context)
        return
    with contextlib.suppress(TelegramError):
        await query.answer()
    chat_id = update.effective_chat.id if update.effective_chat else user.id
    try:
        page = await more_page(services, profile, start, end)
    except FTError as exc:
        with contextlib.suppress(Exception):
            await services.storage.record_ft_error(exc.endpoint or "offres_search", exc.status)
        await context.bot.send_message(chat_id, texts.common.FT_UNAVAILABLE)
        return
    with contextlib.suppress(TelegramError):
        # The old button would show the same page again: the new message carries the next one.
        await query.edit_message_reply_markup(reply_markup=None)
    await context.bot.send_message(
        chat_id=chat_id,
        text=digest_mod.render_more_page(page),
        parse_mode=ParseMode.HTML,
        reply_markup=more_keyboard(page.more_count, start, end),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    # Recorded only once Telegram accepted the page, as for the digest itself.
    if page.items:
        await services.storage.mark_sent(profile.user_id, list(page.offer_ids))


async def more_page(
    services: Services, profile: Profile, start: datetime, end: datetime
) -> digest_mod.Digest:
    """The next page of a digest: offers of [start, end) not sent yet, best first.

    Raises `FTError` when France Travail fails (the caller tells the user)."""
    settings = services.settings
    try:
        key = alert_query_key(profile, services.referential)
    except ValueError:
        key = None
    if key is None:
        return digest_mod.Digest(items=())
    query = dataclasses.replace(key, created_after=start, created_before=end)
    offers = [o async for o in services.ft.iter_offers(query, limit=MAX_OFFERS_PER_QUERY)]
    offers = offers_in_window(offers, start, end)
    if offers:
        unsent = set(await services.storage.filter_unsent(profile.user_id, [o.id for o in offers]))
        offers = [o for o in offers if o.id in unsent]
    ranked = rank_for(profile, services.referential, offers, end)
    return digest_mod.build_more_page(
        ranked, min_score=settings.alert_min_score, size=settings.alert_digest_size
    )


# --------------------------------------------------------------------------------------------
# One-shot (cron)


async def run_once(settings: Settings, *, user_id: int | None = None) -> AlertCycleReport:
    """One cycle now, outside the running bot: for cron (`ft-bot alerts --once [--user ID]`).

    The Application is built and initialized (getMe, rate limiter) but never polls, so a bot
    running elsewhere with the same token keeps receiving the updates.
    """
    from bot.app import build_application  # bot.app imports this module
    from bot.services import Services

    services = await Services.open(settings)
    try:
        # No persistence: a bot running at the same time owns the conversation state, and this
        # process must not write back what it loaded.
        application = build_application(settings, services=services, persistence=None)
        await application.initialize()
        try:
            with cycle_lock(settings.database_path) as mine:
                if not mine:
                    report = AlertCycleReport(started_at=datetime.now(UTC), locked_out=True)
                    log.warning("%s", report.summary())
                    return report
                return await run_alert_cycle(services, application.bot, force_user_id=user_id)
        finally:
            await application.shutdown()
    finally:
        await services.close()
