"""Every real France Travail sample in tests/fixtures/ft_samples is used, and the recorded HTTP
exchanges (token answers, a 206 search page with its recorded headers, an offer detail, token
errors) are replayed over loopback HTTP to the real client.

The replay server answers only with the recorded bytes: unlike the emulator, nothing in it was
written by us, so these tests check the client against the real API's own answers.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from ft_client import (
    FranceTravailClient,
    FTAuthError,
    FTBadRequest,
    FTInvalidResponse,
    OfferQuery,
)
from ft_client.models import (
    CommuneEntry,
    Facet,
    Offer,
    ReferentialEntry,
    RomeAppellation,
    SoftSkill,
)
from sandbox import france_travail as emulator_module

SAMPLES = Path(__file__).parent / "fixtures" / "ft_samples"


def load(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def _offers(data: Any) -> list[Any]:
    return data["resultats"] if isinstance(data, dict) and "resultats" in data else [data]


def _check_offers(data: Any) -> None:
    items = _offers(data)
    offers = [Offer.from_json(item) for item in items]
    assert offers and all(
        o is not None and o.id == str(i["id"]) for o, i in zip(offers, items, strict=True)
    )


def _check_facets(data: Any) -> None:
    facets = [Facet.from_json(item) for item in data]
    assert facets and all(f is not None and f.values for f in facets)


def _check_referential(data: Any) -> None:
    entries = [ReferentialEntry.from_json(item) for item in data]
    assert entries and all(e is not None and e.code and e.label for e in entries)


def _check_communes(data: Any) -> None:
    communes = [CommuneEntry.from_json(item) for item in data]
    assert communes and all(c is not None and len(c.code) == 5 for c in communes)


def _check_soft_skills(data: Any) -> None:
    skills = SoftSkill.list_from_json(data)
    assert len(skills) == len(data) and all(s.label for s in skills)


def _check_appellations(data: Any) -> None:
    titles = [RomeAppellation.from_json(item) for item in data]
    assert titles and all(t is not None and t.code.isdigit() and t.label for t in titles)


def _check_is_replayed(data: Any) -> None:
    """Token answers, errors and the recorded search page: replayed over HTTP below."""
    assert isinstance(data, dict)


def _check_messages(data: Any) -> None:
    """The 400 messages a production client matches: the emulator uses the same words."""
    emulator_messages = {
        value
        for name, value in vars(emulator_module).items()
        if name.startswith("MSG_") and isinstance(value, str)
    }
    emulator_messages |= {
        emulator_module.MSG_VALUE.format(name=name)
        for name in ("natureContrat", "typeContrat", "departement", "commune", "region")
    }
    emulator_messages.add(emulator_module.MSG_RANGE_START.format(max_start=3000))
    expected = [*data["search"], data["get_by_id"], *data["search_from_labonnealternance_client"]]
    assert [m for m in expected if m not in emulator_messages] == []


CHECKS: dict[str, Callable[[Any], None]] = {
    "error_400_legacy_with_classeOrigine.json": _check_is_replayed,
    "error_400_offres_search_messages_1j1s.json": _check_messages,
    "error_400_offres_search_range_too_wide.json": _check_is_replayed,
    "error_400_range_too_wide.json": _check_is_replayed,
    "error_400_token_invalid_client_official_doc.json": _check_is_replayed,
    "error_400_token_invalid_scope_official_doc.json": _check_is_replayed,
    "error_500_stats_api.json": _check_is_replayed,
    "offer_161JGGW.json": _check_offers,
    "offre_detail_179PPHH.json": _check_offers,
    "offres_search_206_range0-1_partenaires_2026.json": _check_offers,
    "offres_search_206_range0-1_partenaires_2026.metadata.json": _check_is_replayed,
    "offres_search_filtresPossibles_commune.json": _check_facets,
    "offres_search_item_167GHBR.json": _check_offers,
    "offres_search_item_167ZKWX_2024_unknownrepo.json": _check_offers,
    "offres_search_item_180HSFM.json": _check_offers,
    "offres_search_item_201WLXK_2025_cmnemoi.json": _check_offers,
    "offres_search_resultats_lesemplois_edited.json": _check_offers,
    "offres_search_resultats_partenaires_2021.json": _check_offers,
    "referentiel_communes_excerpt_1j1s_a.json": _check_communes,
    "referentiel_communes_excerpt_1j1s_b.json": _check_communes,
    "referentiel_naturesContrats.json": _check_referential,
    "referentiel_naturesContrats_partial.json": _check_referential,
    "referentiel_typesContrats_partial.json": _check_referential,
    "rome_metiers_appellation_list_champs_excerpt.json": _check_appellations,
    "search_filtresPossibles_french_towns_map.json": _check_facets,
    "search_response_doc_example.json": _check_offers,
    "softskills_job_skills_skills_object.json": _check_soft_skills,
    "softskills_skills_map_C1302_truncated.json": _check_soft_skills,
    "token_error_invalid_client.json": _check_is_replayed,
    "token_response_documented.json": _check_is_replayed,
    "token_response_entrepot-emploi.json": _check_is_replayed,
    "token_response_official_doc_example.json": _check_is_replayed,
}


def test_every_sample_file_has_a_check() -> None:
    """A new sample must be given a parser check here (or it would silently go unused)."""
    assert sorted(p.name for p in SAMPLES.glob("*.json")) == sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_sample_parses(name: str) -> None:
    CHECKS[name](load(name))


# -- replay over HTTP --------------------------------------------------------------------------


@dataclass
class Recorded:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Replay:
    """A loopback server answering every path with the recorded answer set for it."""

    answers: dict[str, Recorded] = field(default_factory=dict)
    authorizations: list[str] = field(default_factory=list)
    base: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.authorizations.append(request.headers.get("Authorization", ""))
        recorded = self.answers.get(request.path)
        if recorded is None:
            return web.Response(status=404)
        return web.Response(
            status=recorded.status,
            body=recorded.body,
            headers={"Content-Type": "application/json", **recorded.headers},
        )

    def client(self) -> FranceTravailClient:
        return FranceTravailClient(
            "PAR_replay",
            "replay-secret",
            api_base_url=self.base + "/partenaire",
            token_url=self.base + "/token",
            backoff_base=0.01,
            backoff_max=0.05,
        )


@pytest.fixture
async def replay() -> AsyncIterator[Replay]:
    state = Replay()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", state.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    state.base = f"http://{host}:{port}"
    try:
        yield state
    finally:
        await runner.cleanup()


def sample_bytes(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


SEARCH = "/partenaire/offresdemploi/v2/offres/search"


@pytest.mark.parametrize(
    "token_sample", ["token_response_documented.json", "token_response_entrepot-emploi.json"]
)
async def test_recorded_token_and_206_page_replayed(replay: Replay, token_sample: str) -> None:
    meta = load("offres_search_206_range0-1_partenaires_2026.metadata.json")
    replay.answers["/token"] = Recorded(200, sample_bytes(token_sample))
    replay.answers[SEARCH] = Recorded(
        meta["status_code"],
        sample_bytes("offres_search_206_range0-1_partenaires_2026.json"),
        {"Content-Range": meta["content_range"], "Accept-Range": meta["accept_range"]},
    )
    async with replay.client() as ft:
        page = await ft.search_offers(OfferQuery(keywords=meta["query"]), start=0, count=2)
    assert page.total == 453  # from the recorded Content-Range "offres 0-1/453"
    assert len(page.offers) == meta["result_count"] == 2
    recorded = load("offres_search_206_range0-1_partenaires_2026.json")["resultats"]
    assert [o.id for o in page.offers] == [str(item["id"]) for item in recorded]
    access_token = load(token_sample)["access_token"]
    assert replay.authorizations[-1] == f"Bearer {access_token}"


async def test_documentation_placeholder_token_is_a_clear_error(replay: Replay) -> None:
    # The official example's access_token is "[Valeur du jeton généré]": not a bearer token
    # (spaces, non-ASCII); it must not reach an HTTP header (httpx would raise UnicodeEncodeError).
    replay.answers["/token"] = Recorded(
        200, sample_bytes("token_response_official_doc_example.json")
    )
    async with replay.client() as ft:
        with pytest.raises(FTInvalidResponse, match="not a bearer token") as info:
            await ft.search_offers(OfferQuery())
    assert info.value.endpoint == "token"
    assert len(replay.authorizations) == 1  # the token request only


async def test_recorded_offer_detail_replayed(replay: Replay) -> None:
    replay.answers["/token"] = Recorded(200, sample_bytes("token_response_documented.json"))
    replay.answers["/partenaire/offresdemploi/v2/offres/179PPHH"] = Recorded(
        200, sample_bytes("offre_detail_179PPHH.json")
    )
    async with replay.client() as ft:
        offer = await ft.get_offer("179PPHH")
    assert offer == Offer.from_json(load("offre_detail_179PPHH.json"))
    assert offer is not None and offer.id == "179PPHH"


@pytest.mark.parametrize(
    ("sample", "message", "error"),
    [
        ("token_error_invalid_client.json", "Client authentication failed", "invalid_client"),
        (
            "error_400_token_invalid_client_official_doc.json",
            "Client authentication failed",
            "invalid_client",
        ),
        ("error_400_token_invalid_scope_official_doc.json", "Unknown/invalid scope", None),
    ],
)
async def test_recorded_token_errors_replayed(
    replay: Replay, sample: str, message: str, error: str | None
) -> None:
    replay.answers["/token"] = Recorded(400, sample_bytes(sample))
    async with replay.client() as ft:
        with pytest.raises(FTAuthError) as info:
            await ft.search_offers(OfferQuery())
    assert message in info.value.message
    if error is not None:
        assert info.value.error == error
    assert info.value.status == 400 and info.value.endpoint == "token"
    assert len(replay.authorizations) == 1  # refused credentials are not retried


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        ("error_400_range_too_wide.json", "La plage de résultats demandée est trop importante."),
        ("error_400_offres_search_range_too_wide.json", "trop importante"),
        ("error_400_legacy_with_classeOrigine.json", "salaryCurrencyCode"),
    ],
)
async def test_recorded_400_bodies_replayed(replay: Replay, sample: str, message: str) -> None:
    replay.answers["/token"] = Recorded(200, sample_bytes("token_response_documented.json"))
    replay.answers[SEARCH] = Recorded(400, sample_bytes(sample))
    async with replay.client() as ft:
        with pytest.raises(FTBadRequest) as info:
            await ft.search_offers(OfferQuery())
    assert message in info.value.message
    assert info.value.status == 400 and info.value.endpoint == "offres_search"
    assert replay.authorizations.count("") == 1  # token once, then a single search: no retry
    assert len(replay.authorizations) == 2
