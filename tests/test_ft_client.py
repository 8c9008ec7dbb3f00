"""FranceTravailClient over real HTTP against the France Travail emulator (sandbox): search,
pages, detail, ROME and referentials, configuration, logs, stats.

The other topics: ``test_ft_client_auth.py`` (tokens) and ``test_ft_client_faults.py`` (429,
5xx, timeouts, rate limits, retries); shared fixtures in ``tests/helpers_ft_client.py``.
"""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import UTC, datetime, timedelta

import pytest

from ft_client import (
    DEFAULT_API_BASE_URL,
    DEFAULT_TOKEN_URL,
    FranceTravailClient,
    FTAuthError,
    FTBadRequest,
    FTConfigError,
    FTError,
    Offer,
    OfferQuery,
    clean_keywords,
)
from sandbox.france_travail import FranceTravailEmulator
from tests import helpers_ft_client
from tests.helpers_ft_client import FAST_RETRIES, FakeClock, client_for, emulator

# The emulator and client fixtures (tests/helpers_ft_client.py).
emu = helpers_ft_client.emu
ft = helpers_ft_client.ft


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
