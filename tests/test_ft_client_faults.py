"""FranceTravailClient against the emulator: 429, 5xx, malformed answers, timeouts, dropped
connections, rate limits never exceeded, backoff and Retry-After.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ft_client import (
    FranceTravailClient,
    FTBadRequest,
    FTError,
    FTInvalidResponse,
    FTRateLimited,
    FTUnavailable,
    OfferQuery,
)
from sandbox.france_travail import FranceTravailEmulator
from tests import helpers_ft_client
from tests.helpers_ft_client import client_for, emulator

# The emulator and client fixtures (tests/helpers_ft_client.py).
emu = helpers_ft_client.emu
ft = helpers_ft_client.ft


# -- faults ------------------------------------------------------------------------------------


async def test_429_honoured_without_a_second_burst(emu: FranceTravailEmulator) -> None:
    emu.faults.fail_next(1, kind=429, endpoint="offres_search")
    async with client_for(emu) as ft:
        pages = await asyncio.gather(
            *(ft.search_offers(OfferQuery(), start=i, count=1) for i in range(12))
        )
    assert all(len(p.offers) == 1 for p in pages)
    assert ft.stats.rate_limited == 1
    assert ft.stats.retry_after_waited == pytest.approx(1.0)  # the emulator's Retry-After
    assert emu.stats.responses[("offres_search", 429)] == 1  # only the injected one
    assert emu.stats.rate_limited == 0  # the emulator's own limiter never fired
    assert emu.stats.calls["offres_search"] == 13


class _EventOnLog(logging.Handler):
    """Sets an asyncio event when a log message containing ``needle`` is emitted."""

    def __init__(self, needle: str) -> None:
        super().__init__(logging.DEBUG)
        self.needle = needle
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.needle in record.getMessage():
            self.seen.set()


async def test_429_pauses_every_call_of_the_api_for_retry_after() -> None:
    """After a 429, no call of that API (retry or new burst) reaches the server before
    Retry-After has passed: the emulator sees one 429 and no second burst."""
    fast = {"rate_limits": {"offres": 100.0}}
    async with emulator(rates={"offres": 100.0}) as emu, client_for(emu, **fast) as ft:
        emu.faults.fail_next(1, kind=429, endpoint="offres_search")
        paused = _EventOnLog("429, pausing offres")
        logger = logging.getLogger("ft_client")
        level = logger.level
        logger.setLevel(logging.WARNING)  # whatever logging set-up other tests left behind
        logger.addHandler(paused)
        try:
            first = asyncio.create_task(ft.search_offers(OfferQuery(), start=0, count=1))
            await asyncio.wait_for(paused.seen.wait(), timeout=10)
        finally:
            logger.removeHandler(paused)
            logger.setLevel(level)
        # The client now knows about the 429: a burst of new searches arrives.
        burst = await asyncio.gather(
            *(ft.search_offers(OfferQuery(), start=i, count=1) for i in range(1, 11))
        )
        assert len((await first).offers) == 1
        assert all(len(p.offers) == 1 for p in burst)
        [rejected_at, *later] = emu.stats.arrivals("offres")
        assert len(later) == 11  # the retry and the burst
        retry_after = emu.config.retry_after
        assert min(later) >= rejected_at + retry_after, (
            f"a call arrived {min(later) - rejected_at:.3f}s after the 429 (Retry-After "
            f"{retry_after}s)"
        )
        assert emu.stats.responses[("offres_search", 429)] == 1
        assert emu.stats.rate_limited == 0
        assert ft.stats.rate_limited == 1


async def test_429_that_persists_raises_rate_limited(emu: FranceTravailEmulator) -> None:
    emu.config.retry_after = 3600  # absurd: bounded by max_retry_after
    emu.faults.fail_next(5, kind=429, endpoint="offres_search")
    async with client_for(emu, max_rate_limited_retries=2, max_retry_after=0.05) as ft:
        with pytest.raises(FTRateLimited) as info:
            await ft.search_offers(OfferQuery(), count=1)
    assert info.value.status == 429 and info.value.retry_after == 3600
    assert emu.stats.calls["offres_search"] == 3
    assert ft.stats.retry_after_waited == pytest.approx(0.1)


async def test_5xx_then_success(emu: FranceTravailEmulator, ft: FranceTravailClient) -> None:
    emu.faults.fail_next(1, kind=500, endpoint="offres_search")
    emu.faults.fail_next(1, kind=502, endpoint="offres_search")
    page = await ft.search_offers(OfferQuery(), count=5)
    assert len(page.offers) == 5
    assert emu.stats.calls["offres_search"] == 3
    assert ft.stats.retries["offres_search"] == 2
    assert ft.stats.errors["500"] == 1 and ft.stats.errors["502"] == 1


async def test_persistent_5xx_unavailable_within_the_retry_bound(
    emu: FranceTravailEmulator,
) -> None:
    emu.faults.fail_next(50, kind=503, endpoint="offres_search")
    async with client_for(emu, max_retries=2) as ft:
        with pytest.raises(FTUnavailable) as info:
            await ft.search_offers(OfferQuery())
        assert info.value.status == 503 and info.value.endpoint == "offres_search"
        assert emu.stats.calls["offres_search"] == 3
        assert ft.stats.failures["offres_search"] == 1


async def test_400_raises_at_once_with_the_api_message(emu: FranceTravailEmulator) -> None:
    # A client configured deeper than the API allows: the API's own 400 comes back.
    async with client_for(emu, max_start=5000, max_end=5149) as ft:
        with pytest.raises(FTBadRequest) as info:
            await ft.search_offers(OfferQuery(), start=3100, count=10)
    assert info.value.message == "La position de début doit être inférieure ou égale à 3000."
    assert info.value.status == 400 and info.value.error_code
    assert emu.stats.calls["offres_search"] == 1


async def test_malformed_json_is_a_clear_error(
    emu: FranceTravailEmulator, ft: FranceTravailClient
) -> None:
    emu.faults.fail_next(1, kind="malformed", endpoint="offres_search")
    with pytest.raises(FTInvalidResponse, match="malformed JSON") as info:
        await ft.search_offers(OfferQuery())
    assert isinstance(info.value, FTError)
    assert info.value.endpoint == "offres_search" and info.value.status == 200


async def test_malformed_token_answer(emu: FranceTravailEmulator, ft: FranceTravailClient) -> None:
    emu.faults.fail_next(1, kind="malformed", endpoint="token")
    with pytest.raises(FTInvalidResponse) as info:
        await ft.search_offers(OfferQuery())
    assert info.value.endpoint == "token"


async def test_timeout_then_success(emu: FranceTravailEmulator) -> None:
    emu.faults.fail_next(1, kind="timeout", endpoint="offres_search")
    async with client_for(emu, timeout=0.3) as ft:
        page = await ft.search_offers(OfferQuery(), count=3)
    assert len(page.offers) == 3
    assert ft.stats.errors["timeout"] == 1


async def test_latency_beyond_the_timeout_is_unavailable(emu: FranceTravailEmulator) -> None:
    async with client_for(emu, timeout=0.1, max_retries=1) as ft:
        await ft.authenticate()
        emu.faults.latency = 0.5
        with pytest.raises(FTUnavailable, match="timeout") as info:
            await ft.search_offers(OfferQuery())
    assert info.value.status is None
    assert emu.stats.calls["offres_search"] == 2


async def test_dropped_connection_is_retried(
    emu: FranceTravailEmulator, ft: FranceTravailClient
) -> None:
    emu.faults.fail_next(1, kind="disconnect", endpoint="offres_search")
    page = await ft.search_offers(OfferQuery(), count=2)
    assert len(page.offers) == 2
    assert ft.stats.errors["connection"] == 1


async def test_rate_limit_never_exceeded() -> None:
    async with emulator() as emu, client_for(emu) as ft:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(25):
            queue.put_nowait(i)

        async def worker() -> None:
            while not queue.empty():
                start = queue.get_nowait()
                await ft.search_offers(OfferQuery(), start=start, count=1)

        await asyncio.gather(*(worker() for _ in range(20)))
        assert emu.stats.calls["offres_search"] == 25
        assert emu.stats.max_calls_in_window("offres", 1.0) <= 10
        assert emu.stats.rate_limited == 0
        assert ft.stats.rate_limited == 0


async def test_rome_rate_limit_is_one_per_second() -> None:
    async with emulator(rates={"rome": 1.0}) as emu:
        async with client_for(emu, rate_limits={"rome": 1.0}) as ft:
            job = await ft.get_job("G1603")  # two calls: métier, then fiche
            assert job is not None
        assert emu.stats.max_calls_in_window("rome", 1.0) == 1
        assert emu.stats.rate_limited == 0


async def test_backoff_is_exponential_bounded_and_jittered() -> None:
    ft = FranceTravailClient("id", "secret", backoff_base=0.5, backoff_max=8.0)
    try:
        for attempt, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (9, 8.0)):
            delays = [ft._backoff(attempt) for _ in range(200)]
            assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempt, min(delays))
            assert max(delays) - min(delays) > ceiling / 10  # jitter: retries do not align
        # One shared HTTP client with explicit timeouts (not httpx's defaults).
        assert ft._http.timeout == httpx.Timeout(15.0)
    finally:
        await ft.aclose()


def test_retry_after_header_forms() -> None:
    from email.utils import format_datetime

    from ft_client.client import _parse_retry_after

    assert _parse_retry_after(None, 1.5) == 1.5
    assert _parse_retry_after("", 1.5) == 1.5
    assert _parse_retry_after("3", 1.5) == 3.0
    assert _parse_retry_after(" 2.5 ", 1.5) == 2.5
    assert _parse_retry_after("-4", 1.5) == 0.0
    assert _parse_retry_after("bientôt", 1.5) == 1.5
    in_an_hour = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    assert _parse_retry_after(in_an_hour, 1.5) == pytest.approx(3600, abs=60)
    an_hour_ago = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    assert _parse_retry_after(an_hour_ago, 1.5) == 0.0
