"""Pure alert logic (issue 15): typed filters, applying them, feedback effects, schedules, merge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ft_client.alert_feedback import Adjustments, Feedback, Reason, adjust, effects, feedback_for
from ft_client.alert_filters import (
    MAX_WORD_CHARS,
    MAX_WORDS,
    AlertFilters,
    DropReason,
    FilterInputError,
    apply_filters,
    parse_min_salary,
    parse_word_list,
)
from ft_client.alert_schedule import Frequency, Schedule, is_due, merge_digests, window_start
from ft_client.models import Offer

PARIS = ZoneInfo("Europe/Paris")


def offer(offer_id: str, **fields: Any) -> Offer:
    data: dict[str, Any] = {
        "id": offer_id,
        "intitule": fields.pop("title", "Serveur en salle"),
        "entreprise": {"nom": fields.pop("company", "Brasserie du Port")},
        "typeContrat": fields.pop("contract", "CDI"),
        "romeCode": fields.pop("rome", "G1803"),
        "experienceExige": fields.pop("experience", "D"),
        "dureeTravailLibelleConverti": fields.pop("working", "Temps plein"),
        "description": fields.pop("description", "Service du midi."),
    }
    salary = fields.pop("salary", "Mensuel de 1800.00 Euros sur 12 mois")
    if salary is not None:
        data["salaire"] = {"libelle": salary}
    licence = fields.pop("licence", None)
    if licence:
        data["permis"] = [{"libelle": licence, "exigence": "E"}]
    assert not fields
    return Offer.from_json(data)


@dataclass(frozen=True, slots=True)
class Ranked:
    offer: Offer
    score: float
    distance_km: float | None = None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1800", 1800),
        ("1 800 €", 1800),
        ("1\u202f800 euros", 1800),
        ("1.800", 1800),
        ("1800,50", 1800),
        ("25k", 2083),
        ("30000", 2500),
        ("0", None),
        ("aucun", None),
    ],
)
def test_salary_input_is_read_as_monthly_euros(typed: str, expected: int | None) -> None:
    assert parse_min_salary(typed) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("-5", "négatif"),
        ("1e9", "pas compris"),
        ("abc", "pas compris"),
        ("50", "entre 100"),
        ("999999999", "entre 100"),
        ("9" * 5000, "montant"),
        ("<b>1800</b>", "pas compris"),
    ],
)
def test_bad_salary_input_is_refused_in_french(typed: str, says: str) -> None:
    with pytest.raises(FilterInputError) as refused:
        parse_min_salary(typed)
    assert says in refused.value.message


def test_word_lists_have_limits() -> None:
    assert parse_word_list("stage, Alternance ;nuit\nstage") == ("stage", "Alternance", "nuit")
    assert parse_word_list("aucun") == ()
    with pytest.raises(FilterInputError, match=f"Au plus {MAX_WORDS}"):
        parse_word_list(", ".join(f"mot{i}" for i in range(200)))
    with pytest.raises(FilterInputError, match=f"{MAX_WORD_CHARS} caractères"):
        parse_word_list("x" * 5000)
    with pytest.raises(FilterInputError, match=f"{MAX_WORD_CHARS} caractères"):
        parse_word_list("ok, " + "y" * (MAX_WORD_CHARS + 1))
    with pytest.raises(FilterInputError):
        parse_word_list(" , ;")
    with pytest.raises(ValueError):
        AlertFilters(excluded_words=tuple(f"w{i}" for i in range(MAX_WORDS + 1)))
    with pytest.raises(ValueError):
        AlertFilters(min_salary=-5)


def test_each_filter_drops_with_its_reason() -> None:
    offers = {
        "low": offer("LOW", salary="Mensuel de 1500.00 Euros sur 12 mois"),
        "none": offer("NONE", salary=None),
        "word": offer("WORD", title="Serveur de nuit", salary="Mensuel de 2500 Euros"),
        "company": offer("COMP", company="Mauvais Patron SA", salary="Mensuel de 2500 Euros"),
        "ok": offer("OK", salary="Mensuel de 2500.00 Euros", description="Télétravail partiel"),
    }
    filters = AlertFilters(
        min_salary=2000,
        keep_unsalaried=False,
        excluded_words=("NUIT",),
        excluded_companies=("mauvais patron sa",),
    )
    outcome = apply_filters(list(offers.values()), filters)
    assert [o.id for o in outcome.kept] == ["OK"]
    reasons = {item.id: reason for item, reason in outcome.dropped}
    assert reasons == {
        "LOW": DropReason.SALARY_TOO_LOW,
        "NONE": DropReason.SALARY_UNKNOWN,
        "WORD": DropReason.EXCLUDED_WORD,
        "COMP": DropReason.EXCLUDED_COMPANY,
    }
    assert outcome.counts()[DropReason.SALARY_TOO_LOW] == 1
    # Offers without a salary pass when the person keeps them.
    kept = apply_filters([offers["none"]], AlertFilters(min_salary=2000)).kept
    assert [o.id for o in kept] == ["NONE"]
    # A word matches whole words only: « stage » does not exclude « stagiaire ».
    assert apply_filters(
        [offer("S", title="Stagiaire")], AlertFilters(excluded_words=("stage",))
    ).kept

    more = [
        offer("OFFICE", description="Sur site uniquement"),
        offer("HOME", description="Télétravail possible", experience="E"),
        offer("CDD", contract="CDD", description="Télétravail"),
        offer("PART", working="Temps partiel", description="Télétravail"),
        offer("TRUCK", licence="C - Poids lourd", description="Télétravail"),
    ]
    assert {o.id: r for o, r in apply_filters(more, AlertFilters(remote_only=True)).dropped} == {
        "OFFICE": DropReason.NOT_REMOTE
    }
    beginners = apply_filters(more, AlertFilters(beginners_only=True)).dropped
    assert [(o.id, r) for o, r in beginners] == [("HOME", DropReason.NOT_FOR_BEGINNERS)]
    contracts = apply_filters(more, AlertFilters(contract_types=("CDI",))).dropped
    assert [(o.id, r) for o, r in contracts] == [("CDD", DropReason.CONTRACT)]
    full_time = apply_filters(more, AlertFilters(working_time="temps_plein")).dropped
    assert [(o.id, r) for o, r in full_time] == [("PART", DropReason.WORKING_TIME)]
    licences = apply_filters(more, AlertFilters(licences_held=("B",))).dropped
    assert [(o.id, r) for o, r in licences] == [("TRUCK", DropReason.LICENCE)]
    assert not apply_filters(more, AlertFilters(licences_held=("CE",))).dropped


def test_filters_survive_json_and_ignore_garbage() -> None:
    filters = AlertFilters(min_salary=1800, excluded_words=("nuit",), working_time="temps_plein")
    assert AlertFilters.from_json(filters.to_json()) == filters
    assert AlertFilters.from_json({"min_salary": "1800", "remote_only": 1}) == AlertFilters()
    assert AlertFilters.from_json({"min_salary": -5}) == AlertFilters()
    assert AlertFilters.from_json(None) == AlertFilters()


def test_feedback_changes_the_ranking_reversibly() -> None:
    near = Ranked(offer("NEAR", company="A"), 0.9, distance_km=3.0)
    far = Ranked(offer("FAR", company="B"), 0.8, distance_km=25.0)
    other_job = Ranked(offer("JOB", rome="K2204", company="C"), 0.95, distance_km=2.0)
    cheap = Ranked(offer("CHEAP", salary="Mensuel de 1500 Euros", company="D"), 0.7, 1.0)
    cdd = Ranked(offer("CDD", contract="CDD", company="E"), 0.6, 1.0)
    ranked = [other_job, near, far, cheap, cdd]
    assert adjust(ranked, []) == ranked

    hidden_far = feedback_for(far.offer, Reason.TOO_FAR, distance_km=20.0)
    by_reason = [
        Feedback("X1", Reason.COMPANY, company="a"),
        hidden_far,
        Feedback("OLDJOB", Reason.JOB, rome_code="K2204"),
        feedback_for(cheap.offer, Reason.SALARY),
        feedback_for(cdd.offer, Reason.CONTRACT),
    ]
    kept = adjust(ranked, by_reason)
    # A: company excluded; FAR: hidden (and beyond 16 km); CHEAP: salary floor; CDD: contract.
    assert [r.offer.id for r in kept] == ["JOB"]
    assert kept[0].score == pytest.approx(0.95 * 0.6)
    # « trop loin » alone lowers the radius to 80 % of that offer's distance.
    rules = Adjustments.of([Feedback("OLD", Reason.TOO_FAR, distance_km=20.0)])
    assert rules.max_distance_km == 16.0
    assert [
        r.offer.id for r in adjust(ranked, [Feedback("OLD", Reason.TOO_FAR, distance_km=20.0)])
    ] == [
        "JOB",
        "NEAR",
        "CHEAP",
        "CDD",
    ]
    # « métier » demotes below an offer it used to beat.
    demoted = adjust([other_job, near], [Feedback("OLD", Reason.JOB, rome_code="K2204")])
    assert [r.offer.id for r in demoted] == ["NEAR", "JOB"]
    # Cancelling (the reason cleared) keeps the offer hidden and removes the effect.
    cancelled = [Feedback("X1", None, company="a")]
    assert [r.offer.id for r in adjust(ranked, cancelled)] == [r.offer.id for r in ranked]
    assert [e.kind for e in effects(by_reason)] == [
        Reason.COMPANY,
        Reason.TOO_FAR,
        Reason.JOB,
        Reason.SALARY,
        Reason.CONTRACT,
    ]
    assert effects(cancelled) == []


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)  # 2026-12-07 is a Monday


def test_schedules() -> None:
    daily = Schedule(at=time(8, 0))
    assert not is_due(daily, at(7, 7, 59), None)
    assert is_due(daily, at(7, 8, 0), None)
    assert not is_due(daily, at(7, 9), at(7, 8, 1))  # served today already
    assert is_due(daily, at(8, 9), at(7, 8, 1))
    weekdays = Schedule(Frequency.WEEKDAYS, time(8, 0))
    assert is_due(weekdays, at(11, 9), None) and not is_due(weekdays, at(12, 9), None)
    weekly = Schedule(Frequency.WEEKLY, time(8, 0), weekday=2)  # Wednesdays
    assert [d for d in range(7, 14) if is_due(weekly, at(d, 9), None)] == [9]
    paused = Schedule(at=time(8, 0), paused_until=date(2026, 12, 9))
    assert not is_due(paused, at(9, 9), None) and is_due(paused, at(10, 9), None)
    quiet = Schedule(at=time(8, 0), quiet_days=frozenset({5, 6}))
    assert quiet.days == frozenset(range(5))
    assert not is_due(Schedule(enabled=False), at(7, 9), None)
    assert Schedule.from_days(frozenset({3}), time(7, 0)).frequency is Frequency.WEEKLY
    assert Schedule.from_days(frozenset(range(5)), time(7, 0)).frequency is Frequency.WEEKDAYS
    with pytest.raises(ValueError):
        Schedule(weekday=7)


def test_window_looks_back_again_after_a_change() -> None:
    now = datetime(2026, 12, 7, 8, tzinfo=UTC)
    last = datetime(2026, 12, 6, 8, tzinfo=UTC)
    assert window_start(now, last, "a", "a", 7) == last
    assert window_start(now, last, "a", "b", 7) == datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert window_start(now, None, None, "a", 7) == datetime(2026, 11, 30, 8, tzinfo=UTC)


def test_merge_digests_never_repeats_an_offer() -> None:
    a, b, c = (Ranked(offer(i), 0.5) for i in ("A", "B", "C"))
    merged = merge_digests([("job", [a, b]), ("search", [b, c]), ("empty", [a])])
    assert [(s.alert, [r.offer.id for r in s.offers]) for s in merged] == [
        ("job", ["A", "B"]),
        ("search", ["C"]),
    ]
