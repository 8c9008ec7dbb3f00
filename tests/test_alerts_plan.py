"""Pure planning of an alert cycle (bot/alerts.py): grouping, windows, backoff, callback data."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot import alerts
from ft_client import OfferQuery
from ft_client.models import Offer
from ft_client.referential import Referential
from storage import Profile, TargetJob

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


def profile(user_id: int, *codes: str, place: str | None = "75056", **kw: object) -> Profile:
    jobs = tuple(TargetJob(code, f"Métier {code}") for code in codes)
    return Profile(user_id=user_id, target_jobs=jobs, place_code=place, **kw)  # type: ignore[arg-type]


def test_identical_criteria_share_one_query(ref: Referential) -> None:
    profiles = [
        profile(1, "G1803", "G1603", contract_types=("CDI", "CDD")),
        # Same jobs in another order, same contracts in another order: same query.
        profile(2, "G1603", "G1803", contract_types=("CDD", "CDI")),
        profile(3, "G1803", "G1603", contract_types=("CDI", "CDD"), radius_km=30),
        profile(4, "J1501", place="69123"),
    ]
    groups, skipped = alerts.plan_groups(profiles, ref, NOW, lookback_days=3)
    assert not skipped
    assert len(groups) == 3
    by_users = {tuple(sorted(u.profile.user_id for u in g.users)): g for g in groups}
    shared = by_users[(1, 2)].key
    assert shared.rome_codes == ("G1603", "G1803")
    assert shared.contract_types == ("CDD", "CDI")
    assert shared.commune == "75056" and shared.distance_km == 10
    assert shared.sort == 1
    assert by_users[(3,)].key.distance_km == 30
    # The key carries no dates: the same criteria group together whatever the windows.
    assert shared.created_after is None and shared.created_before is None


def test_arrondissements_query_the_whole_city(ref: Referential) -> None:
    paris15 = profile(1, "G1803", place="75115")
    paris = profile(2, "G1803", place="75056")
    lyon3 = profile(3, "G1803", place="69383")
    groups, _ = alerts.plan_groups([paris15, paris, lyon3], ref, NOW, 3)
    communes = sorted(g.key.commune for g in groups)
    assert communes == ["69123", "75056"]
    assert len(groups) == 2


def test_no_place_means_no_commune_filter(ref: Referential) -> None:
    groups, _ = alerts.plan_groups([profile(1, "G1803", place=None)], ref, NOW, 3)
    assert groups[0].key.commune is None and groups[0].key.distance_km is None


def test_profiles_without_jobs_or_with_unknown_place_are_skipped(ref: Referential) -> None:
    no_job = profile(1)
    unknown_place = profile(2, "G1803", place="99999")
    ok = profile(3, "G1803")
    groups, skipped = alerts.plan_groups([no_job, unknown_place, ok], ref, NOW, 3)
    assert [p.user_id for p in skipped] == [1, 2]
    assert [u.profile.user_id for g in groups for u in g.users] == [3]


def test_window_starts_at_last_digest_bounded_by_lookback() -> None:
    assert alerts.window_start(None, NOW, 3) == NOW - timedelta(days=3)
    yesterday = NOW - timedelta(days=1)
    assert alerts.window_start(yesterday, NOW, 3) == yesterday
    long_ago = NOW - timedelta(days=30)
    assert alerts.window_start(long_ago, NOW, 3) == NOW - timedelta(days=3)


def test_group_query_spans_the_oldest_member_window(ref: Referential) -> None:
    recent = profile(1, "G1803", last_alert_at=NOW - timedelta(days=1))
    older = profile(2, "G1803", last_alert_at=NOW - timedelta(days=2))
    never = profile(3, "G1803", place="69123")
    groups, _ = alerts.plan_groups([recent, older, never], ref, NOW, 3)
    paris = next(g for g in groups if g.key.commune == "75056")
    query = paris.query(NOW)
    assert query.created_after == NOW - timedelta(days=2)
    assert query.created_before == NOW
    assert "minCreationDate" in query.to_params() and "maxCreationDate" in query.to_params()
    lyon = next(g for g in groups if g.key.commune == "69123")
    assert lyon.query(NOW).created_after == NOW - timedelta(days=3)


def test_offers_in_window_keeps_each_users_own_window() -> None:
    def offer(oid: str, created: datetime | None) -> Offer:
        data = {"id": oid, "intitule": "x"}
        if created:
            data["dateCreation"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
        parsed = Offer.from_json(data)
        assert parsed is not None
        return parsed

    offers = [
        offer("OLD0001", NOW - timedelta(days=2)),
        offer("NEW0001", NOW - timedelta(hours=1)),
        offer("FUT0001", NOW + timedelta(minutes=1)),
        offer("NOD0001", None),
    ]
    kept = alerts.offers_in_window(offers, NOW - timedelta(days=1), NOW)
    assert [o.id for o in kept] == ["NEW0001", "NOD0001"]


def test_backoff_doubles_and_clears() -> None:
    state = alerts.AlertState()
    key = OfferQuery(rome_codes=("G1803",))
    tick = timedelta(seconds=60)
    assert not state.deferred(key, NOW)
    first = state.failed(key, NOW, tick)
    assert first.retry_at == NOW + tick
    assert state.deferred(key, NOW + timedelta(seconds=30))
    assert not state.deferred(key, NOW + tick)
    second = state.failed(key, NOW + tick, tick)
    assert second.retry_at == NOW + tick + 2 * tick
    for _ in range(20):
        last = state.failed(key, NOW, tick)
    assert last.retry_at - NOW == alerts.MAX_BACKOFF
    # A clock moved backwards never blocks a query.
    assert not state.deferred(key, NOW - timedelta(hours=1))
    state.succeeded(key)
    assert not state.deferred(key, NOW)


def test_more_button_data_round_trip_and_rejects_forgeries() -> None:
    start, end = NOW - timedelta(days=1, seconds=7), NOW
    data = alerts.encode_more(start, end)
    assert len(data.encode()) <= 64
    decoded = alerts.decode_more(data)
    assert decoded is not None
    assert decoded[0] == start.replace(microsecond=0) and decoded[1] == end
    assert alerts.decode_more(alerts.encode_more(end, start)) is None  # empty window
    for forged in ("", "v1|am|zz", "v1|am|1|2|3", "v9|am|1|2", "v1|am|<b>|2", None, 42, "x" * 100):
        assert alerts.decode_more(forged) is None


def test_more_keyboard_only_when_there_is_more() -> None:
    assert alerts.more_keyboard(0, NOW - timedelta(days=1), NOW) is None
    markup = alerts.more_keyboard(12, NOW - timedelta(days=1), NOW)
    assert markup is not None
    button = markup.inline_keyboard[0][0]
    assert button.text == "Voir les 12 autres offres"
    assert alerts.decode_more(button.callback_data) is not None


def test_report_summary_has_counts_only() -> None:
    report = alerts.AlertCycleReport(started_at=NOW, users_due=3, messages_sent=2)
    line = report.summary()
    assert "users_due=3" in line and "messages_sent=2" in line
    record = alerts.alert_run_record(report, NOW + timedelta(seconds=1))
    assert record.users_due == 3 and record.outcome == "ok"
    report.failures = 1
    report.users_served = 2
    assert alerts.alert_run_record(report, NOW).outcome == "partial"
    failed = alerts.AlertCycleReport(started_at=NOW, users_due=2, failures=2)
    assert alerts.alert_run_record(failed, NOW).outcome == "failed"


def test_alert_time_field_is_irrelevant_to_grouping(ref: Referential) -> None:
    a = profile(1, "G1803", alert_time=time(7, 0))
    b = profile(2, "G1803", alert_time=time(18, 0))
    groups, _ = alerts.plan_groups([a, b], ref, NOW, 3)
    assert len(groups) == 1


def test_query_sets_coalesce_jobs_and_contracts_but_not_place_or_radius(ref: Referential) -> None:
    profiles = [
        profile(1, "G1803"),
        profile(2, "G1803", contract_types=("CDI",)),
        profile(3, "J1501", "K2204"),
        profile(4, "J1501", radius_km=30),  # another radius: another query
        profile(5, "J1501", place="69123"),  # another town: another query
        profile(6, "G1803", last_alert_at=NOW - timedelta(days=1)),
    ]
    groups, _ = alerts.plan_groups(profiles, ref, NOW, 3)
    sets = alerts.plan_query_sets(groups)
    assert len(groups) == 5 and len(sets) == 3
    paris10 = next(s for s in sets if s.base.commune == "75056" and s.base.distance_km == 10)
    assert paris10.users == 4
    query = paris10.query(NOW)
    assert query.rome_codes == ("G1803", "J1501", "K2204")
    assert query.contract_types == ()
    assert query.created_after == NOW - timedelta(days=3)  # the oldest window of the set
    # Largest set first.
    assert sets[0] is paris10


def test_query_sets_respect_the_code_limit(ref: Referential) -> None:
    codes = [job.code for job in list(ref.jobs())[:12]]
    profiles = [profile(i + 1, code) for i, code in enumerate(codes)]
    groups, _ = alerts.plan_groups(profiles, ref, NOW, 3)
    sets = alerts.plan_query_sets(groups, max_codes=5)
    assert sorted(len(s.rome_codes) for s in sets) == [2, 5, 5]
    assert sorted(c for s in sets for c in s.rome_codes) == sorted(codes)


def test_offers_for_group_filters_codes_and_contracts_exactly() -> None:
    def offer(oid: str, rome: str | None, contract: str | None) -> Offer:
        parsed = Offer.from_json(
            {"id": oid, "intitule": "x", "romeCode": rome, "typeContrat": contract}
        )
        assert parsed is not None
        return parsed

    offers = [
        offer("A", "G1803", "CDI"),
        offer("B", "G1803", "CDD"),
        offer("C", "J1501", "CDI"),
        offer("D", None, "CDI"),
        offer("E", "G1803", None),
    ]
    key = OfferQuery(rome_codes=("G1803",), contract_types=("CDI",))
    assert [o.id for o in alerts.offers_for_group(offers, key)] == ["A"]
    any_contract = OfferQuery(rome_codes=("G1803", "J1501"))
    assert [o.id for o in alerts.offers_for_group(offers, any_contract)] == ["A", "B", "C", "E"]


def test_query_sets_start_with_the_largest_then_alternate(ref: Referential) -> None:
    towns = ["75056", "69123", "13055", "31555"]
    profiles = []
    user_id = 0
    for size, town in zip((4, 3, 2, 1), towns, strict=True):
        for _ in range(size):
            user_id += 1
            profiles.append(profile(user_id, "G1803", place=town))
    groups, _ = alerts.plan_groups(profiles, ref, NOW, 3)
    sets = alerts.plan_query_sets(groups)
    assert [s.users for s in sets] == [4, 1, 3, 2]


def test_cycle_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    with alerts.cycle_lock(db) as first:
        assert first
        with alerts.cycle_lock(db) as second:
            assert not second  # another holder (e.g. a cron run) is refused at once
    with alerts.cycle_lock(db) as again:
        assert again
    with alerts.cycle_lock(":memory:") as memory:
        assert memory
    locked_out = alerts.AlertCycleReport(started_at=NOW, locked_out=True)
    assert "another process" in locked_out.summary()
