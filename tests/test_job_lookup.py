"""bot.job_lookup: ROMEO combined with the offline job look-up — ROMEO first when confident,
offline as fallback and when ROMEO is off, busy, failing or slower than 2 s; batches of 20."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

import bot.job_lookup as job_lookup
from bot.config import Settings
from bot.job_lookup import ROMEO_CONFIDENT, combine, look_up_jobs
from bot.services import Services
from ft_client import FranceTravailClient
from ft_client.models.romeo import RomeoMatch
from ft_client.referential import JobHit
from sandbox.france_travail import KNOWN_SCOPES, EmulatorConfig, FranceTravailEmulator
from storage import Storage
from tests.helpers_bot import TEST_TOKEN, shared_referential

pytestmark = pytest.mark.timeout(120)

FAST = {"offres": 50.0, "rome": 50.0, "softskills": 50.0, "labonneboite": 50.0, "marche": 50.0}


def romeo(code: str, score: float, title: str = "Titre") -> RomeoMatch:
    return RomeoMatch("1", title, code, None, score)


def offline_hit(code: str, score: float) -> JobHit:
    job = shared_referential().job(code)
    assert job is not None
    return JobHit(code, job.label, job.label, score, "titre ROME")


# ---------------------------------------------------------------- combining, no HTTP
def test_confident_romeo_goes_first_then_offline_without_duplicates() -> None:
    ref = shared_referential()
    offline = [offline_hit("G1803", 0.9), offline_hit("G1801", 0.6)]
    hits = combine([romeo("J1501", 0.92), romeo("G1803", 0.8)], offline, ref, 5)
    assert [h.rome_code for h in hits] == ["J1501", "G1803", "G1801"]
    assert hits[0].why.startswith("ROMEO") and hits[0].score == 0.92
    assert hits[0].job_label == ref.job("J1501").label  # type: ignore[union-attr]


def test_unconfident_or_missing_romeo_leaves_the_offline_answer() -> None:
    ref = shared_referential()
    offline = [offline_hit("G1803", 0.9)]
    assert combine([romeo("J1501", ROMEO_CONFIDENT - 0.01)], offline, ref, 5) == offline
    assert combine(None, offline, ref, 5) == offline
    assert combine([], offline, ref, 5) == offline
    # A code the bundled referential does not know is dropped.
    assert combine([romeo("Z9999", 0.99)], offline, ref, 5) == offline
    assert len(combine([romeo("J1501", 0.99)], offline, ref, 1)) == 1


# ---------------------------------------------------------------- through the emulator
@asynccontextmanager
async def lookup_env(tmp_path: Path, **config: Any) -> AsyncIterator[tuple[Any, Services]]:
    rates = {**FAST, "romeo": 2.0}  # ROMEO at its documented rate
    async with FranceTravailEmulator(
        EmulatorConfig(seed=7, offer_count=20, rate_limits=rates, **config)
    ) as emu:
        settings = Settings(
            telegram_token=TEST_TOKEN,
            ft_client_id=emu.client_id,
            ft_client_secret=emu.client_secret,
            ft_api_base_url=emu.base_url,
            ft_token_url=emu.token_url,
            database_path=tmp_path / "bot.sqlite3",
        )
        storage = await Storage.open(settings.database_path)
        ft = FranceTravailClient(
            emu.client_id,
            emu.client_secret,
            api_base_url=emu.base_url,
            token_url=emu.token_url,
            rate_limits=rates,
            timeout=10.0,
            max_retries=1,
            backoff_base=0.05,
            backoff_max=0.2,
            max_retry_after=5.0,
        )
        async with ft:
            svc = Services(settings, storage, ft, shared_referential())
            try:
                yield emu, svc
            finally:
                await storage.close()


async def test_romeo_answers_first_when_subscribed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ROMEO's answer is under test, not its deadline (a loaded machine can miss 2 s).
    monkeypatch.setattr(job_lookup, "ROMEO_DEADLINE_SECONDS", 60.0)
    async with lookup_env(tmp_path) as (emu, svc):
        hits = await look_up_jobs(["aide soignante", "serveur", "", "zzzzzz"], svc)
        assert len(hits) == 4
        assert hits[0][0].rome_code == "J1501" and hits[0][0].why.startswith("ROMEO")
        assert hits[1][0].rome_code == "G1803" and hits[1][0].why.startswith("ROMEO")
        assert hits[2] == []
        assert emu.stats.calls["romeo"] == 1  # one call for all the texts


async def test_texts_go_in_batches_of_20(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The deadline is for people; here the batching is under test on a loaded machine.
    monkeypatch.setattr(job_lookup, "ROMEO_DEADLINE_SECONDS", 60.0)
    async with lookup_env(tmp_path) as (emu, svc):
        texts = [f"serveur {n}" for n in range(41)]
        hits = await look_up_jobs(texts, svc)
        assert len(hits) == 41 and all(h and h[0].rome_code == "G1803" for h in hits)
        assert emu.stats.calls["romeo"] == 3  # 20 + 20 + 1


async def test_romeo_not_subscribed_gives_the_offline_answer(tmp_path: Path) -> None:
    async with lookup_env(tmp_path) as (emu, svc):
        emu.config.client_scopes = {emu.client_id: KNOWN_SCOPES - {"api_romeov2"}}
        offline = job_lookup._offline(["aide soignante"], svc.referential, 5)
        for _ in range(2):
            hits = await look_up_jobs(["aide soignante"], svc)
            assert hits == offline and hits[0][0].rome_code == "J1501"
            assert not hits[0][0].why.startswith("ROMEO")
        assert emu.stats.calls["romeo"] == 0
        assert not svc.ft.service_enabled("romeo")
        assert (await svc.storage.stats())["ft_errors_24h"] == 0  # configuration, no outage


@pytest.mark.parametrize("fault", [429, 500, 503, "malformed"])
async def test_romeo_busy_or_failing_gives_the_offline_answer(
    tmp_path: Path, fault: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A roomier deadline: ROMEO answering again afterwards is under test too, on a loaded machine.
    monkeypatch.setattr(job_lookup, "ROMEO_DEADLINE_SECONDS", 8.0)
    async with lookup_env(tmp_path) as (emu, svc):
        emu.faults.fail_next(40, kind=fault, endpoint="romeo")
        started = time.monotonic()
        hits = await look_up_jobs(["aide soignante"], svc)
        # 40 faults retried one after the other would take far longer: the look-up gave up.
        assert time.monotonic() - started < job_lookup.ROMEO_DEADLINE_SECONDS + 4
        assert hits == job_lookup._offline(["aide soignante"], svc.referential, 5)
        assert emu.stats.calls["romeo"] >= 1
        emu.faults.clear()
        again = await look_up_jobs(["aide soignante"], svc)  # back: ROMEO again
        assert again[0][0].why.startswith("ROMEO")


async def test_romeo_slower_than_2_seconds_gives_the_offline_answer(tmp_path: Path) -> None:
    async with lookup_env(tmp_path) as (emu, svc):
        await svc.ft.authenticate()
        emu.faults.latency = 12.0
        started = time.monotonic()
        hits = await look_up_jobs(["aide soignante"], svc)
        elapsed = time.monotonic() - started
        # Waited for ROMEO up to the deadline, and gave up long before its answer came.
        assert job_lookup.ROMEO_DEADLINE_SECONDS - 0.1 <= elapsed < 10
        assert hits[0][0].rome_code == "J1501" and not hits[0][0].why.startswith("ROMEO")


async def test_bad_arguments(tmp_path: Path) -> None:
    async with lookup_env(tmp_path) as (emu, svc):
        assert await look_up_jobs([], svc) == []
        with pytest.raises(ValueError):
            await look_up_jobs(["serveur"], svc, limit=0)
        assert emu.stats.calls["romeo"] == 0
