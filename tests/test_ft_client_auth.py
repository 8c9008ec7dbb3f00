"""FranceTravailClient against the emulator: tokens (one for many calls, refresh, 401, scopes)."""

from __future__ import annotations

import asyncio

import pytest

from ft_client import FranceTravailClient, FTAuthError, FTServiceNotEnabled, OfferQuery
from sandbox.france_travail import FranceTravailEmulator
from tests import helpers_ft_client
from tests.helpers_ft_client import FakeClock, client_for, emulator

# The emulator and client fixtures (tests/helpers_ft_client.py).
emu = helpers_ft_client.emu
ft = helpers_ft_client.ft


# -- auth --------------------------------------------------------------------------------------


async def test_one_token_for_100_concurrent_searches() -> None:
    fast = {"rate_limits": {"offres": 1000.0}, "rate_limit_burst": 100}
    async with emulator(rates={"offres": 1000.0}, burst=200) as emu, client_for(emu, **fast) as ft:
        pages = await asyncio.gather(
            *(ft.search_offers(OfferQuery(), start=i, count=1) for i in range(100))
        )
        assert all(len(p.offers) == 1 for p in pages)
        assert emu.stats.token_requests == 1
        assert ft.stats.token_requests == 1
        assert emu.stats.calls["offres_search"] == 100


async def test_token_refreshed_before_expiry(emu: FranceTravailEmulator) -> None:
    clock = FakeClock()
    async with client_for(emu, clock=clock) as ft:
        await ft.search_offers(OfferQuery(), count=1)
        clock.now += 1499 - 61  # still inside the 60 s margin
        await ft.search_offers(OfferQuery(), count=1)
        assert emu.stats.token_requests == 1
        clock.now += 2  # now within 60 s of expires_in: refresh proactively
        await ft.search_offers(OfferQuery(), count=1)
        assert emu.stats.token_requests == 2
        assert emu.stats.responses[("offres_search", 401)] == 0


async def test_401_refreshes_once_for_all_concurrent_calls() -> None:
    fast = {"rate_limits": {"offres": 1000.0}, "rate_limit_burst": 100}
    async with emulator(rates={"offres": 1000.0}, burst=200) as emu, client_for(emu, **fast) as ft:
        await ft.search_offers(OfferQuery(), count=1)
        emu.faults.expire_tokens()
        pages = await asyncio.gather(*(ft.search_offers(OfferQuery(), count=1) for _ in range(20)))
        assert all(p.total > 0 for p in pages)
        assert emu.stats.responses[("offres_search", 401)] == 20  # all in flight together
        assert emu.stats.token_requests == 2  # ...and one refresh for everybody
        assert ft.stats.token_refreshes_on_401 == 20
        assert emu.stats.calls["offres_search"] == 41


async def test_401_after_a_fresh_token_raises(
    emu: FranceTravailEmulator, ft: FranceTravailClient
) -> None:
    emu.faults.fail_next(2, kind=401, endpoint="offres_search")
    with pytest.raises(FTAuthError) as info:
        await ft.search_offers(OfferQuery(), count=1)
    assert info.value.status == 401 and info.value.endpoint == "offres_search"
    assert emu.stats.calls["offres_search"] == 2  # retried exactly once
    assert emu.stats.token_requests == 2


async def test_bad_credentials_raise_with_the_service_message(emu: FranceTravailEmulator) -> None:
    async with client_for(emu, client_secret="wrong-secret") as ft:
        with pytest.raises(FTAuthError) as info:
            await ft.search_offers(OfferQuery())
    assert info.value.message == "Client authentication failed"
    assert info.value.error == "invalid_client"
    assert info.value.status == 400 and info.value.endpoint == "token"
    assert emu.stats.calls["offres_search"] == 0
    assert emu.stats.token_requests == 1  # not retried


async def test_unsubscribed_api_and_per_api_tokens() -> None:
    offers_only = frozenset({"api_offresdemploiv2", "o2dsoffre"})
    async with emulator() as emu:
        emu.config.client_scopes = {emu.client_id: offers_only}
        # One token for all: the refused scopes are dropped, the offers keep working and the
        # unsubscribed services answer "not enabled" without any HTTP call.
        async with client_for(emu) as combined:
            page = await combined.search_offers(OfferQuery(), count=1)
            assert page.total > 0
            assert emu.stats.token_requests == 2  # refused once, then without the bad scopes
            assert combined.missing_services == {
                "rome", "softskills", "labonneboite", "marche", "romeo"
            }  # fmt: skip
            with pytest.raises(FTServiceNotEnabled) as info:
                await combined.get_soft_skills("G1603")
            assert info.value.error == "invalid_scope" and info.value.api == "softskills"
            assert emu.stats.calls["softskills"] == 0
        # One token per API: offers keep working, the unsubscribed API fails alone.
        async with client_for(emu, single_token=False) as separate:
            page = await separate.search_offers(OfferQuery(), count=1)
            assert page.total > 0
            with pytest.raises(FTAuthError, match="scope"):
                await separate.get_soft_skills("G1603")


async def test_token_endpoint_5xx_is_retried(emu: FranceTravailEmulator) -> None:
    emu.faults.fail_next(2, kind=503, endpoint="token")
    async with client_for(emu) as ft:
        page = await ft.search_offers(OfferQuery(), count=1)
    assert page.total > 0
    assert emu.stats.token_requests == 3
