"""France Travail salary fields → a monthly gross range in euros and a short French display.

The API gives free-ish text: ``salaire.libelle`` follows a template ("Mensuel de 1600,00 Euros à
1800,00 Euros sur 12 mois", "Annuel de 38000.0 Euros sur 12.0 mois", "Horaire de 12,06 Euros",
"Cachet de 150 Euros"), ``commentaire`` is free ("A partir de 28 k€ brut annuel", "Selon
expérience"), ``complement1/2`` are benefits ("Chèque repas", "Mutuelle", "Autre").

Conversion assumptions (documented in docs/offers.md):
- hourly × 151.67 h (the legal full-time month: 35 h × 52 / 12), so a part-time job's real pay is
  lower; the hourly rate is always shown next to the converted figure;
- yearly ÷ the months given ("sur 13 mois") or 12;
- a monthly amount "sur 13 mois" stays a monthly amount; the 13th month is shown as "sur 13 mois";
- a "cachet" (per performance) is not converted.

Display uses French typography: a narrow no-break space (U+202F) between thousands and a
no-break space (U+00A0) before "€", so a phone never wraps "1 600" or "1 600 €" across lines.
Nothing here raises on bad input: anything unparseable or implausible gives "non précisé".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from ft_client.models.offers import Salary

HOURS_PER_MONTH = 151.67
MONTHS_PER_YEAR = 12.0
THOUSANDS_SEPARATOR = "\u202f"  # narrow no-break space, French thousands separator
NBSP = "\u00a0"  # no-break space before a unit
EN_DASH = "–"
NOT_SPECIFIED = "non précisé"
# Plausible gross monthly pay; outside this the text was misread or is a joke (1e9, -5).
MIN_MONTHLY = 100
MAX_MONTHLY = 100_000
MAX_TEXT_CHARS = 500  # longer salary texts are cut before parsing (no regex on megabytes)
_MONTHS_RANGE = (1.0, 16.0)  # "sur 12 mois" … "sur 14,5 mois"; anything else is ignored

# Benefits that say nothing ("Autre") are dropped from the list of benefits.
_EMPTY_BENEFITS = frozenset({"autre", "autres", "aucun", "aucune", "-", "neant", "néant"})


class SalaryPeriod(StrEnum):
    HOURLY = "hourly"
    MONTHLY = "monthly"
    YEARLY = "yearly"
    PER_PERFORMANCE = "per_performance"  # "cachet" (performing arts)


@dataclass(frozen=True, slots=True)
class NormalisedSalary:
    """Gross pay. ``monthly_min``/``monthly_max`` are whole euros per month (``None`` when not
    known or not convertible); ``amount_min``/``amount_max`` are as given in ``period``.
    ``monthly_max`` is ``None`` for "à partir de" (a floor only)."""

    monthly_min: int | None = None
    monthly_max: int | None = None
    period: SalaryPeriod | None = None
    amount_min: float | None = None
    amount_max: float | None = None
    months_per_year: float | None = None
    from_comment: bool = False  # parsed from the free ``commentaire``, not the template
    benefits: tuple[str, ...] = ()  # complement1/2, repaired, "Autre" dropped

    @property
    def known(self) -> bool:
        return self.amount_min is not None

    @property
    def display(self) -> str:
        return format_salary(self)


# ---------------------------------------------------------------- mojibake


_MOJIBAKE_MARKERS = ("Ã", "Â", "â€")
_LOST_CHARACTER = re.compile("ï¿½|\ufffd|�")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Latin-1/CP1252 ("Ã©" → "é"); a character already lost ("ï¿½", U+FFFD)
    cannot come back and is removed, so it is never shown."""
    if any(marker in text for marker in _MOJIBAKE_MARKERS):
        # "à" is C3 A0: its A0 (no-break space) is often turned into a plain space on the way.
        text = text.replace("Ã ", "Ã\u00a0")
        for codec in ("cp1252", "latin-1"):
            try:
                text = text.encode(codec).decode("utf-8")
                break
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
    return re.sub(r"\s{2,}", " ", _LOST_CHARACTER.sub(" ", text)).strip()


def _has_lost_character(text: str) -> bool:
    return _LOST_CHARACTER.search(text) is not None


# ---------------------------------------------------------------- numbers


# "1 600,00", "1.600,00", "38000.0", "1880,71", "28 k", "28K", "12.06"
_NUMBER = (
    r"(?<![\d.,])(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d+)?)"
    r"(?:\s*([kK])(?![a-zA-Z]))?"
)
_TEMPLATE = re.compile(
    r"^\s*(?P<period>mensuel|annuel|horaire|cachet)\s+de\s+"
    + _NUMBER.replace("(\\d", "(?P<low>\\d", 1).replace("([kK])", "(?P<low_k>[kK])")
    + r"\s*(?:euros?|€|eur)?"
    # "à" between amounts; mojibake repair may have left only a space where it was lost.
    + r"(?:\s*(?:à|a|-|–|et)?\s*"
    + _NUMBER.replace("(\\d", "(?P<high>\\d", 1).replace("([kK])", "(?P<high_k>[kK])")
    + r"\s*(?:euros?|€|eur)?)?"
    + r"(?:\s*sur\s+(?P<months>\d+(?:[.,]\d+)?)\s*mois)?",
    re.IGNORECASE,
)
_ANY_NUMBER = re.compile(_NUMBER)


def _to_float(number: str, thousands: str | None) -> float | None:
    cleaned = re.sub(r"[ \u00a0\u202f]", "", number)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", cleaned):
        cleaned = cleaned.replace(".", "")  # "1.600,00": dots group thousands
    cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    if thousands:
        value *= 1000
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------- parsing


_PERIOD_WORDS = {
    "mensuel": SalaryPeriod.MONTHLY,
    "annuel": SalaryPeriod.YEARLY,
    "horaire": SalaryPeriod.HOURLY,
    "cachet": SalaryPeriod.PER_PERFORMANCE,
}
_COMMENT_PERIODS: tuple[tuple[re.Pattern[str], SalaryPeriod], ...] = (
    (re.compile(r"/\s*h\b|\bheure|\bhoraire|€\s*h\b|\bh\s*brut", re.I), SalaryPeriod.HOURLY),
    (
        re.compile(r"/\s*an\b|\bannuel|\bpar an\b|\bk\s*€|\d\s*k\b|\bk\s*euros", re.I),
        SalaryPeriod.YEARLY,
    ),
    (re.compile(r"/\s*mois\b|\bmensuel|\bpar mois\b", re.I), SalaryPeriod.MONTHLY),
    (re.compile(r"\bcachet", re.I), SalaryPeriod.PER_PERFORMANCE),
)
_FLOOR_WORDS = re.compile(r"\b(?:à|a) partir de\b|\bminimum\b|\bmini\b|\bdès\b|\bplus de\b", re.I)
_CEILING_WORDS = re.compile(r"\bjusqu'?\s*(?:à|a)\b|\bmaximum\b|\bmaxi\b", re.I)
_SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
_NEGATIVE = re.compile(r"-\s*\d")


def parse_salary(salary: Salary | None) -> NormalisedSalary:
    """The offer's salary, normalised; never raises. The template ``libelle`` wins over the
    free ``commentaire``, which is only read when the template says nothing usable."""
    if salary is None:
        return NormalisedSalary()
    benefits = _benefits(salary.complement1, salary.complement2)
    for text, from_comment in ((salary.label, False), (salary.comment, True)):
        if not isinstance(text, str) or not text.strip():
            continue
        parsed = parse_salary_text(text, from_comment=from_comment)
        if parsed.known:
            return _with_benefits(parsed, benefits)
    return NormalisedSalary(benefits=benefits)


def parse_salary_text(text: str, *, from_comment: bool = False) -> NormalisedSalary:
    """One salary text (template or free comment) → a normalised salary, or an unknown one."""
    if not isinstance(text, str):
        return NormalisedSalary()
    text = repair_mojibake(text[:MAX_TEXT_CHARS])
    if _SCIENTIFIC.search(text):
        return NormalisedSalary()  # "1e9": nobody writes pay like that; never guess
    if re.search(r"<[a-zA-Z/!]", text):
        text = re.sub(r"<[^>]{0,200}>", " ", text)
    match = _TEMPLATE.match(text)
    if match:
        return _from_template(match)
    return _from_free_text(text, from_comment=from_comment)


def _from_template(match: re.Match[str]) -> NormalisedSalary:
    period = _PERIOD_WORDS[match["period"].lower()]
    low = _to_float(match["low"], match["low_k"])
    high = _to_float(match["high"], match["high_k"]) if match["high"] else None
    months = _to_float(match["months"], None) if match["months"] else None
    return _build(period, low, high, months, from_comment=False)


def _from_free_text(text: str, *, from_comment: bool) -> NormalisedSalary:
    if _NEGATIVE.search(text.replace("–", "-")) and not re.search(r"\d\s*[-–]\s*\d", text):
        return NormalisedSalary()  # "-1500 €": a negative amount is not a salary
    numbers = [
        value
        for m in _ANY_NUMBER.finditer(text)
        if (value := _to_float(m.group(1), m.group(2))) is not None
    ]
    months_match = re.search(r"sur\s+(\d+(?:[.,]\d+)?)\s*mois", text, re.I)
    months = _to_float(months_match.group(1), None) if months_match else None
    if months_match:
        numbers = [n for n in numbers if n != months]
    # Numbers too small to be an amount are hours or counts ("35h", "2 primes").
    amounts = [n for n in numbers if n >= 5]
    if not amounts or not re.search(r"€|euro|eur\b|brut|net|salaire|k\b|smic", text, re.I):
        return NormalisedSalary()
    period = next((p for pattern, p in _COMMENT_PERIODS if pattern.search(text)), None)
    if period is None:
        period = _period_from_magnitude(amounts[0])
    low: float | None = amounts[0]
    high = amounts[1] if len(amounts) > 1 else None
    if high is None and _CEILING_WORDS.search(text):
        return NormalisedSalary()  # "jusqu'à 2 000 €" alone says nothing about the pay floor
    if _FLOOR_WORDS.search(text) and high is None:
        return _build(period, low, None, months, from_comment=from_comment, floor_only=True)
    return _build(period, low, high, months, from_comment=from_comment)


def _period_from_magnitude(amount: float) -> SalaryPeriod:
    if amount < 100:
        return SalaryPeriod.HOURLY
    if amount < 10_000:
        return SalaryPeriod.MONTHLY
    return SalaryPeriod.YEARLY


def _build(
    period: SalaryPeriod,
    low: float | None,
    high: float | None,
    months: float | None,
    *,
    from_comment: bool,
    floor_only: bool = False,
) -> NormalisedSalary:
    if low is None or low <= 0:
        return NormalisedSalary()
    if months is not None and not (_MONTHS_RANGE[0] <= months <= _MONTHS_RANGE[1]):
        months = None
    if high is not None and high < low:
        low, high = high, low
    if high is not None and high <= 0:
        high = None
    monthly_low = _monthly(period, low, months)
    monthly_high = _monthly(period, high, months) if high is not None else None
    if period is not SalaryPeriod.PER_PERFORMANCE:
        if monthly_low is None or not (MIN_MONTHLY <= monthly_low <= MAX_MONTHLY):
            return NormalisedSalary()
        if monthly_high is not None and monthly_high > MAX_MONTHLY:
            return NormalisedSalary()
    elif not (1 <= low <= MAX_MONTHLY) or (high is not None and high > MAX_MONTHLY):
        return NormalisedSalary()
    if high is None and not floor_only:
        monthly_high, high = monthly_low, low
    return NormalisedSalary(
        monthly_min=monthly_low,
        monthly_max=monthly_high,
        period=period,
        amount_min=low,
        amount_max=high,
        months_per_year=months,
        from_comment=from_comment,
    )


def _monthly(period: SalaryPeriod, amount: float, months: float | None) -> int | None:
    if period is SalaryPeriod.MONTHLY:
        return round(amount)
    if period is SalaryPeriod.HOURLY:
        return round(amount * HOURS_PER_MONTH)
    if period is SalaryPeriod.YEARLY:
        return round(amount / (months or MONTHS_PER_YEAR))
    return None


def _benefits(*texts: str | None) -> tuple[str, ...]:
    out: list[str] = []
    for text in texts:
        # A benefit with a character lost in transit ("Ch\ufffdque") would show garbled: dropped.
        if not isinstance(text, str) or _has_lost_character(text):
            continue
        repaired = repair_mojibake(text[:80])
        if not repaired or repaired.casefold() in _EMPTY_BENEFITS or "<" in repaired:
            continue
        if repaired not in out:
            out.append(repaired)
    return tuple(out)


def _with_benefits(parsed: NormalisedSalary, benefits: tuple[str, ...]) -> NormalisedSalary:
    return NormalisedSalary(
        monthly_min=parsed.monthly_min,
        monthly_max=parsed.monthly_max,
        period=parsed.period,
        amount_min=parsed.amount_min,
        amount_max=parsed.amount_max,
        months_per_year=parsed.months_per_year,
        from_comment=parsed.from_comment,
        benefits=benefits,
    )


# ---------------------------------------------------------------- display


def format_euros(amount: float, *, decimals: int = 0) -> str:
    """1600 → "1 600" (U+202F between thousands); 12.06 with decimals=2 → "12,06"."""
    text = f"{amount:,.{decimals}f}"
    return text.replace(",", THOUSANDS_SEPARATOR).replace(".", ",")


def _range(low: float, high: float | None, *, decimals: int = 0) -> str:
    low_text = format_euros(low, decimals=decimals)
    if high is None or format_euros(high, decimals=decimals) == low_text:
        return low_text
    return f"{low_text}{EN_DASH}{format_euros(high, decimals=decimals)}"


def _months_note(months: float | None) -> str:
    if months is None or months == MONTHS_PER_YEAR:
        return ""
    return f" sur {format_euros(months, decimals=0 if months.is_integer() else 1)} mois"


def format_salary(salary: NormalisedSalary) -> str:
    """ "1 600–1 800 € brut/mois", "à partir de 1 800 € brut/mois", "1 900 € brut/mois (annuel
    22 800 €)", "1 829 € brut/mois (12,06 €/h)", "150 € brut par cachet", or "non précisé"."""
    if not salary.known or salary.amount_min is None or salary.period is None:
        return NOT_SPECIFIED
    euro = f"{NBSP}€"
    if salary.period is SalaryPeriod.PER_PERFORMANCE:
        return f"{_range(salary.amount_min, salary.amount_max)}{euro} brut par cachet"
    if salary.monthly_min is None:
        return NOT_SPECIFIED
    floor_only = salary.monthly_max is None
    monthly = _range(salary.monthly_min, salary.monthly_max)
    text = f"{'à partir de ' if floor_only else ''}{monthly}{euro} brut/mois"
    if salary.period is SalaryPeriod.MONTHLY:
        return text + _months_note(salary.months_per_year)
    if salary.period is SalaryPeriod.YEARLY:
        yearly = _range(salary.amount_min, salary.amount_max)
        return f"{text} (annuel {yearly}{euro}{_months_note(salary.months_per_year)})"
    hourly = _range(salary.amount_min, salary.amount_max, decimals=2)
    return f"{text} ({hourly}{euro}/h)"


def salary_display(salary: Salary | None) -> str:
    """Shortcut for cards and lists: the offer's ``salary`` field → its French display."""
    return format_salary(parse_salary(salary))
