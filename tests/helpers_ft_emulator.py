"""Fixtures and helpers shared by the France Travail emulator tests (``test_ft_emulator*.py``).

The emulator is exercised over HTTP with httpx, not the project's client. Test modules bind the
fixtures by assignment (``emu = helpers_ft_emulator.emu``), like ``tests/helpers_storage.py``'s.
"""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from sandbox.france_travail import KNOWN_SCOPES, EmulatorConfig, FranceTravailEmulator

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
ALL_SCOPES = " ".join(sorted(KNOWN_SCOPES))
SEARCH = "/offresdemploi/v2/offres/search"


def _norm(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _created(offer: dict) -> datetime:
    return datetime.fromisoformat(offer["dateCreation"].replace("Z", "+00:00"))


@pytest.fixture
async def emu() -> AsyncIterator[FranceTravailEmulator]:
    config = EmulatorConfig(seed=7, offer_count=600, now=NOW, enforce_rate_limits=False)
    async with FranceTravailEmulator(config) as emulator:
        yield emulator


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10.0) as client:
        yield client


async def _token(
    http: httpx.AsyncClient, emu: FranceTravailEmulator, scope: str = ALL_SCOPES
) -> dict[str, str]:
    r = await http.post(
        emu.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": emu.client_id,
            "client_secret": emu.client_secret,
            "scope": scope,
        },
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def _search(
    http: httpx.AsyncClient, emu: FranceTravailEmulator, headers: dict[str, str], **params: str
) -> httpx.Response:
    return await http.get(emu.base_url + SEARCH, params=params, headers=headers)


async def _all(
    http: httpx.AsyncClient, emu: FranceTravailEmulator, headers: dict[str, str], **params: str
) -> list[dict]:
    """Every result of a search, page by page."""
    out: list[dict] = []
    start = 0
    while True:
        r = await _search(http, emu, headers, range=f"{start}-{start + 149}", **params)
        if r.status_code == 204:
            return out
        assert r.status_code in (200, 206), r.text
        out += r.json()["resultats"]
        total = int(r.headers["Content-Range"].rsplit("/", 1)[1])
        if len(out) >= total:
            return out
        start += 150
