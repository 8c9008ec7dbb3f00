"""Filters a person puts on an alert (issue 15): parsing what they type, applying them to offers.

Pure: no I/O, no Telegram. `AlertFilters` is stored as JSON by ``storage.saved_alerts`` (one per
saved alert, one for the profile's own alert); the alert cycle applies it with `apply_filters`,
which also says why each dropped offer was dropped (for « tester maintenant » explanations).

Limits (typed input is refused with a French sentence, `FilterInputError.message`):
- minimum salary: gross euros per month, `MIN_SALARY`…`MAX_SALARY`; « 25k » and amounts of
  `YEARLY_FROM` or more are read as yearly and divided by 12; negative numbers, exponents
  (« 1e9 ») and words are refused; « 0 » / « aucun » removes the filter;
- excluded words and excluded companies: at most `MAX_WORDS` entries of at most `MAX_WORD_CHARS`
  characters each, separated by commas, semicolons or new lines; a message longer than
  `MAX_INPUT_CHARS` is refused before it is even split.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Generic, TypeVar

from ft_client.models import Offer
from ft_client.offer_facts import (
    beginner_accepted,
    held_licence_codes,
    offer_licences,
    remote_work,
    working_time,
)
from ft_client.salary import parse_salary
from ft_client.textnorm import strip_accents

MIN_SALARY: Final = 100
MAX_SALARY: Final = 20_000
YEARLY_FROM: Final = 10_000  # « 25000 » is a yearly salary: nobody earns 25 000 € a month here
MAX_WORDS: Final = 30
MAX_WORD_CHARS: Final = 40
MAX_INPUT_CHARS: Final = 2_000
WORKING_TIMES: Final = ("temps_plein", "temps_partiel")
NO_FILTER_WORDS: Final = frozenset({"0", "aucun", "aucune", "non", "rien", "-"})

_SALARY_RE = re.compile(r"^(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:,(\d{1,2}))?\s*(k)?$")
_SEPARATORS = re.compile(r"[,;\n]+")

T = TypeVar("T")


class FilterInputError(ValueError):
    """Typed input refused; ``message`` is the French sentence shown to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DropReason(StrEnum):
    """Why a filter dropped an offer (the cycle counts them to explain an empty digest)."""

    SALARY_TOO_LOW = "salary_too_low"
    SALARY_UNKNOWN = "salary_unknown"
    EXCLUDED_WORD = "excluded_word"
    EXCLUDED_COMPANY = "excluded_company"
    NOT_REMOTE = "not_remote"
    NOT_FOR_BEGINNERS = "not_for_beginners"
    CONTRACT = "contract"
    WORKING_TIME = "working_time"
    LICENCE = "licence"


def fold(text: str) -> str:
    """Lower case without accents, whitespace collapsed: how words and companies are compared."""
    return " ".join(strip_accents(text).casefold().split())


@dataclass(frozen=True, slots=True)
class AlertFilters:
    """Everything a person can filter an alert with; the defaults filter nothing."""

    min_salary: int | None = None  # gross euros per month
    keep_unsalaried: bool = True  # offers that state no salary pass the salary filter
    excluded_words: tuple[str, ...] = ()  # in the title or the company name
    excluded_companies: tuple[str, ...] = ()
    remote_only: bool = False
    beginners_only: bool = False  # only offers accepting beginners
    contract_types: tuple[str, ...] = ()  # CDI, CDD, MIS…; empty = any
    working_time: str | None = None  # "temps_plein" / "temps_partiel"; None = any
    licences_held: tuple[str, ...] = ()  # offers requiring another licence are dropped

    def __post_init__(self) -> None:
        if self.min_salary is not None and not MIN_SALARY <= self.min_salary <= MAX_SALARY:
            raise ValueError(f"min_salary must be within {MIN_SALARY}..{MAX_SALARY}")
        for name in ("excluded_words", "excluded_companies"):
            values = getattr(self, name)
            if len(values) > MAX_WORDS or any(
                not w.strip() or len(w) > MAX_WORD_CHARS for w in values
            ):
                raise ValueError(f"{name}: at most {MAX_WORDS} words of {MAX_WORD_CHARS} chars")
        if self.working_time is not None and self.working_time not in WORKING_TIMES:
            raise ValueError(f"unknown working time {self.working_time!r}")

    @property
    def active(self) -> bool:
        return self != AlertFilters()

    def to_json(self) -> dict[str, Any]:
        return {
            "min_salary": self.min_salary,
            "keep_unsalaried": self.keep_unsalaried,
            "excluded_words": list(self.excluded_words),
            "excluded_companies": list(self.excluded_companies),
            "remote_only": self.remote_only,
            "beginners_only": self.beginners_only,
            "contract_types": list(self.contract_types),
            "working_time": self.working_time,
            "licences_held": list(self.licences_held),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> AlertFilters:
        """The stored filters; anything unreadable falls back to "no filter" for that field."""
        if not isinstance(data, Mapping):
            return cls()

        def strings(name: str) -> tuple[str, ...]:
            value = data.get(name)
            if not isinstance(value, list):
                return ()
            return tuple(str(v) for v in value if isinstance(v, str))[:MAX_WORDS]

        salary = data.get("min_salary")
        working = data.get("working_time")
        try:
            return cls(
                min_salary=salary if type(salary) is int else None,
                keep_unsalaried=data.get("keep_unsalaried", True) is not False,
                excluded_words=strings("excluded_words"),
                excluded_companies=strings("excluded_companies"),
                remote_only=data.get("remote_only") is True,
                beginners_only=data.get("beginners_only") is True,
                contract_types=strings("contract_types"),
                working_time=working if working in WORKING_TIMES else None,
                licences_held=strings("licences_held"),
            )
        except ValueError:
            return cls()


# ---------------------------------------------------------------- typed input


def parse_min_salary(text: str) -> int | None:
    """« 1 800 € », « 1800 », « 25k » → euros per month; « 0 » / « aucun » → None (no filter).

    Raises `FilterInputError` for anything else (negative, « 1e9 », words, out of range).
    """
    if len(text) > 40:
        raise FilterInputError("Indiquez juste un montant, par exemple « 1 800 ».")
    plain = text.strip().casefold().replace("€", "").replace("euros", "").replace("brut", "")
    plain = plain.replace("par mois", "").replace("/mois", "").strip()
    if plain in NO_FILTER_WORDS:
        return None
    if plain.startswith("-"):
        raise FilterInputError("Un salaire ne peut pas être négatif.")
    match = _SALARY_RE.match(plain)
    if match is None:
        raise FilterInputError(
            "Je n'ai pas compris ce montant. Écrivez un salaire brut mensuel en euros, "
            "par exemple « 1 800 » (ou « 25k » par an)."
        )
    amount = float(re.sub(r"\D", "", match.group(1)) + "." + (match.group(2) or "0"))
    if match.group(3):
        amount *= 1000
    if amount >= YEARLY_FROM:
        amount /= 12  # a yearly salary
    monthly = round(amount)
    if not MIN_SALARY <= monthly <= MAX_SALARY:
        raise FilterInputError(
            f"Indiquez un salaire mensuel entre {MIN_SALARY} € et {MAX_SALARY:,} €.".replace(
                ",", "\u202f"
            )
        )
    return monthly


def parse_word_list(text: str) -> tuple[str, ...]:
    """« stage, alternance; nuit » → the words (duplicates removed, order kept).

    « aucun » / « 0 » → () (the list is emptied). Raises `FilterInputError` beyond the limits.
    """
    if len(text) > MAX_INPUT_CHARS:
        raise FilterInputError(
            f"Message trop long : au plus {MAX_WORDS} mots de {MAX_WORD_CHARS} caractères."
        )
    if text.strip().casefold() in NO_FILTER_WORDS:
        return ()
    words: list[str] = []
    seen: set[str] = set()
    for part in _SEPARATORS.split(text):
        word = " ".join(part.split())
        if not word:
            continue
        if len(word) > MAX_WORD_CHARS:
            raise FilterInputError(
                f"Un mot ou une entreprise fait au plus {MAX_WORD_CHARS} caractères."
            )
        if fold(word) not in seen:
            seen.add(fold(word))
            words.append(word)
    if len(words) > MAX_WORDS:
        raise FilterInputError(f"Au plus {MAX_WORDS} mots à exclure ({len(words)} reçus).")
    if not words:
        raise FilterInputError("Écrivez les mots séparés par des virgules, ou « aucun ».")
    return tuple(words)


# ---------------------------------------------------------------- applying


def offer_of(item: Any) -> Offer:
    """The offer of an `Offer` or of anything carrying one (`RankedOffer`)."""
    return item if isinstance(item, Offer) else item.offer


def _contains_word(text: str, word: str) -> bool:
    """Whole-word match, accents and case ignored (« stage » does not exclude « stagiaire »)."""
    return re.search(rf"(?<!\w){re.escape(fold(word))}(?!\w)", fold(text)) is not None


def drop_reason(
    offer: Offer, filters: AlertFilters, remote: Callable[[Offer], bool | None] = remote_work
) -> DropReason | None:
    """Why ``filters`` drop ``offer``; None when it passes. ``remote`` tells whether an offer
    allows remote work (an offer read back from the offers table has no description: the
    fact read when it was swept is passed instead)."""
    company = offer.company.name or ""
    if filters.min_salary is not None:
        salary = parse_salary(offer.salary)
        best = salary.monthly_max or salary.monthly_min
        if best is None:
            if not filters.keep_unsalaried:
                return DropReason.SALARY_UNKNOWN
        elif best < filters.min_salary:
            return DropReason.SALARY_TOO_LOW
    words = filters.excluded_words
    if any(_contains_word(offer.title, w) or _contains_word(company, w) for w in words):
        return DropReason.EXCLUDED_WORD
    if company and any(fold(company) == fold(c) for c in filters.excluded_companies):
        return DropReason.EXCLUDED_COMPANY
    if filters.remote_only and remote(offer) is not True:
        return DropReason.NOT_REMOTE
    if filters.beginners_only and not beginner_accepted(offer):
        return DropReason.NOT_FOR_BEGINNERS
    if filters.contract_types and offer.contract_type not in filters.contract_types:
        return DropReason.CONTRACT
    if filters.working_time is not None:
        found = working_time(offer)
        if found is not None and found.value != filters.working_time:
            return DropReason.WORKING_TIME
    if filters.licences_held:
        held = held_licence_codes(filters.licences_held)
        if any(r.required and r.code not in held for r in offer_licences(offer)):
            return DropReason.LICENCE
    return None


@dataclass(slots=True)
class FilterOutcome(Generic[T]):
    """The items kept (order kept) and, per dropped item, the reason."""

    kept: list[T] = field(default_factory=list)
    dropped: list[tuple[T, DropReason]] = field(default_factory=list)

    def counts(self) -> dict[DropReason, int]:
        found: dict[DropReason, int] = {}
        for _item, reason in self.dropped:
            found[reason] = found.get(reason, 0) + 1
        return found


def apply_filters(
    items: Iterable[T],
    filters: AlertFilters,
    *,
    offer: Callable[[T], Offer] = offer_of,
    remote: Callable[[Offer], bool | None] = remote_work,
) -> FilterOutcome[T]:
    """Split ``items`` (offers, or ranked offers) into kept and dropped-with-a-reason."""
    outcome: FilterOutcome[T] = FilterOutcome()
    for item in items:
        reason = drop_reason(offer(item), filters, remote) if filters.active else None
        if reason is None:
            outcome.kept.append(item)
        else:
            outcome.dropped.append((item, reason))
    return outcome


def add_word(words: Sequence[str], word: str) -> tuple[str, ...]:
    """``words`` plus ``word`` (once, compared folded), within `MAX_WORDS` (oldest dropped)."""
    kept = [w for w in words if fold(w) != fold(word)]
    return (*kept, word[:MAX_WORD_CHARS])[-MAX_WORDS:]
