"""Salary normalisation: every salary in the real France Travail samples, the documented formats,
the emulator's generated ones, and hostile input (never a crash, never mojibake)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from ft_client.models.offers import Offer, Salary
from ft_client.salary import (
    NOT_SPECIFIED,
    NormalisedSalary,
    SalaryPeriod,
    format_euros,
    format_salary,
    parse_salary,
    parse_salary_text,
    repair_mojibake,
    salary_display,
)
from sandbox.france_travail.offer_generator import make_generator
from sandbox.france_travail.referentials import load_referentials

SAMPLES = Path(__file__).parent / "fixtures" / "ft_samples"
NN = "\u202f"  # thousands separator
NB = "\u00a0"  # before €


def fr(text: str) -> str:
    """Test strings are written with "_" for the thousands separator and "~" before "€"."""
    return text.replace("_", NN).replace("~", NB)


def _salaries(data: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "salaire" and isinstance(value, dict):
                found.append(value)
            else:
                found.extend(_salaries(value))
    elif isinstance(data, list):
        for item in data:
            found.extend(_salaries(item))
    return found


# Every non-empty salary object of tests/fixtures/ft_samples, with the display it must give.
REAL_SAMPLES: dict[str, str] = {
    "Mensuel de 1880,71 Euros à 1880,72 Euros sur 12 mois": "1_881~€ brut/mois",
    "Mensuel de 1833.0 Euros à 2250.0 Euros sur 12.0 mois": "1_833–2_250~€ brut/mois",
    "Horaire de 12,00 Euros sur 12 mois": "1_820~€ brut/mois (12,00~€/h)",
    "Horaire de 12.06 Euros sur 12.0 mois": "1_829~€ brut/mois (12,06~€/h)",
    "Annuel de 38000.0 Euros à 45000.0 Euros sur 12.0 mois": (
        "3_167–3_750~€ brut/mois (annuel 38_000–45_000~€)"
    ),
    "Annuel de 26400,00 Euros sur 12 mois": "2_200~€ brut/mois (annuel 26_400~€)",
    "Mensuel de 1710,00 Euros sur 12 mois": "1_710~€ brut/mois",
    "Mensuel de 1600,00 Euros ï¿½ 1800,00 Euros": "1_600–1_800~€ brut/mois",
    "Mensuel de 1923.00 Euros sur 12 mois": "1_923~€ brut/mois",
    # commentaire-only salaries
    "selon compétences": NOT_SPECIFIED,
    "A partir de 28 k€ brut annuel": "à partir de 2_333~€ brut/mois (annuel 28_000~€)",
}


def test_every_real_sample_salary_is_listed_and_displayed_as_expected() -> None:
    seen = 0
    for path in sorted(SAMPLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for raw in _salaries(data):
            salary = Salary.from_json(raw)
            if salary is None:
                continue  # "salaire": {} — nothing to show, parse_salary(None) covers it
            key = salary.label or salary.comment
            assert key in REAL_SAMPLES, f"{path.name}: new salary format {raw!r}"
            assert salary_display(salary) == fr(REAL_SAMPLES[key]), raw
            seen += 1
    assert seen >= 11


def test_real_sample_offers_parse_through_the_offer_model() -> None:
    data = json.loads((SAMPLES / "search_response_doc_example.json").read_text("utf-8"))
    offer = Offer.from_json(data["resultats"][0])
    assert offer is not None
    parsed = parse_salary(offer.salary)
    assert (parsed.monthly_min, parsed.monthly_max) == (1923, 1923)
    assert parsed.period is SalaryPeriod.MONTHLY and parsed.months_per_year == 12
    assert parsed.benefits == ("Véhicule de fonction", "Prime de vacances")


@pytest.mark.parametrize(
    ("label", "low", "high", "period", "months", "display"),
    [
        # The OpenAPI example and the template's variants seen on the live API.
        ("Mensuel de 1923.00 Euros sur 12 mois", 1923, 1923, "monthly", 12, "1_923~€ brut/mois"),
        (
            "Mensuel de 1800 Euros sur 13 mois",
            1800,
            1800,
            "monthly",
            13,
            "1_800~€ brut/mois sur 13 mois",
        ),
        (
            "Annuel de 26000 Euros sur 13 mois",
            2000,
            2000,
            "yearly",
            13,
            "2_000~€ brut/mois (annuel 26_000~€ sur 13 mois)",
        ),
        (
            "Annuel de 22800 Euros",
            1900,
            1900,
            "yearly",
            None,
            "1_900~€ brut/mois (annuel 22_800~€)",
        ),
        (
            "Horaire de 11.88 Euros à 13.00 Euros",
            1802,
            1972,
            "hourly",
            None,
            "1_802–1_972~€ brut/mois (11,88–13,00~€/h)",
        ),
        (
            "Mensuel de 1 600,00 Euros à 1 800,00 Euros sur 12 mois",
            1600,
            1800,
            "monthly",
            12,
            "1_600–1_800~€ brut/mois",
        ),
        (
            "Mensuel de 2500 Euros à 2000 Euros",
            2000,
            2500,
            "monthly",
            None,
            "2_000–2_500~€ brut/mois",
        ),
        (
            "Annuel de 38000.0 Euros à 45000.0 Euros sur 14.5 mois",
            2621,
            3103,
            "yearly",
            14.5,
            "2_621–3_103~€ brut/mois (annuel 38_000–45_000~€ sur 14,5 mois)",
        ),
        ("Mensuel de 1.600,00 Euros", 1600, 1600, "monthly", None, "1_600~€ brut/mois"),
        ("MENSUEL DE 1600 EUROS", 1600, 1600, "monthly", None, "1_600~€ brut/mois"),
    ],
)
def test_template_formats(
    label: str, low: int, high: int, period: str, months: float | None, display: str
) -> None:
    parsed = parse_salary_text(label)
    assert (parsed.monthly_min, parsed.monthly_max) == (low, high)
    assert parsed.period == period
    assert parsed.months_per_year == months
    assert parsed.display == fr(display)


def test_per_performance_pay_is_not_converted() -> None:
    parsed = parse_salary_text("Cachet de 150,00 Euros")
    assert parsed.period is SalaryPeriod.PER_PERFORMANCE
    assert parsed.monthly_min is None and parsed.amount_min == 150
    assert parsed.display == fr("150~€ brut par cachet")


@pytest.mark.parametrize(
    ("comment", "display"),
    [
        ("A partir de 28 k€ brut annuel", "à partir de 2_333~€ brut/mois (annuel 28_000~€)"),
        ("Entre 1800 et 2000 € brut mensuel", "1_800–2_000~€ brut/mois"),
        ("2000€ brut/mois", "2_000~€ brut/mois"),
        ("à partir de 1 800 € brut", "à partir de 1_800~€ brut/mois"),
        ("12 € de l'heure", "1_820~€ brut/mois (12,00~€/h)"),
        ("35 000 € brut par an", "2_917~€ brut/mois (annuel 35_000~€)"),
        ("Selon expérience", NOT_SPECIFIED),
        ("Selon profil", NOT_SPECIFIED),
        ("À négocier", NOT_SPECIFIED),
        ("SMIC", NOT_SPECIFIED),
        ("35h par semaine", NOT_SPECIFIED),
        ("jusqu'à 2000 €", NOT_SPECIFIED),
    ],
)
def test_free_comments(comment: str, display: str) -> None:
    assert salary_display(Salary(comment=comment)) == fr(display)


def test_template_wins_over_comment_and_comment_is_the_fallback() -> None:
    both = Salary(label="Mensuel de 1710,00 Euros sur 12 mois", comment="2500 € brut/mois")
    assert parse_salary(both).monthly_min == 1710
    assert not parse_salary(both).from_comment
    fallback = Salary(label="Autre", comment="2500 € brut/mois")
    assert parse_salary(fallback).monthly_min == 2500
    assert parse_salary(fallback).from_comment


def test_benefits_are_repaired_and_empty_ones_dropped() -> None:
    salary = Salary(
        comment="selon compétences",
        complement1="ChÃ¨que repas",
        complement2="Autre",
    )
    parsed = parse_salary(salary)
    assert parsed.benefits == ("Chèque repas",)
    assert parsed.display == NOT_SPECIFIED
    lost = parse_salary(Salary(comment="x", complement1="Ch\ufffdque", complement2="Mutuelle"))
    assert lost.benefits == ("Mutuelle",)


def test_mojibake_repair() -> None:
    assert repair_mojibake("Mensuel de 1600 Euros Ã  1800") == "Mensuel de 1600 Euros à 1800"
    assert repair_mojibake("Prime d'Ã©tÃ©") == "Prime d'été"
    assert repair_mojibake("de 1600 ï¿½ 1800") == "de 1600 1800"
    assert repair_mojibake("déjà bon") == "déjà bon"
    mojibake = parse_salary_text("Mensuel de 1600,00 Euros Ã  1800,00 Euros sur 12 mois")
    assert (mojibake.monthly_min, mojibake.monthly_max) == (1600, 1800)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Mensuel de",
        "Mensuel de -1500 Euros",
        "-1500 €",
        "Mensuel de 0 Euros",
        "Mensuel de 1e9 Euros",
        "1e9 €",
        "Annuel de 1000000000 Euros",
        "Mensuel de 999999999999999999999999999999 Euros",
        "Horaire de 0,01 Euros",
        "<script>alert(1)</script>",
        "<b>Mensuel</b>",
        "€€€€",
        "ï¿½ï¿½ï¿½",
        "\x00\x01\x02",
        "Mensuel de 1600 Euros" * 10_000,
        "9" * 5000,
        "beaucoup d'argent",
    ],
)
def test_hostile_input_gives_not_specified_and_never_raises(text: str) -> None:
    shown = salary_display(Salary(label=text, comment=text))
    assert shown == NOT_SPECIFIED or ("brut" in shown and "ï¿½" not in shown)
    if not text.startswith("Mensuel de 1600 Euros"):
        assert shown == NOT_SPECIFIED, text


def test_huge_repeated_template_is_cut_then_read_once() -> None:
    parsed = parse_salary_text("Mensuel de 1600 Euros" * 10_000)
    assert parsed.monthly_min == 1600


def test_html_around_an_amount_never_shows() -> None:
    shown = salary_display(Salary(comment="<b>2000 €</b> brut"))
    assert "<" not in shown and shown == fr("2_000~€ brut/mois")


def test_non_string_fields_and_none() -> None:
    assert parse_salary(None) == NormalisedSalary()
    assert salary_display(None) == NOT_SPECIFIED
    assert parse_salary_text(1600) == NormalisedSalary()  # type: ignore[arg-type]
    # A bare number is no template: the period is unknown, so it is not guessed.
    assert salary_display(Salary.from_json({"libelle": 1600})) == NOT_SPECIFIED
    assert salary_display(Salary.from_json({"libelle": ["Mensuel"], "commentaire": {}})) == (
        NOT_SPECIFIED
    )


def test_format_euros() -> None:
    assert format_euros(1600) == f"1{NN}600"
    assert format_euros(999) == "999"
    assert format_euros(1234567) == f"1{NN}234{NN}567"
    assert format_euros(12.06, decimals=2) == "12,06"
    assert format_salary(NormalisedSalary()) == NOT_SPECIFIED


def test_every_generated_emulator_salary_is_understood() -> None:
    generator = make_generator(load_referentials(), random.Random(14), set())
    periods: set[SalaryPeriod | None] = set()
    for i in range(400):
        raw = generator.salary(cadre=i % 3 == 0, full_time=i % 2 == 0)
        salary = Salary.from_json(raw)
        assert salary is not None
        parsed = parse_salary(salary)
        if salary.label:
            assert parsed.known and parsed.monthly_min is not None, raw
            assert parsed.monthly_min >= 1000
        else:
            assert parsed.display == NOT_SPECIFIED, raw
        periods.add(parsed.period)
    assert periods == {SalaryPeriod.MONTHLY, SalaryPeriod.YEARLY, SalaryPeriod.HOURLY, None}
