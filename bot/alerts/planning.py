"""Planning of an alert cycle (pure): due profiles → query groups → query sets, and per-user
selection of the fetched offers.

Users are grouped by identical France Travail query (ROME codes, whole-city commune, radius,
contract types — `OfferQuery` is hashable). Groups that share commune and radius are then asked
together: ONE query set per (commune, radius) with their ROME codes in one `codeROME` list and no
contract filter; each group keeps exactly the offers its own query would return (its codes and
contract types are plain offer fields). Each query set covers [oldest window start of its users,
now). Per user, the offers of their own window are ranked against their profile.

A user's window starts at their last alert, unless their alert criteria (`alert_criteria`: the
query without dates) differ from the ones that alert was served for: a new or changed alert
looks back `lookback_days` again (`sent_offers` still keeps any offer from coming twice).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.criteria import criteria_for
from bot.services import match_profile_for
from ft_client import OfferQuery
from ft_client.alert_filters import AlertFilters
from ft_client.matching import MatchProfile, RankedOffer, SkillFit, rank_offers
from ft_client.models import Offer

if TYPE_CHECKING:
    from ft_client.referential import Referential
    from storage import Profile

# ROME codes per coalesced query (the API takes up to 200; fewer keeps URLs and pages modest).
MAX_ROME_CODES_PER_QUERY = 50


# The profile's own alert; saved alerts are numbered from 1 (``storage.saved_alerts``).
PROFILE_ALERT_NO = 0


@dataclass(frozen=True, slots=True)
class UserPlan:
    """One due alert of one user: their profile, the alert's window start, the group it
    belongs to; for a saved alert (``alert_no`` ≥ 1) also its label, the criteria text it is
    served for and the match profile its offers are ranked with. ``filters`` are the alert's."""

    profile: Profile
    window_start: datetime
    key: OfferQuery
    criteria_changed: bool = False
    alert_no: int = PROFILE_ALERT_NO
    label: str = ""
    filters: AlertFilters = field(default_factory=AlertFilters)
    served_for: str | None = None  # saved alerts: `AlertCriteria.canonical()`
    match: MatchProfile | None = None  # saved alerts: ranked against their own criteria


@dataclass(slots=True)
class QueryGroup:
    key: OfferQuery
    users: list[UserPlan]

    @property
    def window_start(self) -> datetime:
        return min(u.window_start for u in self.users)

    def query(self, now: datetime) -> OfferQuery:
        return dataclasses.replace(self.key, created_after=self.window_start, created_before=now)


def window_start(
    last_alert_at: datetime | None,
    now: datetime,
    lookback_days: int,
    *,
    criteria_changed: bool = False,
) -> datetime:
    """Offers are wanted from the last digest on, never more than `lookback_days` back; a new
    or changed alert (`criteria_changed`) looks back the whole `lookback_days`."""
    floor = now - timedelta(days=lookback_days)
    if last_alert_at is None or criteria_changed:
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
    # The same criteria as /match and /recherche (place, radius, contract types).
    criteria = criteria_for(profile, rome_codes=codes)
    return dataclasses.replace(criteria.query(referential), sort=1)  # newest first, as FT's alerts


def alert_criteria(key: OfferQuery) -> str:
    """What an alert's window depends on, as stored with its last alert (`profiles.
    alert_criteria`): the query without dates, as canonical JSON."""
    return json.dumps(
        [list(key.rome_codes), key.commune, key.distance_km, list(key.contract_types)],
        separators=(",", ":"),
    )


def criteria_changed(key: OfferQuery, served_for: str | None, served_before: bool) -> bool:
    """True when the last alert was served for other criteria, or for unknown ones."""
    return served_before and served_for != alert_criteria(key)


def plan_groups(
    profiles: Sequence[Profile],
    referential: Referential,
    now: datetime,
    lookback_days: int,
    served_criteria: Mapping[int, str | None] | None = None,
    filters: Mapping[int, AlertFilters] | None = None,
) -> tuple[list[QueryGroup], list[Profile]]:
    """Group due profiles by identical query. Returns (groups, profiles skipped: no target job).

    `served_criteria` (user id → `alert_criteria` of their last alert, None if unknown) makes
    each changed alert look back `lookback_days`; without it every window starts at the last
    alert. `filters`: each user's profile alert filters."""
    plans: list[UserPlan] = []
    skipped: list[Profile] = []
    for profile in profiles:
        try:
            key = alert_query_key(profile, referential)
        except ValueError:
            key = None  # a profile the API cannot express (bad stored code): skip, log count only
        if key is None:
            skipped.append(profile)
            continue
        changed = served_criteria is not None and criteria_changed(
            key, served_criteria.get(profile.user_id), profile.last_alert_at is not None
        )
        plans.append(
            UserPlan(
                profile=profile,
                window_start=window_start(
                    profile.last_alert_at, now, lookback_days, criteria_changed=changed
                ),
                key=key,
                criteria_changed=changed,
                filters=(filters or {}).get(profile.user_id, AlertFilters()),
            )
        )
    return group_plans(plans), skipped


def group_plans(plans: Sequence[UserPlan]) -> list[QueryGroup]:
    """Plans (profile and saved alerts alike) grouped by identical query."""
    groups: dict[OfferQuery, QueryGroup] = {}
    for plan in plans:
        group = groups.get(plan.key)
        if group is None:
            groups[plan.key] = QueryGroup(key=plan.key, users=[plan])
        else:
            group.users.append(plan)
    return list(groups.values())


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
    alone: list[QuerySet] = []
    for group in sorted(groups, key=lambda g: -len(g.users)):
        if not group.key.rome_codes:
            # A keyword search (a saved alert): nothing to coalesce it with by ROME code.
            single = QuerySet(base=group.key)
            single.add(group)
            alone.append(single)
            continue
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
    planned = [qs for sets in by_place.values() for qs in sets] + alone
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
        if not key.rome_codes:  # asked alone (`plan_query_sets`): the whole answer is its own
            result.append([o for o in offers if not types or o.contract_type in types])
            continue
        indexes = sorted(i for code in key.rome_codes for i in by_code.get(code, ()))
        result.append([offers[i] for i in indexes if not types or offers[i].contract_type in types])
    return result


def offers_in_window(offers: Sequence[Offer], start: datetime, end: datetime) -> list[Offer]:
    """The offers of one user's window (a set is fetched for its oldest member's window)."""
    return [o for o in offers if o.created_at is None or start <= o.created_at < end]


def rank_for(
    profile: Profile,
    referential: Referential,
    offers: Sequence[Offer],
    now: datetime,
    match: MatchProfile | None = None,
    skill_fit: SkillFit | None = None,
) -> list[RankedOffer]:
    """Offers ranked for the profile (or for `match`: a saved alert's own criteria with the
    profile's skills). Hidden offers and feedback are applied after (`alert_feedback.adjust`).
    `skill_fit`: the person's phrases matched so far (shared by their alerts), if kept."""
    if not offers:
        return []
    return rank_offers(
        match or match_profile_for(profile, referential),
        offers,
        referential=referential,
        now=now,
        skill_fit=skill_fit,
    )


# Offers ranked in one go at most: an alert's ranking is cut into parts of this size so that the
# event loop gets a turn between two (a cold alert's ranking took up to 84 ms of CPU in one
# piece, and each send due meanwhile went out late, which the pacer's one-second window turns
# into lost sending time).
RANK_PART_SIZE = 16


def rank_in_parts(
    profile: Profile,
    referential: Referential,
    offers: Sequence[Offer],
    now: datetime,
    match: MatchProfile | None = None,
    part_size: int = RANK_PART_SIZE,
    skill_fit: SkillFit | None = None,
) -> Iterator[list[RankedOffer]]:
    """`rank_for` a part of the offers at a time (the caller may yield between parts); joined
    by `merge_ranked`, the parts give exactly `rank_for`'s list: each offer's score depends on
    the offer and the profile only, and the order is `rank_offers`' total order. The parts
    share one `SkillFit` (`skill_fit`, the person's, or one made here): a competence common to
    several parts is matched once."""
    if not offers:
        return
    match = match or match_profile_for(profile, referential)
    if skill_fit is None or not skill_fit.fits(match.skills, referential):
        skill_fit = SkillFit(match.skills, referential)
    size = max(1, part_size)
    for start in range(0, len(offers), size):
        part = offers[start : start + size]
        yield rank_for(profile, referential, part, now, match, skill_fit)


def merge_ranked(parts: Iterable[Sequence[RankedOffer]]) -> list[RankedOffer]:
    """The parts of `rank_in_parts` as one list, in `rank_offers`' order (best first, then by
    offer id)."""
    merged = [ranked for part in parts for ranked in part]
    merged.sort(key=lambda r: (-r.score, r.offer.id))
    return merged


def person_order(sets: Sequence[Sequence[QueryGroup]]) -> list[Sequence[QueryGroup]]:
    """Read sets in the order that completes people soonest: a person is sent their message
    once all their alerts' groups are read, so the sets are taken person after person (the
    largest sets first among each person's), and digests flow from the first reads on instead
    of waiting for the last read of everyone."""
    by_person: dict[int, list[int]] = {}
    sizes = [sum(len(g.users) for g in groups) for groups in sets]
    for index in sorted(range(len(sets)), key=lambda i: -sizes[i]):
        for group in sets[index]:
            for plan in group.users:
                by_person.setdefault(plan.profile.user_id, []).append(index)
    seen: set[int] = set()
    ordered: list[Sequence[QueryGroup]] = []
    for indexes in by_person.values():
        for index in indexes:
            if index not in seen:
                seen.add(index)
                ordered.append(sets[index])
    return ordered
