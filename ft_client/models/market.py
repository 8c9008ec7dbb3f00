"""Marché du travail v1 (``stats-offres-demandes-emploi``): offers, hires, tension, salaries.

The answers share one shape (seen in 2026 third-party clients, not checked against the live
service): ``{"listeValeursParPeriode": [{codeTerritoire, libTerritoire, codeActivite,
libActivite, codeNomenclature, libNomenclature, codePeriode, libPeriode, valeurPrincipaleNombre,
valeurPrincipaleDecimale, valeurPrincipaleRang, …, listeValeurParCaract: [...]}]}``. How the
tension (1–5) and its factors are spelt is inferred: one entry per nomenclature code
(``PERSPECTIVE`` for the overall tension, then the factors), ``valeurPrincipaleRang`` 1–5.
Salaries: ``salaireValeurMontant: [{codeNomenclature, libNomenclature, valeurPrincipaleMontant}]``
(a guess, from third-party code only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ft_client.models.parsing import _dict, _float, _int, _list_of_dicts, _str

# The overall tension and its six explanatory factors (api.gouv.fr page; codes as third-party
# clients spell them).
TENSION_CODE = "PERSPECTIVE"
TENSION_FACTORS: dict[str, str] = {
    "INT_EMB": "Intensité d'embauche",
    "COND_TRAVAIL": "Conditions de travail contraignantes",
    "DUR_EMPL": "Emplois non durables",
    "MAIN_OEUVRE": "Manque de main-d'œuvre disponible",
    "SPECIF_FORM_EMPL": "Lien formation-emploi",
    "MISMATCH_GEO": "Inadéquation géographique",
}


@dataclass(frozen=True, slots=True)
class MarketPeriodValue:
    """One ``listeValeursParPeriode`` entry, the fields this bot reads."""

    period_code: str | None
    period_label: str | None
    territory_label: str | None
    activity_label: str | None
    nomenclature: str | None
    nomenclature_label: str | None
    number: int | None
    decimal: float | None
    rank: int | None
    salaries: tuple[tuple[str, float], ...]  # (codeNomenclature, amount)

    @classmethod
    def list_from_json(cls, data: Any) -> list[MarketPeriodValue]:
        out = []
        for item in _list_of_dicts(_dict(data).get("listeValeursParPeriode")):
            salaries = tuple(
                (_str(s.get("codeNomenclature")) or "", amount)
                for s in _list_of_dicts(item.get("salaireValeurMontant"))
                if (amount := _float(s.get("valeurPrincipaleMontant"))) is not None
            )
            out.append(
                cls(
                    period_code=_str(item.get("codePeriode")),
                    period_label=_str(item.get("libPeriode")),
                    territory_label=_str(item.get("libTerritoire")),
                    activity_label=_str(item.get("libActivite")),
                    nomenclature=_str(item.get("codeNomenclature")),
                    nomenclature_label=_str(item.get("libNomenclature")),
                    number=_int(item.get("valeurPrincipaleNombre")),
                    decimal=_float(item.get("valeurPrincipaleDecimale")),
                    rank=_int(item.get("valeurPrincipaleRang")),
                    salaries=salaries,
                )
            )
        return out


@dataclass(frozen=True, slots=True)
class TensionFactor:
    code: str
    label: str
    level: int  # 1 (weak) .. 5 (strong)


@dataclass(frozen=True, slots=True)
class MarketSnapshot:
    """The job market of one ROME métier in one territory for the latest period.

    Any part may be missing (``None`` / empty): the API has no figure for a small territory.
    """

    rome_code: str
    territory_type: str  # NAT, REG, DEP
    territory_code: str
    territory_label: str | None
    period_label: str | None
    tension: int | None  # 1..5
    factors: tuple[TensionFactor, ...]
    offers: int | None  # offers registered this quarter
    hires: int | None  # hires this quarter
    salary_low: float | None  # gross monthly euros
    salary_median: float | None
    salary_high: float | None

    @property
    def empty(self) -> bool:
        return (
            self.tension is None
            and self.offers is None
            and self.hires is None
            and self.salary_low is None
        )


def tension_from(values: list[MarketPeriodValue]) -> tuple[int | None, tuple[TensionFactor, ...]]:
    """The overall tension and the factors from a ``stat-perspective-employeur`` answer."""
    latest = _latest(values)
    tension = None
    factors = []
    for value in latest:
        level = value.rank
        if level is None and value.decimal is not None:
            level = 1 + min(4, int(value.decimal * 5))  # an index 0..1 read as five bands
        if level is None or not 1 <= level <= 5:
            continue
        if value.nomenclature == TENSION_CODE:
            tension = level
        elif value.nomenclature in TENSION_FACTORS:
            factors.append(
                TensionFactor(value.nomenclature, TENSION_FACTORS[value.nomenclature], level)
            )
    factors.sort(key=lambda f: (-f.level, f.code))
    return tension, tuple(factors)


def count_from(values: list[MarketPeriodValue]) -> int | None:
    """The main number of the latest period (offers, hires)."""
    latest = _latest(values)
    numbers = [v.number for v in latest if v.number is not None]
    return sum(numbers) if numbers else None


def salaries_from(values: list[MarketPeriodValue]) -> tuple[float | None, ...]:
    """(low, median, high) monthly salary of the latest period with amounts."""
    amounts = [(code, amount) for v in _latest(values) for code, amount in v.salaries]
    if not amounts:
        return (None, None, None)
    ordered = sorted(a for _, a in amounts)
    median = next((a for code, a in amounts if "MED" in code.upper()), None)
    if median is None:
        median = ordered[len(ordered) // 2]
    return (ordered[0], median, ordered[-1])


def _latest(values: list[MarketPeriodValue]) -> list[MarketPeriodValue]:
    periods = [v.period_code for v in values if v.period_code]
    if not periods:
        return values
    last = max(periods)
    return [v for v in values if v.period_code == last]


def period_of(values: list[MarketPeriodValue]) -> tuple[str | None, str | None]:
    """(territory label, period label) of the latest period."""
    latest = _latest(values)
    first = latest[0] if latest else None
    return (first.territory_label, first.period_label) if first else (None, None)
