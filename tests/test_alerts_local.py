"""Alert digests computed from the offers table (issue 13 item 2), through both emulators.

A sweep (`bot.sweep_job.run_sweep`) fills the table; the cycle then reads it and asks France
Travail nothing. The digests are the ones the live path sends for the same data (contract
filter, radius, arrondissements, users without a place); a stale table falls back to the live
path; a local window ends where the table is complete and the next one starts there.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.alerts import local_source
from bot.sweep_job import run_sweep
from storage import Storage
from tests.helpers_alerts import (
    LYON_CODE,
    MARSEILLE_CODE,
    PARIS_CODE,
    AlertEnv,
    alert_env,
    offer_json,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Paris; alerts at 08:00 are due
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
LOOKBACK = 3
VERSAILLES = "78646"  # about 17 km from the centre of Paris
RENNES = "35238"


async def sweep(env: AlertEnv, at: datetime, storage: Storage | None = None) -> None:
    await run_sweep(env.client, storage or env.storage, LOOKBACK, clock=lambda: at)


def digests(env: AlertEnv, user_id: int) -> list[str]:
    """The user's digests as sent (HTML)."""
    return [m.html or "" for m in env.messages(user_id)]


def offer_ids_sent(env: AlertEnv, user_id: int) -> list[str]:
    """The offer ids in the user's digests (their links carry them), in order."""
    found = (re.findall(r"A\d{6}", html) for html in digests(env, user_id))
    return list(dict.fromkeys(itertools.chain.from_iterable(found)))


async def add_everyone(env: AlertEnv) -> None:
    """Users covering the query's features: contract filter, radius, arrondissements, no place."""
    await env.add_user(1)  # Paris, 10 km
    await env.add_user(2, place_code="75115")  # an arrondissement: asks for the whole city
    await env.add_user(3, radius_km=30)  # Paris + 30 km: Versailles too
    await env.add_user(4, contract_types=("CDD",))
    await env.add_user(5, place_code=None)  # the whole country
    await env.add_user(6, rome="K2204", place_code=LYON_CODE)
    await env.add_user(7, rome="K2204", place_code=MARSEILLE_CODE, radius_km=0)  # the city alone
    await env.add_user(8, rome=("G1803", "K2204"), place_code=RENNES, radius_km=20)


def the_offers() -> list[dict[str, Any]]:
    """Offers for those users (and some for nobody), all created over the last day."""
    ages = (timedelta(minutes=m) for m in itertools.count(7, 53))
    offers = []
    for rome, place, contract in [
        ("G1803", PARIS_CODE, "CDI"),
        ("G1803", "75120", "CDD"),
        ("G1803", "75101", "CDI"),
        ("G1803", VERSAILLES, "CDI"),
        ("G1803", VERSAILLES, "CDD"),
        ("G1803", RENNES, "CDI"),
        ("G1803", MARSEILLE_CODE, "MIS"),
        ("K2204", LYON_CODE, "CDI"),
        ("K2204", "69381", "CDD"),
        ("K2204", "13216", "CDI"),  # 16th arrondissement: far north of Marseille's centre
        ("K2204", "13208", "CDI"),
        ("K2204", "13201", "CDD"),
        ("K2204", "13001", "CDI"),  # Aix-en-Provence: not Marseille
        ("K2204", RENNES, "CDI"),
        ("K2204", PARIS_CODE, "CDI"),
        ("M1805", PARIS_CODE, "CDI"),  # nobody's job
    ]:
        # Distinct employers: the same job at the same employer is one offer to a reader.
        company = f"Entreprise {len(offers)}"
        created = NOW - next(ages)
        offers.append(
            offer_json(
                rome=rome, place_code=place, contract=contract, created=created, company=company
            )
        )
    return offers


async def test_a_sweep_then_a_cycle_sends_the_live_digests_without_searching(
    tmp_path: Path,
) -> None:
    offers = the_offers()
    async with alert_env(tmp_path / "live", settings_overrides={"sweep_minutes": 0}) as live:
        for offer in offers:
            live.ft.add_offer(offer)
        await add_everyone(live)
        report = await live.cycle(NOW)
        assert report.source == "live" and report.ft_calls > 0
        expected = {uid: digests(live, uid) for uid in range(1, 9)}

    async with alert_env(tmp_path / "local") as env:
        for offer in offers:
            env.ft.add_offer(offer)
        await add_everyone(env)
        await env.storage.set_high_water_mark(NOW - 2 * DAY)  # the first sweep covers 2 days
        await sweep(env, NOW)
        assert await env.storage.count_offers() == len(offers)
        calls = env.search_calls()
        report = await env.cycle(NOW)
        assert env.search_calls() == calls, "no offer search during a local cycle"
        assert report.source == "local" and report.ft_calls == 0
        assert report.users_served == 8 and report.failures == 0
        got = {uid: digests(env, uid) for uid in range(1, 9)}
    assert got == expected
    # The data makes the rules visible: every user but the CDD-only one was sent something.
    assert all(got[uid] for uid in (1, 2, 3, 5, 6, 7, 8))
    versailles = [o["id"] for o in offers if o["lieuTravail"]["commune"] == VERSAILLES]
    assert any(i in got[3][0] for i in versailles)
    assert not any(i in got[1][0] for i in versailles)
    north_marseille = next(o["id"] for o in offers if o["lieuTravail"]["commune"] == "13216")
    assert north_marseille in got[7][0]
    aix = next(o["id"] for o in offers if o["lieuTravail"]["commune"] == "13001")
    assert aix not in got[7][0]


async def test_a_stale_table_falls_back_to_france_travail(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with alert_env(tmp_path) as env:
        env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW - timedelta(hours=3))
        await env.add_user(1)
        await sweep(env, NOW - timedelta(minutes=31))  # two periods of 15 min ago, and more
        calls = env.search_calls()
        with caplog.at_level("INFO", logger="bot.alerts.cycle"):
            report = await env.cycle(NOW)
        assert report.source == "live" and env.search_calls() > calls
        assert len(env.messages(1)) == 1
        assert sum("not fresh" in r.getMessage() for r in caplog.records) == 1
        # Within the bound, the table serves (a new user, due now).
        await env.add_user(2)
        await sweep(env, NOW + timedelta(minutes=5))
        calls = env.search_calls()
        report = await env.cycle(NOW + timedelta(minutes=10))
        assert report.source == "local" and env.search_calls() == calls
        assert len(env.messages(2)) == 1


async def test_sweeps_off_means_live_even_with_a_fresh_table(tmp_path: Path) -> None:
    async with alert_env(tmp_path, settings_overrides={"sweep_minutes": 0}) as env:
        env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW - timedelta(hours=1))
        await env.add_user(1)
        await sweep(env, NOW)
        report = await env.cycle(NOW)
        assert report.source == "live" and report.ft_calls > 0
        assert len(env.messages(1)) == 1


async def test_an_offer_swept_after_the_cycle_reaches_the_next_digest_exactly_once(
    tmp_path: Path,
) -> None:
    async with alert_env(tmp_path) as env:
        await env.add_user(1)
        early = env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW - timedelta(hours=2))
        # Swept, but after the table's complete part (the sweep's overlap): the next window's.
        in_overlap = env.add_offer(
            rome="G1803", place_code=PARIS_CODE, created=NOW - timedelta(minutes=11)
        )
        await sweep(env, NOW - timedelta(minutes=10))
        # Created just before the cycle, swept just after it.
        late = env.add_offer(
            rome="G1803", place_code=PARIS_CODE, created=NOW - timedelta(minutes=1)
        )
        report = await env.cycle(NOW)
        assert report.source == "local"
        assert offer_ids_sent(env, 1) == [early["id"]]
        profile = await env.storage.get_profile(1)
        assert profile is not None
        assert profile.last_alert_at == NOW - timedelta(minutes=10) - local_source.SWEEP_OVERLAP

        await sweep(env, NOW + timedelta(minutes=5))  # the late offer is in the table now
        tomorrow = NOW + DAY
        await sweep(env, tomorrow - timedelta(minutes=1))
        assert (await env.cycle(tomorrow)).source == "local"
        assert sorted(offer_ids_sent(env, 1)) == sorted([early["id"], in_overlap["id"], late["id"]])

        await sweep(env, tomorrow + DAY - timedelta(minutes=1))
        await env.cycle(tomorrow + DAY)
        assert len(env.messages(1)) == 2, "nothing new: no third digest"


async def test_local_rules_unsent_lookback_and_changed_criteria(tmp_path: Path) -> None:
    async with alert_env(tmp_path) as env:
        await env.add_user(1)
        await env.storage.set_high_water_mark(NOW - 5 * DAY)
        old = env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW - 4 * DAY)
        recent = env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW - 20 * HOUR)
        versailles = env.add_offer(rome="G1803", place_code=VERSAILLES, created=NOW - 12 * HOUR)
        await sweep(env, NOW)
        await env.cycle(NOW)
        # Past the lookback (and pruned by the sweep): never sent; Versailles is beyond 10 km.
        assert offer_ids_sent(env, 1) == [recent["id"]]
        assert old["id"] not in offer_ids_sent(env, 1)

        # The next day: nothing new, nothing sent again.
        await sweep(env, NOW + DAY)
        await env.cycle(NOW + DAY + timedelta(minutes=1))
        assert len(env.messages(1)) == 1

        # A changed alert (30 km) looks back the whole lookback again (Versailles, 12 h before
        # the first digest); the offer already sent never comes back.
        await env.storage.modify_profile(1, lambda p: p.replace(radius_km=30))
        await sweep(env, NOW + 2 * DAY)
        assert (await env.cycle(NOW + 2 * DAY + timedelta(minutes=1))).source == "local"
        assert offer_ids_sent(env, 1) == [recent["id"], versailles["id"]]
        assert recent["id"] not in digests(env, 1)[1]


async def test_a_restart_between_the_sweep_and_the_cycle_serves_from_the_table(
    tmp_path: Path,
) -> None:
    async with alert_env(tmp_path) as env:
        await env.add_user(1)
        offer = env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW - timedelta(hours=3))
        # Another process (the bot before its restart) swept into the same database file.
        async with Storage.open(tmp_path / "alerts.sqlite3") as before_restart:
            await sweep(env, NOW - timedelta(minutes=3), before_restart)
        calls = env.search_calls()
        report = await env.cycle(NOW)
        assert report.source == "local" and env.search_calls() == calls
        assert offer_ids_sent(env, 1) == [offer["id"]]
