"""When an alert is due, which window it covers, and one digest from several alerts (pure).

- `is_due(schedule, local_now, last_served)`: daily / weekdays / weekly on one day, at a time,
  never while paused (up to and including ``paused_until``) nor on a quiet day, and once a day at
  most (``last_served`` on or after today's alert instant → not due). A digest is never sent late
  on another day.
- `window_start(...)`: the lookback-again rule: a new alert, or one whose criteria differ from
  the ones it was last served for, looks back ``lookback_days``; otherwise it starts at its last
  digest.
- `merge_digests(per_alert)`: several alerts due together → one digest grouped by alert, each
  offer once (in the first alert that has it, alerts in the given order).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Final, Generic, TypeVar

from ft_client.alert_filters import offer_of

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

WEEKDAYS: Final = frozenset(range(5))  # Monday = 0
ALL_DAYS: Final = frozenset(range(7))
DAY_NAMES_FR: Final = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"


@dataclass(frozen=True, slots=True)
class Schedule:
    """When one alert is sent. ``weekday`` (0 = Monday) is the day of a weekly alert."""

    frequency: Frequency = Frequency.DAILY
    at: time = time(8, 0)
    weekday: int = 0
    paused_until: date | None = None
    enabled: bool = True
    quiet_days: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if not self.quiet_days <= ALL_DAYS:
            raise ValueError("quiet days are 0 (Monday) to 6 (Sunday)")

    @property
    def days(self) -> frozenset[int]:
        """The days of the week it may be sent on."""
        if self.frequency is Frequency.WEEKLY:
            base = frozenset({self.weekday})
        elif self.frequency is Frequency.WEEKDAYS:
            base = WEEKDAYS
        else:
            base = ALL_DAYS
        return base - self.quiet_days

    def paused_on(self, day: date) -> bool:
        return self.paused_until is not None and day <= self.paused_until

    @classmethod
    def from_days(cls, days: frozenset[int], at: time, **kwargs: Any) -> Schedule:
        """The schedule a profile's day mask stands for (its own alert keeps its mask)."""
        if days == ALL_DAYS:
            return cls(Frequency.DAILY, at, **kwargs)
        if days == WEEKDAYS:
            return cls(Frequency.WEEKDAYS, at, **kwargs)
        if len(days) == 1:
            return cls(Frequency.WEEKLY, at, weekday=next(iter(days)), **kwargs)
        return cls(Frequency.DAILY, at, quiet_days=ALL_DAYS - days, **kwargs)


def is_due(schedule: Schedule, local_now: datetime, last_served: datetime | None) -> bool:
    """Whether the alert is due at ``local_now`` (aware, in the alert time zone)."""
    today = local_now.date()
    if not schedule.enabled or schedule.paused_on(today):
        return False
    if today.weekday() not in schedule.days:
        return False
    slot = datetime.combine(today, schedule.at, tzinfo=local_now.tzinfo)
    if local_now < slot:
        return False
    return last_served is None or last_served < slot


def window_start(
    now: datetime,
    last_served: datetime | None,
    served_criteria: str | None,
    criteria: str,
    lookback_days: int,
) -> datetime:
    """Start of the alert's window (``criteria``: the canonical text of its query)."""
    lookback = now - timedelta(days=lookback_days)
    if last_served is None or served_criteria != criteria:
        return lookback
    return max(last_served, lookback)


@dataclass(slots=True)
class DigestSection(Generic[K, R]):
    """The offers of one alert in a merged digest."""

    alert: K
    offers: list[R] = field(default_factory=list)


def merge_digests(per_alert: Sequence[tuple[K, Sequence[R]]]) -> list[DigestSection[K, R]]:
    """One digest grouped by alert, no offer twice; alerts left with nothing are omitted."""
    seen: set[str] = set()
    sections: list[DigestSection[K, R]] = []
    for alert, ranked in per_alert:
        section: DigestSection[K, R] = DigestSection(alert)
        for item in ranked:
            offer_id = offer_of(item).id
            if offer_id not in seen:
                seen.add(offer_id)
                section.offers.append(item)
        if section.offers:
            sections.append(section)
    return sections
