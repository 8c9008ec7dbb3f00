"""Typed records stored by :mod:`storage`.

The dataclasses validate themselves on construction and raise :class:`ValueError` (or
:class:`TypeError` for a wrong type) naming the field and the limit. Nothing is ever truncated or
rewritten silently: what the user typed is stored exactly, or refused with a clear message that a
handler can show.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

# Limits (documented in docs/storage.md). They bound what one profile can cost in storage,
# in France Travail queries and in message length, and are far above what a real user types.
MAX_TARGET_JOBS = 3
MAX_SKILLS = 30
MAX_SKILL_LENGTH = 100
MAX_LABEL_LENGTH = 200
MAX_CONTRACT_TYPES = 10
MAX_RADIUS_KM = 200
DEFAULT_RADIUS_KM = 10
DEFAULT_ALERT_TIME = time(8, 0)
ALL_DAYS: frozenset[int] = frozenset(range(7))
MAX_NAME_LENGTH = 256
MAX_LANGUAGE_LENGTH = 35
MAX_OFFER_ID_LENGTH = 64
MAX_URL_LENGTH = 2048
MAX_SNAPSHOT_TEXT_LENGTH = 500

ROME_CODE_RE = re.compile(r"[A-N]\d{4}")
# INSEE commune codes: 5 digits, or Corsica 2A/2B + 3 digits.
INSEE_CODE_RE = re.compile(r"(?:\d{5}|2[AB]\d{3})")
CONTRACT_TYPE_RE = re.compile(r"[A-Z]{2,4}")
OFFER_ID_RE = re.compile(r"[0-9A-Za-z_-]{1,64}")

# Driving licence categories as France Travail writes them in an offer's ``permis``, in the
# order a person reads them (ft_client.offer_facts normalises the offers' labels to these).
DRIVING_LICENCES: tuple[str, ...] = (
    "AM", "A1", "A2", "A", "B", "BE", "B96", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE",
)  # fmt: skip
# Languages offered as buttons: a fixed list keeps the profile comparable with offers.
LANGUAGES: tuple[str, ...] = (
    "Anglais", "Espagnol", "Allemand", "Italien", "Portugais", "Arabe", "Chinois", "Russe",
    "Néerlandais", "Langue des signes",
)  # fmt: skip
# Same values as ft_client.offer_facts.ExperienceLevel / WorkingTime (storage never imports
# ft_client; tests/test_profile_fields.py checks they agree).
EXPERIENCE_LEVELS: tuple[str, ...] = ("debutant", "1-2ans", "3ans+")
WORKING_TIMES: tuple[str, ...] = ("temps_plein", "temps_partiel")


def _require_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


def require_user_id(value: object) -> int:
    """Telegram user ids are positive integers."""
    user_id = _require_int("user_id", value)
    if user_id <= 0:
        raise ValueError(f"user_id must be a positive Telegram user id, got {user_id}")
    return user_id


def require_text(name: str, value: object, max_length: int, *, allow_empty: bool = False) -> str:
    """A string within ``max_length`` characters; blank strings are refused unless allowed."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise ValueError(f"{name} must not be empty")
    if len(value) > max_length:
        raise ValueError(f"{name} is {len(value)} characters long; the limit is {max_length}")
    if "\x00" in value:
        raise ValueError(f"{name} must not contain NUL characters")
    return value


def require_optional_text(
    name: str, value: object, max_length: int, *, allow_empty: bool = False
) -> str | None:
    if value is None:
        return None
    return require_text(name, value, max_length, allow_empty=allow_empty)


def require_offer_id(value: object) -> str:
    """France Travail offer ids look like ``193XKZP``; anything else is refused."""
    if not isinstance(value, str):
        raise TypeError(f"offer_id must be a str, got {type(value).__name__}")
    if not OFFER_ID_RE.fullmatch(value):
        raise ValueError(
            f"offer_id {value[:80]!r} is not a valid offer id "
            f"(1-{MAX_OFFER_ID_LENGTH} letters, digits, '-' or '_')"
        )
    return value


def require_aware(name: str, value: object) -> datetime:
    """Instants must be timezone-aware: a naive datetime is ambiguous across DST."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {value.isoformat()})")
    return value


def to_epoch(name: str, value: datetime) -> int:
    """Instants are stored as whole UTC epoch seconds (unambiguous, compact, ordered)."""
    return int(require_aware(name, value).timestamp())


def from_epoch(value: int | None) -> datetime | None:
    if value is None or value == 0:
        return None
    return datetime.fromtimestamp(value, UTC)


@dataclass(frozen=True, slots=True)
class TargetJob:
    """A job the user aims at: ROME 4.0 code (``G1603``) and its label as shown to the user."""

    code: str
    label: str

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not ROME_CODE_RE.fullmatch(self.code):
            raise ValueError(
                f"target job code {str(self.code)[:20]!r} is not a ROME code"
                " (letter A-N + 4 digits)"
            )
        require_text("target job label", self.label, MAX_LABEL_LENGTH)


def _as_tuple(name: str, value: object) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a sequence, got {type(value).__name__}")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class Profile:
    """What the user is looking for and when they want alerts.

    ``alert_time`` is a local wall-clock time in the alert time zone (whole minutes);
    ``alert_days`` holds weekday numbers, 0 = Monday … 6 = Sunday. Lists passed for the tuple
    fields and sets for ``alert_days`` are converted; invalid values raise ``ValueError``.
    """

    user_id: int
    target_jobs: tuple[TargetJob, ...] = ()
    skills: tuple[str, ...] = ()
    place_code: str | None = None
    place_label: str | None = None
    radius_km: int = DEFAULT_RADIUS_KM
    contract_types: tuple[str, ...] = ()
    alert_time: time = DEFAULT_ALERT_TIME
    alert_days: frozenset[int] = field(default=ALL_DAYS)
    alerts_enabled: bool = True
    last_alert_at: datetime | None = None
    driving_licences: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    experience: str | None = None  # one of EXPERIENCE_LEVELS; None = not said
    working_time: str | None = None  # one of WORKING_TIMES; None = indifférent
    remote_wanted: bool | None = None  # None = indifférent

    def __post_init__(self) -> None:
        require_user_id(self.user_id)
        jobs = _as_tuple("target_jobs", self.target_jobs)
        for job in jobs:
            if not isinstance(job, TargetJob):
                raise TypeError(f"target_jobs items must be TargetJob, got {type(job).__name__}")
        if len(jobs) > MAX_TARGET_JOBS:
            raise ValueError(f"at most {MAX_TARGET_JOBS} target jobs, got {len(jobs)}")
        if len({job.code for job in jobs}) != len(jobs):
            raise ValueError("target_jobs contains the same ROME code twice")
        object.__setattr__(self, "target_jobs", jobs)
        object.__setattr__(self, "skills", validate_skills(self.skills))
        if self.place_code is not None and (
            not isinstance(self.place_code, str) or not INSEE_CODE_RE.fullmatch(self.place_code)
        ):
            raise ValueError(f"place_code {str(self.place_code)[:20]!r} is not an INSEE code")
        require_optional_text("place_label", self.place_label, MAX_LABEL_LENGTH)
        radius = _require_int("radius_km", self.radius_km)
        if not 0 <= radius <= MAX_RADIUS_KM:
            raise ValueError(f"radius_km must be between 0 and {MAX_RADIUS_KM}, got {radius}")
        contracts = _as_tuple("contract_types", self.contract_types)
        if len(contracts) > MAX_CONTRACT_TYPES:
            raise ValueError(f"at most {MAX_CONTRACT_TYPES} contract types, got {len(contracts)}")
        for code in contracts:
            if not isinstance(code, str) or not CONTRACT_TYPE_RE.fullmatch(code):
                raise ValueError(f"contract type {str(code)[:20]!r} is not a code such as 'CDI'")
        object.__setattr__(self, "contract_types", contracts)
        validate_alert_time(self.alert_time)
        object.__setattr__(self, "alert_days", validate_alert_days(self.alert_days))
        if not isinstance(self.alerts_enabled, bool):
            raise TypeError("alerts_enabled must be a bool")
        if self.last_alert_at is not None:
            require_aware("last_alert_at", self.last_alert_at)
        object.__setattr__(
            self, "driving_licences", validate_driving_licences(self.driving_licences)
        )
        object.__setattr__(self, "languages", validate_languages(self.languages))
        validate_experience(self.experience)
        validate_working_time(self.working_time)
        if self.remote_wanted is not None and not isinstance(self.remote_wanted, bool):
            raise TypeError("remote_wanted must be a bool or None")

    def replace(self, **changes: Any) -> Profile:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "target_jobs": [{"code": j.code, "label": j.label} for j in self.target_jobs],
            "skills": list(self.skills),
            "place_code": self.place_code,
            "place_label": self.place_label,
            "radius_km": self.radius_km,
            "contract_types": list(self.contract_types),
            "alert_time": self.alert_time.strftime("%H:%M"),
            "alert_days": sorted(self.alert_days),
            "alerts_enabled": self.alerts_enabled,
            "last_alert_at": self.last_alert_at.isoformat() if self.last_alert_at else None,
            "driving_licences": list(self.driving_licences),
            "languages": list(self.languages),
            "experience": self.experience,
            "working_time": self.working_time,
            "remote_wanted": self.remote_wanted,
        }


def _choices_from(name: str, value: object, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """A list of distinct values from ``allowed``, stored in ``allowed``'s order."""
    values = _as_tuple(name, value)
    for item in values:
        if item not in allowed:
            raise ValueError(f"{name}: {str(item)[:30]!r} is not one of {', '.join(allowed)}")
    chosen = set(values)
    return tuple(item for item in allowed if item in chosen)


def validate_driving_licences(value: object) -> tuple[str, ...]:
    return _choices_from("driving_licences", value, DRIVING_LICENCES)


def validate_languages(value: object) -> tuple[str, ...]:
    return _choices_from("languages", value, LANGUAGES)


def validate_experience(value: object) -> str | None:
    if value is not None and value not in EXPERIENCE_LEVELS:
        raise ValueError(
            f"experience {str(value)[:30]!r} is not one of {', '.join(EXPERIENCE_LEVELS)}"
        )
    return value  # type: ignore[return-value]


def validate_working_time(value: object) -> str | None:
    if value is not None and value not in WORKING_TIMES:
        raise ValueError(
            f"working_time {str(value)[:30]!r} is not one of {', '.join(WORKING_TIMES)}"
        )
    return value  # type: ignore[return-value]


def validate_skills(skills: object) -> tuple[str, ...]:
    values = _as_tuple("skills", skills)
    if len(values) > MAX_SKILLS:
        raise ValueError(f"at most {MAX_SKILLS} skills, got {len(values)}")
    for skill in values:
        require_text("skill", skill, MAX_SKILL_LENGTH)
    return values


def validate_alert_time(value: object) -> time:
    if not isinstance(value, time):
        raise TypeError(f"alert_time must be a datetime.time, got {type(value).__name__}")
    if value.tzinfo is not None:
        raise ValueError("alert_time is a local wall-clock time: pass it without tzinfo")
    if value.second or value.microsecond:
        raise ValueError(f"alert_time must be a whole minute, got {value.isoformat()}")
    return value


def validate_alert_days(value: object) -> frozenset[int]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"alert_days must be a set of weekday numbers, got {type(value).__name__}")
    days = frozenset(value)
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise ValueError(f"alert_days must hold weekday numbers 0 (Monday)..6, got {day!r}")
    if not days:
        raise ValueError("alert_days must contain at least one day (turn alerts off instead)")
    return days


def days_to_mask(days: frozenset[int]) -> int:
    mask = 0
    for day in days:
        mask |= 1 << day
    return mask


def mask_to_days(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


@dataclass(frozen=True, slots=True)
class User:
    """A Telegram user who talked to the bot. ``blocked_at`` is set when Telegram answered 403."""

    user_id: int
    chat_id: int
    first_name: str | None
    language: str | None
    created_at: datetime
    last_seen_at: datetime
    blocked_at: datetime | None = None

    @property
    def blocked(self) -> bool:
        return self.blocked_at is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "chat_id": self.chat_id,
            "first_name": self.first_name,
            "language": self.language,
            "created_at": self.created_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(),
            "blocked_at": self.blocked_at.isoformat() if self.blocked_at else None,
        }


@dataclass(frozen=True, slots=True)
class FavouriteSnapshot:
    """What we keep of an offer when it is saved: enough to show it after it left France Travail."""

    offer_id: str
    title: str
    company: str | None = None
    place: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        require_offer_id(self.offer_id)
        require_text("title", self.title, MAX_SNAPSHOT_TEXT_LENGTH)
        require_optional_text("company", self.company, MAX_SNAPSHOT_TEXT_LENGTH)
        require_optional_text("place", self.place, MAX_SNAPSHOT_TEXT_LENGTH)
        url = require_optional_text("url", self.url, MAX_URL_LENGTH)
        if url is not None and not url.startswith(("https://", "http://")):
            raise ValueError(f"url must be an http(s) URL, got {url[:80]!r}")


@dataclass(frozen=True, slots=True)
class Favourite:
    """A saved offer of one user."""

    user_id: int
    offer_id: str
    title: str
    company: str | None
    place: str | None
    url: str | None
    saved_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "offer_id": self.offer_id,
            "title": self.title,
            "company": self.company,
            "place": self.place,
            "url": self.url,
            "saved_at": self.saved_at.isoformat(),
        }


ALERT_RUN_OUTCOMES = frozenset({"ok", "partial", "failed"})


@dataclass(frozen=True, slots=True)
class AlertRun:
    """One alert cycle, for /stats and post-mortems.

    ``outcome``: ``ok`` (every due user handled), ``partial`` (some users or groups failed),
    ``failed`` (the cycle aborted). ``id`` is set when read back from the database.
    """

    started_at: datetime
    finished_at: datetime
    users_due: int = 0
    users_served: int = 0
    offers_sent: int = 0
    ft_calls: int = 0
    ft_errors: int = 0
    telegram_errors: int = 0
    outcome: str = "ok"
    detail: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        require_aware("started_at", self.started_at)
        require_aware("finished_at", self.finished_at)
        if self.finished_at < self.started_at:
            raise ValueError("finished_at is before started_at")
        for name in (
            "users_due",
            "users_served",
            "offers_sent",
            "ft_calls",
            "ft_errors",
            "telegram_errors",
        ):
            if _require_int(name, getattr(self, name)) < 0:
                raise ValueError(f"{name} must be >= 0")
        if self.outcome not in ALERT_RUN_OUTCOMES:
            raise ValueError(f"outcome must be one of {sorted(ALERT_RUN_OUTCOMES)}")
        require_text("detail", self.detail, 4000, allow_empty=True)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "users_due": self.users_due,
            "users_served": self.users_served,
            "offers_sent": self.offers_sent,
            "ft_calls": self.ft_calls,
            "ft_errors": self.ft_errors,
            "telegram_errors": self.telegram_errors,
            "outcome": self.outcome,
            "detail": self.detail,
        }
