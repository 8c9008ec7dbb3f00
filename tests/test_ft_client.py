"""FranceTravailClient over real HTTP against the France Travail emulator (sandbox)."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ft_client import (
    DEFAULT_API_BASE_URL,
    DEFAULT_TOKEN_URL,
    FranceTravailClient,
    FTAuthError,
    FTBadRequest,
    FTConfigError,
    FTError,
    FTInvalidResponse,
    FTRateLimited,
    FTServiceNotEnabled,
    FTUnavailable,
    Offer,
    OfferQuery,
    clean_keywords,
)
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator

FAST_RETRIES: dict[str, Any] = {"backoff_base": 0.01, "backoff_max": 0.05}
# Functional tests lift the ROME/soft-skill limits (1 call/s) on both sides to stay fast;
# the offers limit keeps its real value unless a test says otherwise.
FAST_ROME = {"rome": 50.0, "softskills": 50.0}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def emulator(**config: Any) -> FranceTravailEmulator:
    config.setdefault("seed", 7)
    config.setdefault("offer_count", 300)
    rates = {"offres": 10.0, **FAST_ROME, **config.pop("rates", {})}
    return FranceTravailEmulator(EmulatorConfig(rate_limits=rates, **config))


def client_for(emu: FranceTravailEmulator, **options: Any) -> FranceTravailClient:
    options = {**FAST_RETRIES, **options}
    options["rate_limits"] = {**FAST_ROME, **options.get("rate_limits", {})}
    return FranceTravailClient(
        options.pop("client_id", emu.client_id),
        options.pop("client_secret", emu.client_secret),
        api_base_url=emu.base_url,
        token_url=emu.token_url,
        **options,
    )


@pytest.fixture
async def emu() -> AsyncIterator[FranceTravailEmulator]:
    async with emulator() as running:
        yield running


@pytest.fixture
async def ft(emu: FranceTravailEmulator) -> AsyncIterator[FranceTravailClient]:
    async with client_for(emu) as client:
        yield client


# -- search, pages, totals ---------------------------------------------------------------------


async def test_first_page_206_total_from_content_range_and_facets(
    emu: FranceTravailEmulator, ft: FranceTravailClient
) -> None:
    page = await ft.search_offers(OfferQuery(), start=0, count=150)
    assert page.total == len(emu.offers) > 150
    assert len(page.offers) == 150
    assert page.start == 0
    facets = {f.name: f for f in page.facets}
    assert {"typeContrat", "experience", "qualification"} <= set(facets)
    # facets cover the whole result set, not the page
    assert sum(v.count for v in facets["typeContrat"].values) == page.total
    assert emu.stats.responses[("offres_search", 206)] == 1


async def test_last_page_200_is_clipped(
    emu: FranceTravailEmulator, ft: FranceTravailClient
) -> None:
    total = len(emu.offers)
    page = await ft.search_offers(OfferQuery(), start=total - 10, count=150)
    assert len(page.offers) == 10
    assert page.total == total
    assert emu.stats.responses[("offres_search", 200)] == 1


async def test_no_result_is_an_empty_page(
    emu: FranceTravailEmulator, ft: FranceTravailClient
) -> None:
    page = await ft.search_offers(OfferQuery(keywords="zzqqxxyy introuvable"))
    assert page.offers == () and page.total == 0
    assert emu.stats.responses[("offres_search", 204)] == 1


async def test_filters_reach_the_api(emu: FranceTravailEmulator, ft: FranceTravailClient) -> None:
    sample = next(o for o in emu.offers if o.get("romeCode") and o.get("typeContrat"))
    query = OfferQuery(rome_codes=[sample["romeCode"]], contract_types=[sample["typeContrat"]])
    page = await ft.search_offers(query)
    assert page.total >= 1
    assert sample["id"] in {o.id for o in page.offers} or page.total > len(page.offers)
    assert all(o.rome_code == sample["romeCode"] for o in page.offers)
    assert all(o.contract_type == sample["typeContrat"] for o in page.offers)


async def test_hostile_user_text_becomes_a_harmless_query(
    emu: FranceTravailEmulator, ft: FranceTravailClient
) -> None:
    keywords = clean_keywords("serveur' OR '1'='1; DROP TABLE offres; --<script>")
    assert keywords is not None and not set("'<>;=") & set(keywords)
    page = await ft.search_offers(OfferQuery(keywords=keywords))
    assert page.offers == () and page.total == 0  # the API's AND of every word finds nothing
    # One call, accepted by the API's own keyword validation (a 400 would have raised).
    assert emu.stats.calls["offres_search"] == 1
    assert emu.stats.responses[("offres_search", 204)] == 1


async def test_page_arguments_are_checked_before_any_call(
    emu: FranceTravailEmulator, ft: FranceTravailClient
) -> None:
    for start, count in ((-1, 10), (0, 0), (0, 151), (3001, 10)):
        with pytest.raises(ValueError):
            await ft.search_offers(OfferQuery(), start=start, count=count)
    assert emu.stats.calls["offres_search"] == 0


async def test_iter_offers_over_1000_results_no_duplicate_no_gap() -> None:
    async with emulator(offer_count=1200) as emu, client_for(emu) as ft:
        expected_total = len(emu.offers)
        assert expected_total > 1000
        ids = [offer.id async for offer in ft.iter_offers(OfferQuery())]
        assert len(ids) == len(set(ids)) == expected_total
        assert set(ids) == {o["id"] for o in emu.offers}
        assert emu.stats.calls["offres_search"] == math.ceil(expected_total / 150)
        # the same order as one page at a time: no gap between pages
        first = await ft.search_offers(OfferQuery(), start=150, count=150)
        assert ids[150:300] == [o.id for o in first.offers]


async def test_iter_offers_new_offers_during_the_walk_cause_no_duplicate(
    emu: FranceTravailEmulator, ft: FranceTravailClient
) -> None:
    # Newest first: offers published while we walk push every later result one place down,
    # so the next page starts with results already seen.
    before = {o["id"] for o in emu.offers}
    ids: list[str] = []
    async for offer in ft.iter_offers(OfferQuery(sort=1)):
        ids.append(offer.id)
        if len(ids) in (150, 300):
            emu.new_offer()
            emu.new_offer()
    assert emu.stats.calls["offres_search"] >= 3
    assert len(ids) == len(set(ids))
    assert set(ids) == before  # everything there at the start, each once, no gap


async def test_iter_offers_limit(emu: FranceTravailEmulator, ft: FranceTravailClient) -> None:
    ids = [o.id async for o in ft.iter_offers(OfferQuery(), limit=160)]
    assert len(ids) == len(set(ids)) == 160
    assert emu.stats.calls["offres_search"] == 2
    assert [o.id async for o in ft.iter_offers(OfferQuery(), limit=0)] == []


async def test_iter_offers_stops_at_the_deepest_index() -> None:
    # An API with lower caps than the client assumes (older doc: 1000/1149), scaled down:
    # the deep page answers 400 and the iteration ends cleanly with what was reachable.
    async with emulator(offer_count=600, max_start=150, max_end=299) as emu:
        async with client_for(emu) as ft:
            ids = [o.id async for o in ft.iter_offers(OfferQuery())]
            assert len(ids) == len(set(ids)) == 300
            assert emu.stats.responses[("offres_search", 400)] == 1
        async with client_for(emu, max_start=150, max_end=299) as configured:
            emu.stats.reset()
            ids = [o.id async for o in configured.iter_offers(OfferQuery())]
            assert len(ids) == 300
            assert emu.stats.responses[("offres_search", 400)] == 0


# -- detail ------------------------------------------------------------------------------------


async def test_get_offer_found_gone_and_malformed(
    emu: FranceTravailEmulator, ft: FranceTravailClient
) -> None:
    raw = emu.offers[0]
    offer = await ft.get_offer(raw["id"])
    assert offer == Offer.from_json(raw)
    assert await ft.get_offer("ZZZZ999") is None  # 204
    emu.config.missing_offer_status = 400
    assert await ft.get_offer("ZZZZ998") is None  # 400 "gone"
    calls = emu.stats.calls["offres_detail"]
    for bad in ("abc", "", "193XKZP/../x", "1 OR 1=1", "<b>1234</b>", "x" * 10_000):
        assert await ft.get_offer(bad) is None
    assert emu.stats.calls["offres_detail"] == calls  # no call for an impossible id


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


# -- ROME, soft skills, referentials -----------------------------------------------------------


async def test_get_job_with_skills_and_cache(
    emu: FranceTravailEmulator, ft: FranceTravailClient
) -> None:
    job = await ft.get_job("g1603")
    assert job is not None
    assert job.code == "G1603" and job.label
    assert job.appellations and job.skills
    assert emu.stats.calls["rome_metier"] == 1 and emu.stats.calls["rome_fiche"] == 1
    again = await ft.get_job("G1603")
    assert again == job
    assert emu.stats.calls["rome_metier"] == 1  # cached
    assert ft.stats.cache_hits == 1
    assert await ft.get_job("A9999") is None  # 404 from the API
    with pytest.raises(ValueError, match="ROME code"):
        await ft.get_job("G16")


async def test_cache_ttl_expires(emu: FranceTravailEmulator) -> None:
    clock = FakeClock()
    async with client_for(emu, clock=clock, cache_ttl=600) as ft:
        await ft.get_referential("typesContrats")
        clock.now += 599
        await ft.get_referential("typesContrats")
        assert emu.stats.calls["referentiel"] == 1
        clock.now += 2
        await ft.get_referential("typesContrats")
        assert emu.stats.calls["referentiel"] == 2


async def test_soft_skills_best_first(emu: FranceTravailEmulator, ft: FranceTravailClient) -> None:
    skills = await ft.get_soft_skills("G1603")
    assert len(skills) == 23
    assert skills[0].score >= skills[-1].score
    assert all(s.label and 0 <= s.score <= 1 for s in skills)
    await ft.get_soft_skills("G1603")
    assert emu.stats.calls["softskills"] == 1


async def test_communes_and_referentials_single_flight(
    emu: FranceTravailEmulator, ft: FranceTravailClient
) -> None:
    results = await asyncio.gather(*(ft.list_communes() for _ in range(5)))
    assert emu.stats.calls["referentiel"] == 1
    communes = results[0]
    assert len(communes) > 30000
    paris15 = next(c for c in communes if c.code == "75115")
    assert paris15.departement == "75" and paris15.postal_code == "75015"
    types = await ft.get_referential("typesContrats")
    assert {t.code for t in types} >= {"CDI", "CDD", "MIS"}
    with pytest.raises(FTError) as info:
        await ft.get_referential("inconnu")
    assert info.value.status == 404
    with pytest.raises(ValueError):
        await ft.get_referential("../secrets")


# -- configuration, logs, stats ----------------------------------------------------------------


async def test_from_env(emu: FranceTravailEmulator) -> None:
    env = {
        "FT_CLIENT_ID": emu.client_id,
        "FT_CLIENT_SECRET": emu.client_secret,
        "FT_API_BASE_URL": emu.base_url,
        "FT_TOKEN_URL": emu.token_url,
    }
    async with FranceTravailClient.from_env(env, **FAST_RETRIES) as ft:
        assert (await ft.search_offers(OfferQuery(), count=1)).total > 0
    for missing in ("FT_CLIENT_ID", "FT_CLIENT_SECRET"):
        with pytest.raises(FTConfigError, match=missing):
            FranceTravailClient.from_env({k: v for k, v in env.items() if k != missing})
    with pytest.raises(FTConfigError, match="FT_TOKEN_URL"):
        FranceTravailClient.from_env({**env, "FT_TOKEN_URL": "ftp://x"})
    secret = "sEcReT-0f-the-app"
    defaults = FranceTravailClient.from_env({"FT_CLIENT_ID": "id", "FT_CLIENT_SECRET": secret})
    assert defaults.api_base_url == DEFAULT_API_BASE_URL
    assert defaults.token_url == DEFAULT_TOKEN_URL
    assert secret not in repr(defaults)
    await defaults.aclose()


async def test_default_scopes_in_one_token(emu: FranceTravailEmulator) -> None:
    async with client_for(emu) as ft:
        scopes = set(next(iter(ft.scopes.values())).split())
        assert len(set(ft.scopes.values())) == 1
    assert scopes == {
        "api_offresdemploiv2",
        "o2dsoffre",
        "api_rome-metiersv1",
        "api_rome-fiches-metiersv1",
        "nomenclatureRome",
        "api_matchviasoftskillsv1",
        "api_labonneboitev2",
        "api_stats-offres-demandes-emploiv1",
        "offresetdemandesemploi",
        "api_romeov2",
    }


async def test_secrets_never_logged(
    emu: FranceTravailEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    logging.getLogger("httpcore").setLevel(logging.DEBUG)
    async with client_for(emu) as ft:
        assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
        assert logging.getLogger("httpcore").getEffectiveLevel() >= logging.WARNING
        await ft.search_offers(OfferQuery(), count=1)
        emu.faults.expire_tokens()
        emu.faults.fail_next(1, kind=500, endpoint="offres_search")
        await ft.search_offers(OfferQuery(), count=1)
        tokens = [t.value for t in ft._tokens.values() if t.value]
        emu.faults.fail_next(1, kind=400, endpoint="offres_search")
        with pytest.raises(FTBadRequest) as info:
            await ft.search_offers(OfferQuery())
    async with client_for(emu, client_secret="not-the-secret-0123456789") as bad:
        with pytest.raises(FTAuthError) as auth_info:
            await bad.authenticate()
    assert caplog.records, "the client logged nothing at DEBUG"
    assert tokens
    texts = [caplog.text, str(info.value), repr(info.value), str(auth_info.value)]
    for secret in (emu.client_secret, "not-the-secret-0123456789", *tokens):
        for text in texts:
            assert secret not in text
    assert "Bearer" not in caplog.text


async def test_stats_snapshot(emu: FranceTravailEmulator, ft: FranceTravailClient) -> None:
    emu.faults.fail_next(1, kind=500, endpoint="offres_search")
    await ft.search_offers(OfferQuery(), count=1)
    snapshot = ft.stats.as_dict()
    assert snapshot["calls"]["offres_search"] == 2
    assert snapshot["retries"]["offres_search"] == 1
    assert snapshot["errors"]["500"] == 1
    assert snapshot["token_requests"] == 1
    ft.stats.reset()
    assert ft.stats.as_dict()["total_calls"] == 0


async def test_alert_style_query_since(emu: FranceTravailEmulator, ft: FranceTravailClient) -> None:
    since = datetime.now(UTC) - timedelta(days=2)
    page = await ft.search_offers(OfferQuery(sort=1).since(since))
    cutoff = since.replace(microsecond=0)
    recent = {
        o["id"]
        for o in emu.offers
        if Offer.from_json(o).created_at >= cutoff  # type: ignore[union-attr]
    }
    assert 0 < len(recent) < len(emu.offers)  # the window really filters
    assert page.total == len(recent)
    assert {o.id for o in page.offers} <= recent
    assert all(o.created_at is not None and o.created_at >= cutoff for o in page.offers)
    # sort=1: most recent first
    dates = [o.created_at for o in page.offers]
    assert dates == sorted(dates, reverse=True)


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
