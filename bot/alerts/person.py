"""One person's alerts in a cycle: each alert's offers selected, then ONE message for all.

A person may have several alerts due at once (their profile's own and saved searches), each in
its own group of identical criteria, read or fetched at different moments. `PersonRun` collects
each alert's selection (`select_offers`: its window, minus offers already sent, ranked, then its
filters, then the person's « pas intéressé » feedback) and, once every alert is in, `compose`
makes the one message: alerts merged with `merge_digests` (grouped by alert, no offer twice),
rendered by `render_digest` when only the profile alert has offers (it keeps its « autres
offres » button), else by `render_merged_digest`; ⭐ / 🙈 buttons per offer either way.

`AlertOutcome` keeps the counts that explain an empty « Tester maintenant » per alert.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.alerts import digest as digest_mod
from bot.alerts.more import digest_keyboard
from bot.alerts.planning import PROFILE_ALERT_NO, UserPlan, merge_ranked, rank_in_parts
from bot.texts import saved_alerts as saved_texts
from ft_client.alert_feedback import Feedback, adjust
from ft_client.alert_filters import DropReason, apply_filters
from ft_client.alert_schedule import merge_digests
from ft_client.matching import SkillFit
from ft_client.models import Offer
from ft_client.offer_facts import remote_work

if TYPE_CHECKING:
    from telegram import InlineKeyboardMarkup

    from ft_client.matching import RankedOffer
    from ft_client.referential import Referential
    from storage import Profile


@dataclass(slots=True)
class AlertOutcome:
    """What one alert found: the counts an empty answer is explained with."""

    alert_no: int = PROFILE_ALERT_NO
    label: str = ""
    criteria: str = ""  # saved alerts: their criteria in words (`Criteria.summary`)
    window_start: datetime | None = None
    criteria_changed: bool = False
    skipped: bool = False  # nothing to ask (no target job, a place the API cannot express)
    failed: bool = False  # France Travail or Telegram failed; the alert stays due
    fetched: int = 0  # offers of its query published in its window
    already_sent: int = 0  # of those, sent in an earlier alert
    filtered: dict[DropReason, int] = field(default_factory=dict)  # left out by its filters
    feedback_removed: int = 0  # left out by « pas intéressé » (hidden offers and reasons)
    below_threshold: int = 0  # of the rest, below `alert_min_score`
    sent: int = 0  # its offers in the digest Telegram accepted


@dataclass(slots=True)
class AlertResult:
    """One alert's offers, selected and ranked (best first), and where its window ended."""

    plan: UserPlan
    ranked: list[RankedOffer]
    end: datetime


@dataclass(slots=True)
class PersonRun:
    """A person's due alerts of this cycle, as their offers come in."""

    profile: Profile
    waiting: int
    feedback: Sequence[Feedback] = ()
    results: list[AlertResult] = field(default_factory=list)
    failed: list[UserPlan] = field(default_factory=list)
    # The person's phrases matched against the offers ranked so far: their alerts share the
    # skills, so each competence is matched once per person (let go when they are served).
    skill_fit: SkillFit | None = None

    def add(self, result: AlertResult | None, plan: UserPlan) -> bool:
        """Record one alert's result (None: it failed); True when it was the last awaited."""
        if result is None:
            self.failed.append(plan)
        else:
            self.results.append(result)
        self.waiting -= 1
        return self.waiting == 0

    async def rank(
        self, plan: UserPlan, offers: Sequence[Offer], referential: Referential, now: datetime
    ) -> list[RankedOffer]:
        """One alert's offers ranked with the person's `SkillFit`, a part at a time, the event
        loop getting a turn between two parts (sends due meanwhile keep their pace)."""
        if offers and self.skill_fit is None:
            self.skill_fit = SkillFit(self.profile.skills, referential)
        parts: list[list[RankedOffer]] = []
        for part in rank_in_parts(
            plan.profile, referential, offers, now, plan.match, skill_fit=self.skill_fit
        ):
            if parts:
                await asyncio.sleep(0)
            parts.append(part)
        return merge_ranked(parts)

    def let_go(self) -> None:
        """Served or failed: their ranked offers and matches are let go, so that a national
        cycle holds only the people in flight."""
        self.results.clear()
        self.skill_fit = None


def select_offers(
    ranked: Sequence[RankedOffer],
    plan: UserPlan,
    feedback: Sequence[Feedback],
    found: AlertOutcome | None,
    remote: Callable[[Offer], bool | None] = remote_work,
) -> list[RankedOffer]:
    """An alert's ranked unsent offers after its filters, then the person's feedback
    (`remote`: the remote-work fact of an offer, see `alert_filters.drop_reason`)."""
    filtered = apply_filters(ranked, plan.filters, remote=remote)
    kept = adjust(filtered.kept, feedback) if feedback else list(filtered.kept)
    if found is not None:
        found.filtered = filtered.counts()
        found.feedback_removed = len(filtered.kept) - len(kept)
    return kept


@dataclass(frozen=True, slots=True)
class Message:
    """The one message of a person: its text, keyboard and the offers it carries per alert."""

    text: str
    markup: InlineKeyboardMarkup | None
    offer_ids: tuple[str, ...]
    per_alert: dict[int, int]  # alert number → offers of it in the message


def _label(plan: UserPlan) -> str:
    return plan.label or saved_texts.PROFILE_ALERT_LABEL


def compose(
    results: Sequence[AlertResult], *, min_score: float, size: int, day: date
) -> Message | None:
    """The person's message, or None when no alert has a qualifying offer."""
    ordered = sorted(results, key=lambda r: r.plan.alert_no)
    sections = merge_digests(
        [(r, digest_mod.qualifying(r.ranked, min_score)) for r in ordered]  # type: ignore[misc]
    )
    if not sections:
        return None
    start = min(s.alert.plan.window_start for s in sections)
    end = min(r.end for r in ordered)
    if len(sections) == 1 and sections[0].alert.plan.alert_no == PROFILE_ALERT_NO:
        only = sections[0]
        digest = digest_mod.build_digest(only.offers, min_score=min_score, size=size, day=day)
        if digest.empty:
            return None
        return Message(
            text=digest_mod.render_digest(digest, day=day),
            markup=digest_keyboard(digest, only.alert.plan.window_start, end),
            offer_ids=digest.offer_ids,
            per_alert={PROFILE_ALERT_NO: len(digest.items)},
        )
    sizes = [size] * len(sections)
    while True:
        built = [
            (
                _label(s.alert.plan),
                digest_mod.build_digest(s.offers, min_score=min_score, size=n, day=day),
            )
            for s, n in zip(sections, sizes, strict=True)
        ]
        text = digest_mod.render_merged_digest(built, day=day)
        if digest_mod.telegram_length(text) <= digest_mod.TELEGRAM_TEXT_LIMIT or max(sizes) <= 1:
            break
        # Too long for one message: the largest section gives up its last offer.
        sizes[sizes.index(max(sizes))] -= 1
    everything = digest_mod.merged_items(built)
    if everything.empty:
        return None
    return Message(
        text=text,
        markup=digest_keyboard(everything, start, end),
        offer_ids=everything.offer_ids,
        per_alert={
            s.alert.plan.alert_no: len(d.items)
            for s, (_label_text, d) in zip(sections, built, strict=True)
        },
    )
