"""The sweep of new offers against the France Travail emulator: each offer once, within
1.2 × ⌈N/150⌉ + partitions calls (counted by the emulator), split by département then by time,
nothing lost between two sweeps, faults retried."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ft_client import FranceTravailClient
from ft_client.models import Offer
from ft_client.sweep import InMemoryOfferSink, OfferSweep, SweepIncomplete, SweepReport
from ft_client.sweep_plan import (
    MAX_DEPARTEMENTS_PER_QUERY,
    Partition,
    departement_weights,
    group_departements,
)
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from sandbox.france_travail.formats import parse_ft_datetime

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
OVERLAP = timedelta(minutes=10)


@pytest.fixture
async def emu() -> AsyncIterator[FranceTravailEmulator]:
    config = EmulatorConfig(
        offer_count=200,  # older offers, outside every window below
        now=T0,
        new_offers_per_hour=1500,
        rate_limits={"offres": math.inf},
        timeout_fault_seconds=5.0,
        retry_after=1,
    )
    async with FranceTravailEmulator(config) as emulator:
        yield emulator


def _client(emu: FranceTravailEmulator, **options: Any) -> FranceTravailClient:
    settings: dict[str, Any] = {
        "rate_limits": {"offres": 1000.0},
        # Under the 5 s timeout fault, above what a loaded machine takes to answer a page.
        "timeout": 3.0,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
        **options,
    }
    return FranceTravailClient(
        emu.client_id,
        emu.client_secret,
        api_base_url=emu.base_url,
        token_url=emu.token_url,
        **settings,
    )


def _ids_created_in(emu: FranceTravailEmulator, start: datetime, end: datetime) -> set[str]:
    ids = set()
    for offer in emu.offers:
        created = parse_ft_datetime(offer["dateCreation"])
        if created is not None and start <= created <= end:
            ids.add(offer["id"])
    return ids


def _search_calls(emu: FranceTravailEmulator) -> int:
    return emu.stats.calls["offres_search"]


def _assert_within_budget(emu: FranceTravailEmulator, report: SweepReport, extra: int = 0) -> None:
    calls = _search_calls(emu)
    assert calls == report.calls
    assert calls <= 1.2 * math.ceil(report.offers / 150) + report.partitions + extra, (
        report.summary()
    )


async def _sweep(
    emu: FranceTravailEmulator, sink: InMemoryOfferSink, **options: Any
) -> SweepReport:
    async with _client(emu) as client:
        sweep = OfferSweep(
            client, sink, overlap=OVERLAP, page_retry_pause=0.01, clock=emu.now, **options
        )
        return await sweep.run()


async def test_a_busy_morning_is_fetched_once_within_the_call_budget(
    emu: FranceTravailEmulator,
) -> None:
    sink = InMemoryOfferSink()
    await sink.set_high_water_mark(T0)
    published = emu.advance_clock(timedelta(hours=6))  # 9 000 offers: more than one query holds
    assert len(published) == 9000
    report = await _sweep(emu, sink)
    expected = _ids_created_in(emu, T0 - OVERLAP, emu.now())
    assert set(sink.offers) == expected
    assert sink.upserts == len(expected)  # no offer handed over twice
    assert report.offers == report.new_offers == 9000
    assert report.national_total == 9000 and report.splits >= 1
    _assert_within_budget(emu, report)
    # grouped départements: far fewer queries than one per département
    assert report.partitions < 40
    assert emu.stats.responses[("offres_search", 400)] == 0  # never past the reachable results
    assert report.high_water_mark == emu.now() == await sink.high_water_mark()


async def test_a_quiet_quarter_of_an_hour_is_one_query(emu: FranceTravailEmulator) -> None:
    sink = InMemoryOfferSink()
    await sink.set_high_water_mark(T0)
    emu.advance_clock(timedelta(minutes=15))  # 375 offers: the whole country in one partition
    report = await _sweep(emu, sink)
    assert report.offers == 375 and report.partitions == 1 and report.splits == 0
    assert _search_calls(emu) == math.ceil(375 / 150)


async def test_a_departement_over_the_reachable_results_is_split_by_time(
    emu: FranceTravailEmulator,
) -> None:
    sink = InMemoryOfferSink()
    await sink.set_high_water_mark(T0)
    emu.advance_clock(timedelta(hours=1))
    end = emu.now()
    emu.publish_offers(4000, since=T0, until=end, departement="33")  # Gironde, one hiring fair
    report = await _sweep(emu, sink)
    expected = _ids_created_in(emu, T0 - OVERLAP, end)
    assert set(sink.offers) == expected and sink.upserts == len(expected)
    assert report.offers == 5500
    gironde = {label: n for label, n in report.partition_totals.items() if label.startswith("33 ")}
    whole_window = [n for label, n in gironde.items() if label.endswith(f"..{end:%H:%M:%S}")]
    assert max(gironde.values()) > 3150  # the département alone was still too large…
    assert len(gironde) >= 3 and min(gironde.values()) <= 3150  # …so its window was halved
    assert whole_window and report.unreachable == 0
    _assert_within_budget(emu, report)
    assert emu.stats.responses[("offres_search", 400)] == 0


async def test_offers_published_during_a_sweep_are_caught_by_the_next(
    emu: FranceTravailEmulator,
) -> None:
    sink = InMemoryOfferSink()
    await sink.set_high_water_mark(T0)
    emu.advance_clock(timedelta(hours=3))
    first_end = emu.now()
    first = asyncio.create_task(_sweep(emu, sink))
    async with asyncio.timeout(30):
        await emu.wait_until(lambda stats: stats.calls["offres_search"] >= 5)
    # while it runs: a quarter of an hour goes by, and 30 offers dated just before the
    # sweep's end are indexed late (inside its window, maybe in partitions already done)
    during = emu.advance_clock(timedelta(minutes=15))
    late = emu.publish_offers(30, since=first_end - timedelta(minutes=3), until=first_end)
    first_report = await first
    assert first_report.high_water_mark == first_end
    assert not {o["id"] for o in during} & set(sink.offers)  # after its window
    second_report = await _sweep(emu, sink)
    everything = _ids_created_in(emu, T0 - OVERLAP, emu.now())
    assert set(sink.offers) == everything  # nothing lost
    assert {o["id"] for o in during + late} <= set(sink.offers)
    # each sweep fetched each offer once; only the overlap was handed over twice
    assert first_report.new_offers + second_report.new_offers == len(everything)
    assert second_report.new_offers == len(everything) - first_report.offers
    overlap_ids = _ids_created_in(emu, first_end - OVERLAP, first_end)
    assert sink.upserts - len(sink.offers) <= len(overlap_ids)


async def test_offers_indexed_late_inside_a_window_push_none_out_of_reach(
    emu: FranceTravailEmulator,
) -> None:
    sink = InMemoryOfferSink()
    await sink.set_high_water_mark(T0 + OVERLAP)
    on_time = emu.advance_clock(timedelta(minutes=24))  # 600 offers: pages 0, 150, 300 and 450
    end = emu.now()

    async def index_late() -> None:
        await emu.wait_until(lambda stats: stats.calls["offres_search"] >= 2)
        # newest first: these 40 push the 40 oldest past the pages planned from the probe
        emu.publish_offers(40, since=end - timedelta(minutes=1), until=end)

    late = asyncio.create_task(index_late())
    async with asyncio.timeout(30):
        report = await _sweep(emu, sink, concurrency=1)
        await late
    # the oldest were fetched by a fifth page; the late ones, above pages already read, are
    # left to the next sweep's overlap
    assert {o["id"] for o in on_time} <= set(sink.offers)
    assert report.calls == 5
    emu.advance_clock(timedelta(minutes=1))
    await _sweep(emu, sink)
    assert set(sink.offers) == _ids_created_in(emu, T0, emu.now())


async def test_faults_are_retried_without_loss(emu: FranceTravailEmulator) -> None:
    sink = InMemoryOfferSink()
    await sink.set_high_water_mark(T0)
    emu.advance_clock(timedelta(hours=3))
    emu.faults.fail_next(2, 500, "offres_search")
    emu.faults.fail_next(1, 429, "offres_search")
    emu.faults.fail_next(1, "timeout", "offres_search")
    emu.faults.fail_next(1, 503, "offres_search")
    report = await _sweep(emu, sink)
    assert emu.faults.pending == 0
    assert set(sink.offers) == _ids_created_in(emu, T0 - OVERLAP, emu.now())
    assert report.offers == 4500 and sink.upserts == 4500
    assert report.rate_limited == 1
    assert report.calls == report.pages + 5  # each fault cost exactly one more call
    _assert_within_budget(emu, report, extra=5)


async def test_a_call_that_keeps_failing_leaves_the_mark_for_the_next_sweep(
    emu: FranceTravailEmulator,
) -> None:
    sink = InMemoryOfferSink()
    await sink.set_high_water_mark(T0)
    emu.advance_clock(timedelta(hours=1))
    emu.faults.fail_next(3, 500, "offres_search")
    async with _client(emu, max_retries=0) as client:
        sweep = OfferSweep(client, sink, overlap=OVERLAP, page_retry_pause=0.01, clock=emu.now)
        with pytest.raises(SweepIncomplete) as caught:
            await sweep.run()
        assert caught.value.report.high_water_mark is None
        assert await sink.high_water_mark() == T0
        report = await sweep.run()
    assert set(sink.offers) == _ids_created_in(emu, T0 - OVERLAP, emu.now())
    assert report.offers == 1500


async def test_first_sweep_without_a_mark_covers_the_first_window(
    emu: FranceTravailEmulator,
) -> None:
    emu.advance_clock(timedelta(hours=1))
    sink = InMemoryOfferSink()
    report = await _sweep(emu, sink, first_window=timedelta(hours=2))
    assert set(sink.offers) == _ids_created_in(emu, emu.now() - timedelta(hours=2), emu.now())
    assert report.window_start == emu.now() - timedelta(hours=2)


async def test_withdrawn_offers_answer_gone_on_detail(emu: FranceTravailEmulator) -> None:
    published = emu.advance_clock(timedelta(minutes=5))
    kept, removed = published[0]["id"], published[1]["id"]
    emu.remove_offer(removed)
    async with _client(emu) as client:
        assert await OfferSweep(client, InMemoryOfferSink()).withdrawn([kept, removed]) == [removed]


# ---- the plan ---------------------------------------------------------------------------


def test_every_departement_the_api_takes_is_planned() -> None:
    weights = departement_weights()
    assert {"01", "2A", "2B", "75", "95", "971", "974", "976"} <= set(weights)
    assert "20" not in weights and "984" not in weights  # not département codes of the API
    assert len(weights) == 96 + 8
    assert math.isclose(sum(weights.values()), 1.0, rel_tol=1e-3)
    assert max(weights, key=weights.__getitem__) == "59"  # Nord, the most populous


@pytest.mark.parametrize("total", [4000, 30000, 200000])
def test_groups_hold_five_departements_at_most_and_each_once(total: int) -> None:
    weights = departement_weights()
    groups = group_departements(weights, total, 3150)
    flat = [code for group in groups for code in group]
    assert sorted(flat) == sorted(weights)
    assert all(1 <= len(group) <= MAX_DEPARTEMENTS_PER_QUERY for group in groups)
    for group in groups:
        if len(group) > 1:
            assert sum(weights[c] for c in group) * total <= 0.6 * 3150
    assert len(groups) >= math.ceil(len(weights) / MAX_DEPARTEMENTS_PER_QUERY)


def test_window_halves_share_no_second_and_cover_the_window() -> None:
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    whole = Partition(("33",), start, start + timedelta(minutes=7, seconds=3))
    halves = whole.split_window(timedelta(minutes=1))
    assert halves is not None
    first, second = halves
    assert first.start == whole.start and second.end == whole.end
    assert second.start == first.end + timedelta(seconds=1)
    assert (
        Partition(("33",), start, start + timedelta(seconds=90)).split_window(timedelta(minutes=1))
        is None
    )


async def test_in_memory_sink_counts_new_ids_only() -> None:
    sink = InMemoryOfferSink()
    offers: Sequence[Offer] = [
        Offer(id="200ABCD", title="Serveur"),
        Offer(id="200ABCE", title="Cuisinier"),
    ]
    assert await sink.upsert_offers(offers) == 2
    assert await sink.upsert_offers(offers[:1]) == 0
    assert len(sink.offers) == 2 and sink.upserts == 3
