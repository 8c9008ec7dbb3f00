"""France Travail emulator: fault injection, stats, dataset determinism, standalone use."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sandbox.france_travail import KNOWN_SCOPES, EmulatorConfig, FranceTravailEmulator
from sandbox.france_travail.dataset import build_offers
from sandbox.france_travail.referentials import soft_skill_labels
from tests import helpers_ft_emulator

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
SEARCH = "/offresdemploi/v2/offres/search"


@pytest.fixture
async def emu() -> AsyncIterator[FranceTravailEmulator]:
    config = EmulatorConfig(seed=3, offer_count=200, now=NOW, enforce_rate_limits=False)
    async with FranceTravailEmulator(config) as emulator:
        yield emulator


# The plain HTTP client fixture (tests/helpers_ft_emulator.py).
http = helpers_ft_emulator.http


def _auth(emu: FranceTravailEmulator) -> dict[str, str]:
    return {"Authorization": f"Bearer {emu.issue_token()}"}


async def _token_call(http: httpx.AsyncClient, emu: FranceTravailEmulator) -> httpx.Response:
    return await http.post(
        emu.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": emu.client_id,
            "client_secret": emu.client_secret,
            "scope": " ".join(sorted(KNOWN_SCOPES)),
        },
    )


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_fail_next_5xx_then_success(
    emu: FranceTravailEmulator, http: httpx.AsyncClient, status: int
) -> None:
    headers = _auth(emu)
    emu.faults.fail_next(2, status, "offres_search")
    first = await http.get(emu.base_url + SEARCH, headers=headers)
    second = await http.get(emu.base_url + SEARCH, headers=headers)
    third = await http.get(emu.base_url + SEARCH, headers=headers)
    assert [first.status_code, second.status_code, third.status_code] == [status, status, 206]
    if status == 500:
        assert first.json()["codeHttp"] == 500
    assert emu.stats.calls["offres_search"] == 3
    assert emu.stats.responses[("offres_search", status)] == 2
    assert emu.stats.faults_injected[str(status)] == 2
    assert emu.faults.pending == 0


async def test_fault_targets_only_its_endpoint(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = _auth(emu)
    emu.faults.fail_next(1, 503, "offres_detail")
    assert (await http.get(emu.base_url + SEARCH, headers=headers)).status_code == 206
    r = await http.get(emu.base_url + "/offresdemploi/v2/offres/161JGGW", headers=headers)
    assert r.status_code == 503
    r = await http.get(emu.base_url + "/offresdemploi/v2/offres/161JGGW", headers=headers)
    assert r.status_code == 200
    # by API name
    emu.faults.fail_next(1, 500, "rome")
    assert (await http.get(emu.base_url + SEARCH, headers=headers)).status_code == 206
    r = await http.get(emu.base_url + "/rome-metiers/v1/metiers/metier/G1603", headers=headers)
    assert r.status_code == 500


async def test_fault_without_endpoint_spares_the_token_endpoint(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    emu.faults.fail_next(1, 500)
    token = await _token_call(http, emu)
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert (await http.get(emu.base_url + SEARCH, headers=headers)).status_code == 500
    assert (await http.get(emu.base_url + SEARCH, headers=headers)).status_code == 206


async def test_token_endpoint_faults(emu: FranceTravailEmulator, http: httpx.AsyncClient) -> None:
    emu.faults.fail_next(1, 503, "token")
    emu.faults.fail_next(1, "malformed", "token")
    assert (await _token_call(http, emu)).status_code == 503
    malformed = await _token_call(http, emu)
    assert malformed.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(malformed.content)
    assert (await _token_call(http, emu)).status_code == 200
    assert emu.stats.token_requests == 3
    assert emu.stats.tokens_issued == 1


async def test_injected_429_and_401(emu: FranceTravailEmulator, http: httpx.AsyncClient) -> None:
    headers = _auth(emu)
    emu.faults.fail_next(1, 429, "offres_search")
    r = await http.get(emu.base_url + SEARCH, headers=headers)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"
    assert emu.stats.rate_limited == 0  # injected, not from the rate limiter
    emu.faults.fail_next(1, 401, "offres_search")
    r = await http.get(emu.base_url + SEARCH, headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    # the token itself is still valid
    assert (await http.get(emu.base_url + SEARCH, headers=headers)).status_code == 206


async def test_malformed_body(emu: FranceTravailEmulator, http: httpx.AsyncClient) -> None:
    emu.faults.fail_next(1, "malformed", "offres_search")
    r = await http.get(emu.base_url + SEARCH, headers=_auth(emu))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        r.json()


async def test_timeout_fault_and_clean_shutdown(http: httpx.AsyncClient) -> None:
    config = EmulatorConfig(offer_count=10, now=NOW, timeout_fault_seconds=120.0)
    async with FranceTravailEmulator(config) as emu:
        emu.faults.fail_next(1, "timeout", "offres_search")
        with pytest.raises(httpx.ReadTimeout):
            await http.get(emu.base_url + SEARCH, headers=_auth(emu), timeout=0.3)
        r = await http.get(emu.base_url + SEARCH, headers=_auth(emu))
        assert r.status_code == 200
        # a call still held by a timeout fault does not keep the emulator from stopping
        emu.faults.fail_next(1, "timeout", "offres_search")
        held = asyncio.create_task(http.get(emu.base_url + SEARCH, headers=_auth(emu)))
        async with asyncio.timeout(10):
            await emu.wait_until(lambda stats: stats.faults_injected["timeout"] == 2)
    try:
        answer = await asyncio.wait_for(held, timeout=10)
    except httpx.HTTPError:
        return  # connection closed by the shutdown: fine too
    assert answer.status_code == 504


async def test_disconnect_fault(emu: FranceTravailEmulator, http: httpx.AsyncClient) -> None:
    emu.faults.fail_next(1, "disconnect", "offres_search")
    with pytest.raises(httpx.TransportError):
        await http.get(emu.base_url + SEARCH, headers=_auth(emu))
    assert (await http.get(emu.base_url + SEARCH, headers=_auth(emu))).status_code == 206


async def test_latency_is_added(emu: FranceTravailEmulator, http: httpx.AsyncClient) -> None:
    emu.faults.latency = 0.2
    loop = asyncio.get_running_loop()
    started = loop.time()
    r = await http.get(emu.base_url + SEARCH, headers=_auth(emu))
    assert r.status_code == 206
    assert loop.time() - started >= 0.2


def test_fail_next_validates_its_arguments() -> None:
    emu = FranceTravailEmulator(EmulatorConfig(offer_count=0, now=NOW))
    with pytest.raises(ValueError, match="kind"):
        emu.faults.fail_next(1, "explode")
    with pytest.raises(ValueError):
        emu.faults.fail_next(0, 500)
    with pytest.raises(ValueError):
        emu.faults.fail_next(1, 200)


async def test_stats_reset(emu: FranceTravailEmulator, http: httpx.AsyncClient) -> None:
    await _token_call(http, emu)
    await http.get(emu.base_url + SEARCH, headers=_auth(emu))
    assert emu.stats.calls["offres_search"] == 1
    assert emu.stats.token_requests == 1
    emu.stats.reset()
    assert emu.stats.calls["offres_search"] == 0
    assert emu.stats.token_requests == 0
    assert emu.stats.max_calls_in_window("offres") == 0


# ---- dataset ------------------------------------------------------------------------------------


def test_dataset_is_deterministic_by_seed() -> None:
    a = build_offers(11, 300, NOW)
    b = build_offers(11, 300, NOW)
    c = build_offers(12, 300, NOW)
    assert a == b
    assert a is not b
    assert [o["id"] for o in a] != [o["id"] for o in c]
    a[0]["intitule"] = "changed"
    assert build_offers(11, 300, NOW)[0]["intitule"] != "changed"  # callers get fresh dicts
    later = build_offers(11, 300, NOW + timedelta(days=2))
    assert [o["id"] for o in later] == [o["id"] for o in a]
    first_gen = next(i for i, o in enumerate(a) if "fictive" in o["description"])
    shifted = datetime.fromisoformat(later[first_gen]["dateCreation"].replace("Z", "+00:00"))
    original = datetime.fromisoformat(b[first_gen]["dateCreation"].replace("Z", "+00:00"))
    assert shifted - original == timedelta(days=2)


def test_generated_offers_look_real() -> None:
    offers = build_offers(5, 400, NOW)
    samples = [o for o in offers if "fictive" not in o.get("description", "")]
    generated = [o for o in offers if "fictive" in o.get("description", "")]
    assert len(generated) == 400
    assert {"161JGGW", "048KLTP", "201WLXK"} <= {o["id"] for o in samples}
    ids = [o["id"] for o in offers]
    assert len(ids) == len(set(ids))
    day_ago = NOW - timedelta(days=1)
    recent = 0
    for offer in generated:
        assert re.fullmatch(r"[0-9A-Z]{7}", offer["id"])
        assert offer["intitule"].endswith(" (H/F)")
        assert re.fullmatch(r"[A-N]\d{4}", offer["romeCode"])
        place = offer["lieuTravail"]
        assert re.fullmatch(r"(\d{2}|2[AB]|97\d) - .+", place["libelle"])
        assert -90 <= place["latitude"] <= 90
        assert offer["origineOffre"]["urlOrigine"].endswith("/detail/" + offer["id"])
        assert "fictive" in offer["entreprise"]["description"]
        for comp in offer["competences"]:
            assert comp["exigence"] in {"E", "S"}
            assert comp["code"].isdigit()
        created = datetime.fromisoformat(offer["dateCreation"].replace("Z", "+00:00"))
        assert NOW - timedelta(days=31) <= created <= NOW
        recent += created >= day_ago
    assert recent >= 10
    # samples are re-dated into the last month as well
    for offer in samples:
        created = datetime.fromisoformat(offer["dateCreation"].replace("Z", "+00:00"))
        assert NOW - timedelta(days=31) <= created <= NOW
    assert any(o["lieuTravail"]["libelle"].startswith("75 - Paris ") for o in generated)


def test_soft_skill_labels_are_the_23_real_ones() -> None:
    labels = soft_skill_labels()
    assert len(labels) == 23
    assert {item["summary"] for item in labels} >= {"Être autonome", "Réactivité", "Sens critique"}


def test_emulator_offer_management() -> None:
    emu = FranceTravailEmulator(EmulatorConfig(offer_count=5, now=NOW, include_samples=False))
    assert len(emu.offers) == 5
    emu.add_offer({"id": "123ABCD", "intitule": "A"})
    emu.add_offer({"id": "123ABCD", "intitule": "B"})
    assert [o["intitule"] for o in emu.offers if o["id"] == "123ABCD"] == ["B"]
    assert emu.remove_offer("123ABCD")
    assert not emu.remove_offer("123ABCD")
    with pytest.raises(ValueError):
        emu.add_offer({"intitule": "no id"})
    emu.clear_offers()
    assert emu.offers == []
    with pytest.raises(ValueError):
        FranceTravailEmulator(host="0.0.0.0")  # noqa: S104 - the point is that it is refused


async def test_standalone_cli(http: httpx.AsyncClient) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox.france_travail", "--port", "0", "--offers", "50",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        lines: dict[str, str] = {}
        assert proc.stdout is not None
        while len(lines) < 4:
            line = (await asyncio.wait_for(proc.stdout.readline(), timeout=30)).decode()
            assert line, "emulator exited early"
            if "=" in line:
                key, _, value = line.strip().partition("=")
                lines[key] = value
        token = await http.post(
            lines["FT_TOKEN_URL"],
            data={
                "grant_type": "client_credentials",
                "client_id": lines["FT_CLIENT_ID"],
                "client_secret": lines["FT_CLIENT_SECRET"],
                "scope": "api_offresdemploiv2 o2dsoffre",
            },
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        r = await http.get(lines["FT_API_BASE_URL"] + SEARCH, headers=headers)
        assert r.status_code == 200  # everything fits in the default range 0-149
        # 50 generated + 11 samples
        assert r.headers["Content-Range"] == "offres 0-60/61"
    finally:
        proc.terminate()
        await proc.wait()


async def test_new_offer_is_searchable_at_once(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = _auth(emu)
    params = {"codeROME": "G1603", "commune": "75112", "distance": "0", "publieeDepuis": "1"}
    before = await http.get(emu.base_url + SEARCH, params=params, headers=headers)
    offer = emu.new_offer(rome_code="G1603", commune="75112")
    assert offer["romeCode"] == "G1603"
    assert offer["lieuTravail"]["commune"] == "75112"
    assert offer["lieuTravail"]["libelle"] == "75 - Paris 12e Arrondissement"
    assert offer["dateCreation"] == "2026-11-25T12:00:00.000Z"
    after = await http.get(emu.base_url + SEARCH, params=params, headers=headers)
    assert after.status_code == 200
    found = [o["id"] for o in after.json()["resultats"]]
    assert offer["id"] in found
    assert len(found) == (0 if before.status_code == 204 else len(before.json()["resultats"])) + 1
    custom = emu.new_offer(intitule="Plongeur (H/F)", created_at=NOW - timedelta(hours=2))
    assert custom["intitule"] == "Plongeur (H/F)"
    assert custom["id"] != offer["id"]
    with pytest.raises(ValueError, match="ROME"):
        emu.new_offer(rome_code="Z0000")
    with pytest.raises(ValueError, match="commune"):
        emu.new_offer(commune="00000")
