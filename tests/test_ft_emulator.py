"""France Travail emulator over HTTP with httpx: token endpoint, authorisation, rate limits, seeds.

The other topics: ``test_ft_emulator_search.py`` (offer search) and
``test_ft_emulator_referentials.py`` (offer detail, referentials, ROME 4.0, soft skills); shared
fixtures and helpers in ``tests/helpers_ft_emulator.py``.
"""

from __future__ import annotations

import re

import httpx
import pytest

from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from tests import helpers_ft_emulator
from tests.helpers_ft_emulator import NOW, SEARCH, _search, _token

# The emulator fixtures (tests/helpers_ft_emulator.py).
emu = helpers_ft_emulator.emu
http = helpers_ft_emulator.http


# ---- token endpoint -----------------------------------------------------------------------------


async def test_token_success_shape(emu: FranceTravailEmulator, http: httpx.AsyncClient) -> None:
    r = await http.post(
        emu.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": emu.client_id,
            "client_secret": emu.client_secret,
            "scope": "api_offresdemploiv2 o2dsoffre",
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 1499
    assert body["scope"] == "api_offresdemploiv2 o2dsoffre"
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", body["access_token"])
    assert emu.stats.token_requests == 1


@pytest.mark.parametrize("realm", ["/partenaire", "%2Fpartenaire", "partenaire"])
async def test_token_realm_forms_and_fields_from_query(
    emu: FranceTravailEmulator, http: httpx.AsyncClient, realm: str
) -> None:
    url = f"{emu.root_url}/connexion/oauth2/access_token?realm={realm}"
    # grant_type and scope in the query string, credentials in the body (as some clients do)
    r = await http.post(
        url + "&grant_type=client_credentials&scope=api_offresdemploiv2",
        data={"client_id": emu.client_id, "client_secret": emu.client_secret},
    )
    assert r.status_code == 200, r.text
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert (await _search(http, emu, headers, range="0-0")).status_code == 206


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [("unknown", "whatever"), (None, "bad"), ("", ""), ("' OR 1=1 --", "<script>")],
)
async def test_token_bad_credentials(
    emu: FranceTravailEmulator, http: httpx.AsyncClient, client_id: str | None, secret: str
) -> None:
    r = await http.post(
        emu.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": client_id if client_id is not None else emu.client_id,
            "client_secret": secret,
            "scope": "api_offresdemploiv2",
        },
    )
    assert r.status_code == 400
    assert r.json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed",
    }


async def test_token_unknown_scope_and_grant(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    base = {"client_id": emu.client_id, "client_secret": emu.client_secret}
    r = await http.post(
        emu.token_url,
        data={**base, "grant_type": "client_credentials", "scope": "api_quinexistepasv0"},
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_scope"
    assert "api_quinexistepasv0" in r.json()["error_description"]
    r = await http.post(emu.token_url, data={**base, "grant_type": "password"})
    assert r.status_code == 400
    assert r.json()["error"] == "unsupported_grant_type"
    assert (await http.get(emu.token_url)).status_code == 405


async def test_token_scopes_restricted_per_client(http: httpx.AsyncClient) -> None:
    config = EmulatorConfig(
        offer_count=10,
        now=NOW,
        clients={"PAR_a": "s" * 64},
        client_scopes={"PAR_a": frozenset({"api_offresdemploiv2"})},
    )
    async with FranceTravailEmulator(config) as emu:
        data = {"grant_type": "client_credentials", "client_id": "PAR_a", "client_secret": "s" * 64}
        r = await http.post(emu.token_url, data={**data, "scope": "api_matchviasoftskillsv1"})
        assert r.status_code == 400
        assert r.json()["error"] == "invalid_scope"
        r = await http.post(emu.token_url, data={**data, "scope": "api_offresdemploiv2"})
        assert r.status_code == 200


# ---- authorisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [SEARCH, "/offresdemploi/v2/offres/161JGGW", "/does/not/exist", "/rome-metiers/v1/nope"],
)
async def test_401_before_routing(
    emu: FranceTravailEmulator, http: httpx.AsyncClient, path: str
) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
        r = await http.get(emu.base_url + path, headers=headers)
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"] == "Bearer"
        assert r.content == b""


async def test_unknown_path_with_token_is_404(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    r = await http.get(emu.base_url + "/does/not/exist", headers=headers)
    assert r.status_code == 404


async def test_403_without_the_api_scope(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu, scope="api_offresdemploiv2 o2dsoffre")
    r = await http.get(emu.base_url + "/rome-metiers/v1/metiers/metier/G1603", headers=headers)
    assert r.status_code == 403
    r = await http.post(
        emu.base_url + "/matchviasoftskills/v1/professions/job_skills?code=G1603", headers=headers
    )
    assert r.status_code == 403
    assert (await _search(http, emu, headers, range="0-0")).status_code == 206


async def test_token_expiry_by_ttl_and_by_fault(http: httpx.AsyncClient) -> None:
    async with FranceTravailEmulator(EmulatorConfig(offer_count=10, now=NOW, token_ttl=0)) as emu:
        headers = await _token(http, emu)
        assert (await _search(http, emu, headers)).status_code == 401
    async with FranceTravailEmulator(EmulatorConfig(offer_count=10, now=NOW)) as emu:
        headers = await _token(http, emu)
        assert (await _search(http, emu, headers, range="0-0")).status_code == 206
        emu.faults.expire_tokens()
        r = await _search(http, emu, headers, range="0-0")
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"] == "Bearer"
        fresh = await _token(http, emu)
        assert (await _search(http, emu, fresh, range="0-0")).status_code == 206


# ---- rate limits --------------------------------------------------------------------------------


async def test_rate_limit_429_with_retry_after(http: httpx.AsyncClient) -> None:
    defaults = EmulatorConfig()
    assert defaults.rate_limits == {
        "offres": 10.0,
        "rome": 1.0,
        "softskills": 1.0,
        "labonneboite": 2.0,
        "marche": 10.0,
        "romeo": 2.0,
    }
    assert defaults.burst_for("offres") == 10.0
    assert defaults.burst_for("rome") == 1.0
    # A bucket of 10 that refills very slowly: the outcome does not depend on the machine's speed.
    slow = {"offres": 0.001, "rome": 0.001}
    config = EmulatorConfig(offer_count=20, now=NOW, rate_limits=slow, burst={"offres": 10})
    async with FranceTravailEmulator(config) as emu:
        headers = await _token(http, emu)
        statuses = []
        remaining = []
        for _ in range(13):
            r = await _search(http, emu, headers, range="0-0")
            statuses.append(r.status_code)
            remaining.append(r.headers["X-RateLimit-Remaining"])
            assert r.headers["X-RateLimit-Limit"] == "0.001"
            if r.status_code == 429:
                assert r.headers["Retry-After"] == "1"
                assert r.headers["Content-Type"].startswith("text/plain")
        assert statuses == [206] * 10 + [429] * 3
        assert remaining[:10] == [str(n) for n in range(9, -1, -1)]
        assert emu.stats.rate_limited == 3
        assert emu.stats.rate_limited_by_api["offres"] == 3
        assert emu.stats.max_calls_in_window("offres", window=3600) == 13
        assert emu.stats.max_calls_in_window("offres", window=3600, accepted_only=True) == 10
        # another client has its own bucket
        emu.clients["PAR_other"] = "x" * 64
        other = {"Authorization": f"Bearer {emu.issue_token(client_id='PAR_other')}"}
        assert (await _search(http, emu, other, range="0-0")).status_code == 206
        # ROME has its own bucket (burst 1) per client
        url = emu.base_url + "/rome-metiers/v1/metiers/metier/G1603"
        first = await http.get(url, headers=headers)
        second = await http.get(url, headers=headers)
        assert first.status_code == 200
        assert second.status_code == 429


async def test_rate_limit_can_be_disabled(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    statuses = {(await _search(http, emu, headers, range="0-0")).status_code for _ in range(20)}
    assert statuses == {206}
    assert emu.stats.rate_limited == 0


def test_max_calls_in_window_is_a_sliding_window() -> None:
    from sandbox.france_travail import Stats

    stats = Stats()
    for t in (0.0, 0.5, 0.99, 1.0, 1.2, 1.3, 3.0):
        stats.record_arrival("offres_search", "offres", t)
    assert stats.max_calls_in_window("offres") == 5  # 0.5, 0.99, 1.0, 1.2, 1.3 within [0.5, 1.5)
    assert stats.max_calls_in_window("offres", window=0.25) == 3  # 0.99, 1.0, 1.2
    assert stats.max_calls_in_window("rome") == 0


async def test_same_seed_same_answers(http: httpx.AsyncClient) -> None:
    bodies = []
    for _ in range(2):
        config = EmulatorConfig(seed=99, offer_count=300, now=NOW, enforce_rate_limits=False)
        async with FranceTravailEmulator(config) as emu:
            headers = await _token(http, emu)
            r = await _search(http, emu, headers, commune="33063", distance="50", sort="1")
            bodies.append((r.status_code, r.headers.get("Content-Range"), r.json()))
    assert bodies[0] == bodies[1]
    assert bodies[0][0] in (200, 206) and bodies[0][2]["resultats"]  # not two empty answers


async def test_rate_limits_merge_with_defaults_and_can_change(http: httpx.AsyncClient) -> None:
    config = EmulatorConfig(
        offer_count=10, now=NOW, rate_limits={"offres": 0.001}, burst={"offres": 2}
    )
    assert config.rate_limits == {
        "offres": 0.001,
        "rome": 1.0,
        "softskills": 1.0,
        "labonneboite": 2.0,
        "marche": 10.0,
        "romeo": 2.0,
    }
    async with FranceTravailEmulator(config) as emu:
        headers = await _token(http, emu)
        statuses = [(await _search(http, emu, headers, range="0-0")).status_code for _ in range(4)]
        assert statuses == [206, 206, 429, 429]
        emu.config.rate_limits["offres"] = float("inf")  # unlimited from now on
        statuses = {(await _search(http, emu, headers, range="0-0")).status_code for _ in range(15)}
        assert statuses == {206}
