"""Saved alerts, the profile alert's settings and « pas intéressé » feedback in storage (issue 15),
on both backends: limits, scoping by person, many people at once, export and erasure."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from ft_client.alert_feedback import Feedback, Reason
from ft_client.alert_filters import AlertFilters
from ft_client.alert_schedule import Frequency, Schedule
from storage import Storage, UnknownUserError
from storage.feedback import MAX_FEEDBACK
from storage.saved_alerts import (
    MAX_SAVED_ALERTS,
    AlertCriteria,
    SavedAlert,
    TooManyAlertsError,
)
from tests import helpers_storage

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

backend = helpers_storage.backend
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage


def draft(user_id: int, label: str = "Serveur à Lyon") -> SavedAlert:
    return SavedAlert(
        user_id=user_id,
        alert_no=0,
        label=label,
        criteria=AlertCriteria(
            rome_codes=("G1803",),
            keywords="brasserie",
            commune_code="69123",
            place_label="Lyon",
            radius_km=20,
            contract_types=("CDI",),
            part_time=False,
        ),
        schedule=Schedule(Frequency.WEEKLY, time(7, 30), weekday=2),
        filters=AlertFilters(min_salary=1800, excluded_words=("nuit",)),
    )


async def test_saved_alerts_are_numbered_limited_and_scoped(storage: Storage) -> None:
    with pytest.raises(UnknownUserError):
        await storage.add_saved_alert(draft(7))
    await storage.upsert_user(7, 7, "Léa", "fr")
    await storage.upsert_user(8, 8, "Tom", "fr")
    first = await storage.add_saved_alert(draft(7), at=NOW)
    assert first.alert_no == 1
    assert await storage.get_saved_alert(7, 1) == first
    for index in range(MAX_SAVED_ALERTS - 1):
        await storage.add_saved_alert(draft(7, f"Alerte {index}"))
    with pytest.raises(TooManyAlertsError):
        await storage.add_saved_alert(draft(7, "Une de trop"))
    assert [a.alert_no for a in await storage.list_saved_alerts(7)] == [1, 2, 3, 4]
    other = await storage.add_saved_alert(draft(8, "<b>Tom</b>"))
    assert other.alert_no == 1 and other.label == "<b>Tom</b>"

    # Another person's number reaches nothing of theirs.
    assert await storage.get_saved_alert(8, 2) is None
    assert await storage.modify_saved_alert(8, 2, lambda a: a.replace(label="x")) is None
    assert not await storage.delete_saved_alert(8, 3)
    assert (await storage.get_saved_alert(7, 3)).label == "Alerte 1"

    paused = await storage.modify_saved_alert(
        7,
        1,
        lambda a: a.replace(
            schedule=Schedule(Frequency.DAILY, time(9, 0), paused_until=date(2026, 12, 24))
        ),
    )
    assert paused is not None
    assert await storage.get_saved_alert(7, 1) == paused
    await storage.mark_saved_alerts_served(7, [1], NOW, {1: first.criteria.canonical()})
    served = await storage.get_saved_alert(7, 1)
    assert served.last_served_at == NOW and served.served_criteria == first.criteria.canonical()

    assert await storage.delete_saved_alert(7, 4)
    assert (await storage.add_saved_alert(draft(7))).alert_no == 4
    many = await storage.saved_alerts_of([7, 8, 9])
    assert sorted(many) == [7, 8] and len(many[7]) == 4 and many[8] == [other]


async def test_profile_alert_settings(storage: Storage) -> None:
    await storage.upsert_user(7, 7, "Léa", "fr")
    assert (await storage.get_profile_alert_settings(7)).filters == AlertFilters()
    await storage.modify_profile_alert_settings(
        7,
        lambda s: s.replace(filters=AlertFilters(remote_only=True), paused_until=date(2027, 1, 2)),
    )
    settings = (await storage.profile_alert_settings_of([7, 8]))[7]
    assert settings.filters.remote_only and settings.paused_until == date(2027, 1, 2)
    assert list(await storage.profile_alert_settings_of([7, 8])) == [7]


async def test_feedback_hides_and_reasons_are_reversible(storage: Storage) -> None:
    await storage.upsert_user(7, 7, "Léa", "fr")
    await storage.upsert_user(8, 8, "Tom", "fr")
    await storage.add_feedback(
        7, Feedback("A1", Reason.COMPANY, company="ACME", salary_monthly=1700), at=NOW
    )
    await storage.hide_offers(7, ["B2", "A1", "B2"])
    await storage.hide_offers(8, ["C3"])
    assert await storage.hidden_offers_of([7, 8, 9]) == {
        7: frozenset({"A1", "B2"}),
        8: frozenset({"C3"}),
    }
    rows = {f.offer_id: f for f in await storage.list_feedback(7)}
    assert rows["A1"].reason is Reason.COMPANY and rows["A1"].company == "ACME"
    assert rows["B2"].reason is None
    assert await storage.set_feedback_reason(7, "A1", None)  # « annuler »
    assert not await storage.set_feedback_reason(8, "A1", Reason.JOB)  # not theirs
    cleared = {f.offer_id: f for f in (await storage.feedback_of([7]))[7]}
    assert cleared["A1"].reason is None and cleared["A1"].company == "ACME"
    assert "A1" in (await storage.hidden_offers_of([7]))[7]


async def test_feedback_is_bounded(storage: Storage) -> None:
    await storage.upsert_user(7, 7, "Léa", "fr")
    await storage.add_feedback(7, Feedback("KEEP", Reason.SALARY, salary_monthly=1500), at=NOW)
    await storage.hide_offers(7, [f"X{i}" for i in range(MAX_FEEDBACK + 5)])
    hidden = (await storage.hidden_offers_of([7]))[7]
    assert len(hidden) == MAX_FEEDBACK and "KEEP" in hidden


async def test_export_and_erase_cover_alerts_and_feedback(storage: Storage) -> None:
    for uid in (7, 8):
        await storage.upsert_user(uid, uid, "Léa", "fr")
        await storage.add_saved_alert(draft(uid))
        await storage.modify_profile_alert_settings(
            uid, lambda s: s.replace(filters=AlertFilters(min_salary=2000))
        )
        await storage.add_feedback(uid, Feedback("A1", Reason.TOO_FAR, distance_km=30.0))
    export = await storage.export_user(7)
    assert export["saved_alerts"][0]["label"] == "Serveur à Lyon"
    assert export["saved_alerts"][0]["criteria"]["rome_codes"] == ["G1803"]
    assert export["saved_alerts"][0]["schedule"]["frequency"] == "weekly"
    assert export["saved_alerts"][0]["filters"]["min_salary"] == 1800
    assert export["profile_alert_settings"]["filters"]["min_salary"] == 2000
    assert export["not_interested"][0]["reason"] == "trop_loin"
    deleted = await storage.delete_user(7)
    assert deleted["saved_alerts"] == 1
    assert deleted["profile_alert_settings"] == 1
    assert deleted["offer_feedback"] == 1
    assert await storage.list_saved_alerts(7) == []
    assert await storage.list_feedback(7) == []
    assert await storage.profile_alert_settings_of([7]) == {}
    # The other person's rows stay.
    assert len(await storage.list_saved_alerts(8)) == 1
    assert len(await storage.list_feedback(8)) == 1
