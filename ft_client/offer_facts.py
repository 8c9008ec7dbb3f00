"""What a person needs to decide on an offer, read from the ``Offer`` dataclass: distance from
them, experience asked (and whether a beginner fits), driving licences (read in
``ft_client/driving_licences.py``, re-exported here), working time, remote work, a short town
name, badges, and distinct short button labels for a list of offers.

Pure functions, no I/O; nothing raises on odd API data (unknown → ``None`` or empty).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from ft_client.driving_licences import LicenceRequirement as LicenceRequirement
from ft_client.driving_licences import held_licence_codes, offer_licences
from ft_client.driving_licences import missing_licences as missing_licences
from ft_client.driving_licences import normalise_licence_code as normalise_licence_code
from ft_client.models.offers import Offer, WorkPlace
from ft_client.referential import haversine_km
from ft_client.salary import NormalisedSalary, parse_salary
from ft_client.textnorm import strip_accents

GeoPoint = tuple[float, float]  # (latitude, longitude) in degrees
BUTTON_MAX_CHARS = 40  # what a phone shows of an inline button without cutting it
BEGINNER_BADGE = "Débutant accepté"
REMOTE_BADGE = "Télétravail"
PART_TIME_BADGE = "Temps partiel"


# ---------------------------------------------------------------- distance


def _valid_point(point: object) -> GeoPoint | None:
    if not isinstance(point, tuple | list) or len(point) != 2:
        return None
    lat, lon = point
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return float(lat), float(lon)


def distance_km(offer: Offer, origin: GeoPoint | None) -> float | None:
    """Great-circle km from ``origin`` to the offer's work place; ``None`` when either point is
    unknown or invalid (France Travail omits coordinates on some offers)."""
    start = _valid_point(origin)
    end = _valid_point((offer.place.latitude, offer.place.longitude))
    if start is None or end is None:
        return None
    return haversine_km(start[0], start[1], end[0], end[1])


def format_distance(km: float | None) -> str | None:
    """ "à 12 km", "à moins d'1 km"; ``None`` when unknown (say nothing rather than guess)."""
    if km is None or not math.isfinite(km) or km < 0:
        return None
    if km < 1:
        return "à moins d'1\u00a0km"
    return f"à {round(km)}\u00a0km"


# ---------------------------------------------------------------- experience


class ExperienceLevel(StrEnum):
    """The profile's experience choice."""

    BEGINNER = "debutant"
    ONE_TO_TWO_YEARS = "1-2ans"
    THREE_YEARS_PLUS = "3ans+"


_LEVEL_MAX_MONTHS = {
    ExperienceLevel.BEGINNER: 0,
    ExperienceLevel.ONE_TO_TWO_YEARS: 24,
    ExperienceLevel.THREE_YEARS_PLUS: 10_000,
}
_DURATION = re.compile(r"(\d{1,2})(?:[.,](\d))?\s*(an|année|annee|mois)", re.IGNORECASE)
_BEGINNER_WORDS = re.compile(r"d[ée]butant|sans exp[ée]rience|premi[eè]re exp", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ExperienceRequirement:
    """``months`` is ``None`` when the offer gives no duration; ``required`` is False for
    "souhaitée" (wished, not a condition) and for beginners."""

    beginner_accepted: bool = False
    months: int | None = None
    required: bool = False

    @property
    def display(self) -> str | None:
        """ "Débutant accepté", "2 ans d'expérience exigés", "6 mois d'expérience souhaités"."""
        if self.beginner_accepted:
            return BEGINNER_BADGE
        verb = "exigé" if self.required else "souhaité"
        if self.months is None or self.months <= 0:
            return f"Expérience {verb}e" if self.required or self.months is None else None
        if self.months % 12 == 0:
            years = self.months // 12
            amount = f"{years} an{'s' if years > 1 else ''}"
            plural = years > 1
        else:
            amount, plural = f"{self.months} mois", self.months > 1
        return f"{amount} d'expérience {verb}{'s' if plural else ''}"

    def fits(self, level: ExperienceLevel | None) -> bool:
        """Whether a person at ``level`` meets the requirement; a wish never excludes anyone,
        and an unknown level is not excluded either (the person has not said)."""
        if level is None or self.beginner_accepted or not self.required:
            return True
        if self.months is None:  # "Expérience exigée" without a duration
            return level is not ExperienceLevel.BEGINNER
        return self.months <= _LEVEL_MAX_MONTHS[level]


def experience_requirement(offer: Offer) -> ExperienceRequirement:
    code = (offer.experience_requirement or "").strip().upper()
    label = offer.experience_label or ""
    if code == "D" or (not code and _BEGINNER_WORDS.search(label)):
        return ExperienceRequirement(beginner_accepted=True)
    months: int | None = None
    match = _DURATION.search(label)
    if match:
        whole, tenth, unit = int(match.group(1)), match.group(2), match.group(3).lower()
        years_fraction = int(tenth) * 12 // 10 if tenth else 0  # "1,5 an" → 18 months
        months = whole if unit == "mois" else whole * 12 + years_fraction
    required = code == "E" or (not code and "exig" in label.lower())
    return ExperienceRequirement(beginner_accepted=False, months=months, required=required)


def beginner_accepted(offer: Offer) -> bool:
    return experience_requirement(offer).beginner_accepted


# ---------------------------------------------------------------- working time, remote


class WorkingTime(StrEnum):
    FULL_TIME = "temps_plein"
    PART_TIME = "temps_partiel"


_HOURS = re.compile(r"^\s*(\d{1,2})\s*h\s*(\d{2})?", re.IGNORECASE)


def working_time(offer: Offer) -> WorkingTime | None:
    """From ``dureeTravailLibelleConverti`` ("Temps plein"/"Temps partiel"), else the hours."""
    for text in (offer.working_hours_converted, offer.working_hours_label):
        plain = strip_accents(text or "").lower()
        if "partiel" in plain or "mi-temps" in plain or "mi temps" in plain:
            return WorkingTime.PART_TIME
        if "plein" in plain or "complet" in plain:
            return WorkingTime.FULL_TIME
    hours = weekly_hours(offer)
    if hours is None:
        return None
    return WorkingTime.FULL_TIME if hours >= 35 else WorkingTime.PART_TIME


def weekly_hours(offer: Offer) -> float | None:
    """ "35H", "35H/semaine", "24H30 Travail en journée" → 35.0, 35.0, 24.5."""
    match = _HOURS.match(offer.working_hours_label or "")
    if not match:
        return None
    hours = int(match.group(1)) + (int(match.group(2)) / 60 if match.group(2) else 0)
    return hours if 0 < hours <= 60 else None


_REMOTE_NO = re.compile(
    r"(?:pas de|sans|aucun)\s+(?:t[ée]l[ée]travail|remote)"
    r"|t[ée]l[ée]travail\s*(?::\s*)?(?:non|impossible|pas possible|exclu)"
    r"|(?:non|pas)\s+t[ée]l[ée]travaillable|100\s*%\s*(?:sur site|pr[ée]sentiel)",
    re.IGNORECASE,
)
_REMOTE_YES = re.compile(
    r"t[ée]l[ée]\s*-?\s*travail|full\s*remote|\bremote\b|travail\s+[àa]\s+distance"
    # "hybride" alone is often a car ("mécanicien véhicules hybrides"): only a way of working.
    r"|(?:travail|mode|poste|organisation|rythme)\s+hybride",
    re.IGNORECASE,
)


def remote_work(offer: Offer) -> bool | None:
    """True when the offer mentions remote work, False when it rules it out, None when silent.
    The API has no field for it: the title, hours label and description are read."""
    texts = " \n ".join(
        t for t in (offer.title, offer.working_hours_label, offer.description) if t
    )[:20_000]
    if _REMOTE_NO.search(texts):
        return False
    return True if _REMOTE_YES.search(texts) else None


# ---------------------------------------------------------------- town, badges, facts


_SMALL_WORDS = frozenset({"sur", "sous", "en", "de", "du", "des", "la", "le", "les", "lès", "l"})


def town_name(place: WorkPlace) -> str | None:
    """ "75 - Paris 12e Arrondissement" → "Paris 12e"; "74 - ANNECY" → "Annecy"."""
    label = (place.label or "").strip()
    if not label:
        return None
    if " - " in label:
        head, tail = label.split(" - ", 1)
        if 1 <= len(head.strip()) <= 3:
            label = tail.strip()
    label = re.sub(r"\s+Arrondissement\b", "", label, flags=re.IGNORECASE).strip()
    if label.isupper():  # "SAINT-DENIS", "AIX EN PROVENCE": shouting in a button is noise
        parts = re.split(r"([ -])", label.lower())
        label = "".join(
            part if i and part in _SMALL_WORDS else part.capitalize()
            for i, part in enumerate(parts)
        )
    return label or None


@dataclass(frozen=True, slots=True)
class OfferFacts:
    distance_km: float | None
    salary: NormalisedSalary
    experience: ExperienceRequirement
    licences: tuple[LicenceRequirement, ...] = ()
    working_time: WorkingTime | None = None
    weekly_hours: float | None = None
    remote: bool | None = None
    town: str | None = None
    badges: tuple[str, ...] = field(default=())

    @property
    def beginner_accepted(self) -> bool:
        return self.experience.beginner_accepted


def offer_facts(offer: Offer, origin: GeoPoint | None = None) -> OfferFacts:
    """Everything above for one offer, in one call (cards, lists and digests use this)."""
    experience = experience_requirement(offer)
    time = working_time(offer)
    remote = remote_work(offer)
    badges = tuple(
        badge
        for badge, shown in (
            (BEGINNER_BADGE, experience.beginner_accepted),
            (REMOTE_BADGE, remote is True),
            (PART_TIME_BADGE, time is WorkingTime.PART_TIME),
        )
        if shown
    )
    return OfferFacts(
        distance_km=distance_km(offer, origin),
        salary=parse_salary(offer.salary),
        experience=experience,
        licences=offer_licences(offer),
        working_time=time,
        weekly_hours=weekly_hours(offer),
        remote=remote,
        town=town_name(offer.place),
        badges=badges,
    )


# ---------------------------------------------------------------- fit with a profile


class ProfileFields(Protocol):
    """What ``profile_fit`` reads of a profile (``storage.models.Profile`` has these)."""

    @property
    def driving_licences(self) -> tuple[str, ...]: ...
    @property
    def experience(self) -> str | None: ...
    @property
    def working_time(self) -> str | None: ...
    @property
    def remote_wanted(self) -> bool | None: ...


@dataclass(frozen=True, slots=True)
class FitNote:
    """One line of the offer card: ``ok`` → « ✅ … », otherwise « ⚠️ … »; ``blocking`` when the
    offer requires (exigé) something the person lacks — what an alert filter would drop."""

    ok: bool
    text: str
    blocking: bool = False

    @property
    def line(self) -> str:
        return f"{'✅' if self.ok else '⚠️'} {self.text}"


_TIME_WORDS = {WorkingTime.FULL_TIME: "Temps plein", WorkingTime.PART_TIME: "Temps partiel"}


def _experience_level(value: str | None) -> ExperienceLevel | None:
    try:
        return ExperienceLevel(value) if value else None
    except ValueError:
        return None


def _experience_notes(requirement: ExperienceRequirement, level: ExperienceLevel) -> list[FitNote]:
    shown = requirement.display
    if requirement.beginner_accepted:
        return [FitNote(True, BEGINNER_BADGE)] if level is ExperienceLevel.BEGINNER else []
    if not shown:
        return []
    # A wish is measured like a requirement, but missing it never blocks.
    enough = ExperienceRequirement(months=requirement.months, required=True).fits(level)
    if enough:
        return [FitNote(True, f"{shown} : c'est votre cas")]
    return [FitNote(False, shown, blocking=requirement.required)]


def profile_fit(offer: Offer, fields: ProfileFields) -> tuple[FitNote, ...]:
    """How the offer fits the person's licences, experience, working time and remote wish.

    Only what both sides say is noted: an offer silent on remote work, or a person who has not
    given an experience level, adds no line. Licences come first, in the offer's order.
    """
    notes: list[FitNote] = []
    held = held_licence_codes(fields.driving_licences)
    for licence in offer_licences(offer):
        asked = "demandé" if licence.required else "souhaité"
        if licence.code in held:
            notes.append(FitNote(True, f"Permis {licence.code} {asked} : vous l'avez"))
        else:
            notes.append(FitNote(False, f"Permis {licence.code} {asked}", licence.required))
    level = _experience_level(fields.experience)
    if level is not None:
        notes.extend(_experience_notes(experience_requirement(offer), level))
    offer_time = working_time(offer)
    if fields.working_time and offer_time is not None:
        if offer_time.value == fields.working_time:
            notes.append(FitNote(True, f"{_TIME_WORDS[offer_time]}, comme vous le souhaitez"))
        else:
            wanted = "un temps partiel" if offer_time is WorkingTime.FULL_TIME else "un temps plein"
            notes.append(FitNote(False, f"{_TIME_WORDS[offer_time]} (vous cherchez {wanted})"))
    remote = remote_work(offer)
    if fields.remote_wanted is True and remote is not None:
        notes.append(
            FitNote(True, "Télétravail possible")
            if remote
            else FitNote(False, "Pas de télétravail")
        )
    return tuple(notes)


def profile_fit_lines(offer: Offer, fields: ProfileFields) -> list[str]:
    """The card's lines, e.g. « ✅ Permis B demandé : vous l'avez », « ⚠️ Permis C demandé »."""
    return [note.line for note in profile_fit(offer, fields)]


def fits_requirements(offer: Offer, fields: ProfileFields) -> bool:
    """False when the offer requires a licence or experience the person lacks (alert filter)."""
    return not any(note.blocking for note in profile_fit(offer, fields))


# ---------------------------------------------------------------- button labels

_GENDER_MARK = re.compile(
    r"\s*[-–]?\s*\(?\b(?:h\s*/\s*f|f\s*/\s*h)(?:\s*/\s*(?:x|nb|d))?\b\)?", re.IGNORECASE
)


def short_title(title: str) -> str:
    """ "Serveur en restauration (H/F)" → "Serveur en restauration"."""
    cleaned = _GENDER_MARK.sub("", title or "")
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" -–·,.;:/")
    return cleaned or (title or "").strip() or "Offre"


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[: max(limit, 0)]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" -–·,.;:/") + "…"


def _join(title: str, suffix: str | None, limit: int) -> str:
    """ "title · suffix" in ``limit`` chars; the title gives way first (down to 3/5 of the
    room), since the suffix is what tells two offers with the same title apart."""
    if not suffix or limit < 16:  # too narrow for two parts: the title alone
        return _truncate(title, limit)
    full = f"{title} · {suffix}"
    if len(full) <= limit:
        return full
    title_room = max(limit - len(suffix) - 3, limit * 3 // 5)
    short = _truncate(title, title_room)
    return f"{short} · {_truncate(suffix, limit - len(short) - 3)}"


def _duplicates(labels: list[str]) -> set[int]:
    return {i for i, label in enumerate(labels) if labels.count(label) > 1}


def offer_button_labels(
    offers: Sequence[Offer], *, max_chars: int = BUTTON_MAX_CHARS, first_number: int | None = 1
) -> list[str]:
    """One distinct label per offer, each within ``max_chars``: "1. Serveur · Brasserie Lipp"
    (title · company, else title · town); labels still identical get the town, then company and
    town, then "(2)", "(3)"… Numbered from ``first_number`` (None: no number). Widths under 20
    characters are too narrow to keep labels readable and are not supported."""
    prefixes = [
        f"{first_number + i}. " if first_number is not None else "" for i in range(len(offers))
    ]
    rooms = [max_chars - len(prefix) for prefix in prefixes]
    titles = [short_title(offer.title) for offer in offers]
    companies = [(offer.company.name or "").strip() or None for offer in offers]
    towns = [town_name(offer.place) for offer in offers]
    suffixes: list[str | None] = [c or t for c, t in zip(companies, towns, strict=True)]
    labels = [_join(t, s, r) for t, s, r in zip(titles, suffixes, rooms, strict=True)]
    for i in _duplicates(labels):
        suffixes[i] = towns[i] or companies[i]
        labels[i] = _join(titles[i], suffixes[i], rooms[i])
    for i in _duplicates(labels):
        if companies[i] and towns[i]:
            suffixes[i] = f"{companies[i]}, {towns[i]}"
            labels[i] = _join(titles[i], suffixes[i], rooms[i])
    seen: dict[str, int] = {}
    for i in sorted(_duplicates(labels)):
        count = seen.get(labels[i], 0) + 1
        seen[labels[i]] = count
        if count > 1:
            marker = f" ({count})"
            labels[i] = _join(titles[i], suffixes[i], rooms[i] - len(marker)) + marker
    return [prefix + label for prefix, label in zip(prefixes, labels, strict=True)]
