"""The optional France Travail services through the client, against the emulator over HTTP:
La Bonne Boîte v2, Marché du travail v1, Match via Soft Skills v1 and ROMEO v2 — each with its
scope missing, a 429 with Retry-After, 5xx, malformed JSON — plus their own rules (422 without a
place, batches of 20 texts, caching per métier/territory/quarter, re-checking a refused scope)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from ft_client import (
    FranceTravailClient,
    FTBadRequest,
    FTInvalidResponse,
    FTServiceNotEnabled,
    FTUnavailable,
    OfferQuery,
)
from sandbox.france_travail import KNOWN_SCOPES, EmulatorConfig, FranceTravailEmulator
from tests.helpers_ft_client import FakeClock

pytestmark = pytest.mark.timeout(120)

FAST = {"rome": 50.0, "softskills": 50.0, "labonneboite": 50.0, "marche": 50.0, "romeo": 50.0}

Call = Callable[[FranceTravailClient], Awaitable[Any]]
# API name -> (emulator endpoint a fault targets, the scope, a call that reaches it once)
SERVICES: dict[str, tuple[str, str, Call]] = {
    "labonneboite": (
        "labonneboite",
        "api_labonneboitev2",
        lambda ft: ft.search_companies(["G1803"], citycode="75056"),
    ),
    "marche": (
        "marche_offres",
        "api_stats-offres-demandes-emploiv1",
        lambda ft: ft.get_market("G1803", "DEP", "75"),
    ),
    "softskills": (
        "softskills",
        "api_matchviasoftskillsv1",
        lambda ft: ft.get_soft_skills("G1803"),
    ),
    "romeo": ("romeo", "api_romeov2", lambda ft: ft.predict_jobs(["serveur"])),
}


def emulator(**config: Any) -> FranceTravailEmulator:
    return FranceTravailEmulator(
        EmulatorConfig(seed=7, offer_count=50, rate_limits={"offres": 10.0, **FAST}, **config)
    )


def client_for(emu: FranceTravailEmulator, **options: Any) -> FranceTravailClient:
    return FranceTravailClient(
        emu.client_id,
        emu.client_secret,
        api_base_url=emu.base_url,
        token_url=emu.token_url,
        rate_limits=FAST,
        backoff_base=0.01,
        backoff_max=0.05,
        **options,
    )


@pytest.mark.parametrize("api", SERVICES)
async def test_missing_scope_switches_the_service_off_and_offers_keep_working(api: str) -> None:
    endpoint, scope, call = SERVICES[api]
    async with emulator() as emu:
        emu.config.client_scopes = {emu.client_id: KNOWN_SCOPES - {scope}}
        async with client_for(emu) as ft:
            with pytest.raises(FTServiceNotEnabled) as info:
                await call(ft)
            assert info.value.api == api
            assert not ft.service_enabled(api) and ft.missing_services == {api}
            page = await ft.search_offers(OfferQuery(), count=1)
            assert page.total > 0
            with pytest.raises(FTServiceNotEnabled):  # remembered: no new token, no call
                await call(ft)
        assert emu.stats.calls[endpoint] == 0
        assert emu.stats.token_requests == 2


@pytest.mark.parametrize("api", SERVICES)
async def test_403_invalid_scope_switches_the_service_off(api: str) -> None:
    endpoint, _scope, call = SERVICES[api]
    async with emulator() as emu, client_for(emu) as ft:
        emu.faults.fail_next(1, kind=403, endpoint=endpoint)
        with pytest.raises(FTServiceNotEnabled) as info:
            await call(ft)
        assert info.value.status == 403
        calls = emu.stats.calls[endpoint]
        with pytest.raises(FTServiceNotEnabled):
            await call(ft)
        assert emu.stats.calls[endpoint] == calls


@pytest.mark.parametrize("api", SERVICES)
async def test_429_waits_for_retry_after_then_answers(api: str) -> None:
    endpoint, _scope, call = SERVICES[api]
    async with emulator() as emu, client_for(emu) as ft:
        emu.faults.fail_next(1, kind=429, endpoint=endpoint)
        assert await call(ft)
        assert ft.stats.rate_limited == 1
        assert ft.stats.retry_after_waited == pytest.approx(1.0)  # the emulator's Retry-After


@pytest.mark.parametrize("api", SERVICES)
async def test_5xx_is_retried_then_raises_unavailable(api: str) -> None:
    endpoint, _scope, call = SERVICES[api]
    async with emulator() as emu, client_for(emu, max_retries=1) as ft:
        emu.faults.fail_next(1, kind=503, endpoint=endpoint)
        assert await call(ft)
        ft.clear_cache()
        emu.faults.fail_next(10, kind=500, endpoint=endpoint)
        with pytest.raises(FTUnavailable):
            await call(ft)
        assert ft.service_enabled(api)  # an outage is not a missing subscription


@pytest.mark.parametrize("api", SERVICES)
async def test_malformed_json_raises_invalid_response(api: str) -> None:
    endpoint, _scope, call = SERVICES[api]
    async with emulator() as emu, client_for(emu) as ft:
        emu.faults.fail_next(1, kind="malformed", endpoint=endpoint)
        with pytest.raises(FTInvalidResponse):
            await call(ft)


async def test_refused_scope_is_asked_again_after_the_recheck_delay() -> None:
    clock = FakeClock()
    async with emulator() as emu:
        emu.config.client_scopes = {emu.client_id: KNOWN_SCOPES - {"api_labonneboitev2"}}
        async with client_for(emu, clock=clock, service_recheck_seconds=600) as ft:
            with pytest.raises(FTServiceNotEnabled):
                await ft.search_companies(["G1803"], citycode="75056")
            emu.config.client_scopes = None  # the application subscribed meanwhile
            clock.now += 599
            with pytest.raises(FTServiceNotEnabled):
                await ft.search_companies(["G1803"], citycode="75056")
            clock.now += 2
            page = await ft.search_companies(["G1803"], citycode="75056")
            assert page.hits > 0 and ft.missing_services == frozenset()


async def test_la_bonne_boite_shapes_places_and_422() -> None:
    async with emulator() as emu, client_for(emu) as ft:
        page = await ft.search_companies(["G1803"], citycode="75056", distance_km=5)
        assert page.hits >= len(page.items) > 0
        potentials = [c.hiring_potential for c in page.items]
        assert potentials == sorted(potentials, reverse=True)
        first = page.items[0]
        assert len(first.siret) == 14 and first.naf == "5610A"
        assert first.email_available in (True, False)
        assert first.headcount_min is not None and first.latitude is not None
        by_point = await ft.search_companies(["G1803"], latitude=48.8566, longitude=2.3522)
        assert by_point.hits > 0
        by_department = await ft.search_companies(["G1803"], department="69")
        assert by_department.hits > 0
        assert {c.department_number for c in by_department.items} == {"69"}
        # The same search twice is one call (cached).
        calls = emu.stats.calls["labonneboite"]
        await ft.search_companies(["G1803"], citycode="75056", distance_km=5)
        assert emu.stats.calls["labonneboite"] == calls
        with pytest.raises(FTBadRequest) as info:
            await ft.search_companies(["G1803"])  # no place
        assert info.value.status == 422
        with pytest.raises(FTBadRequest):
            await ft.search_companies(["G1803"], citycode="99999")
        with pytest.raises(ValueError):
            await ft.search_companies(["pizza"], citycode="75056")


async def test_market_snapshot_cached_per_metier_and_territory() -> None:
    async with emulator() as emu, client_for(emu) as ft:
        paris = await ft.get_market("G1803", "DEP", "75")
        assert paris.tension is not None and 1 <= paris.tension <= 5
        assert len(paris.factors) == 6 and paris.territory_label == "Paris"
        assert paris.offers and paris.hires and paris.period_label
        assert paris.salary_low <= paris.salary_median <= paris.salary_high
        france = await ft.get_market("G1803")
        assert france.offers > paris.offers
        calls = sum(emu.stats.calls[e] for e in ("marche_offres", "marche_tension"))
        await ft.get_market("g1803", "dep", "75")
        assert sum(emu.stats.calls[e] for e in ("marche_offres", "marche_tension")) == calls
        unknown = await ft.get_market("A9999", "DEP", "75")  # no figure: empty, not an error
        assert unknown.empty
        with pytest.raises(FTBadRequest):
            await ft.get_market("G1803", "DEP", "00")


async def test_romeo_batches_twenty_texts_per_call_in_order() -> None:
    texts = [f"serveur {i}" for i in range(44)] + ["", "aide soignante ehpad"]
    async with emulator() as emu, client_for(emu) as ft:
        results = await ft.predict_jobs(texts)
        assert len(results) == len(texts)
        assert emu.stats.calls["romeo"] == 3  # 45 distinct texts: 20 + 20 + 5
        assert results[44] == ()
        assert results[45][0].rome_code == "J1501"
        assert results[0][0].rome_code == "G1803" and 0 < results[0][0].score < 1
        scores = [m.score for m in results[45]]
        assert scores == sorted(scores, reverse=True)
        await ft.predict_jobs(texts)
        assert emu.stats.calls["romeo"] == 3  # cached


async def test_romeo_without_caller_name_is_refused() -> None:
    async with emulator() as emu, client_for(emu) as ft:
        with pytest.raises(FTBadRequest) as info:
            await ft.predict_jobs(["serveur"], caller_name="")
        assert info.value.error_code == "J072000G"


async def test_soft_skills_all_zero_scores_mean_no_data() -> None:
    async with emulator() as emu, client_for(emu) as ft:
        original = emu._softskills

        async def zeros(request: Any) -> Any:
            response = await original(request)
            body = json.loads(response.body)
            for item in body["skills"].values():
                item["score"] = 0
            return type(response)(
                status=200, body=json.dumps(body).encode(), content_type="application/json"
            )

        # The running app's route holds the bound method: swap in the zeroing wrapper.
        for route in emu.app.router.routes():
            if route.resource is not None and "matchviasoftskills" in route.resource.canonical:
                route._handler = zeros  # type: ignore[attr-defined]
        assert await ft.get_soft_skills("G1803") == []
        assert emu.stats.calls["softskills"] == 1
