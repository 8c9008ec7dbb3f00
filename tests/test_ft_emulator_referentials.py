"""France Travail emulator over HTTP: offer detail, referentials, ROME 4.0 and soft skills."""

from __future__ import annotations

import re

import httpx
import pytest

from sandbox.france_travail import FranceTravailEmulator
from tests import helpers_ft_emulator
from tests.helpers_ft_emulator import _norm, _token

# The emulator fixtures (tests/helpers_ft_emulator.py).
emu = helpers_ft_emulator.emu
http = helpers_ft_emulator.http


# ---- detail and referentials ------------------------------------------------------------------


async def test_offer_detail(emu: FranceTravailEmulator, http: httpx.AsyncClient) -> None:
    headers = await _token(http, emu)
    url = emu.base_url + "/offresdemploi/v2/offres/"
    r = await http.get(url + "161JGGW", headers=headers)
    assert r.status_code == 200
    assert r.json()["intitule"] == "Réceptionniste (H/F)"
    generated = emu.offers[-1]["id"]
    assert (await http.get(url + generated, headers=headers)).json() == emu.offers[-1]
    r = await http.get(url + "000ZZZZ", headers=headers)
    assert r.status_code == 204
    assert r.content == b""
    for bad in ("abc", "161jggw", "161JGGW1", "%27%20OR%201%3D1"):
        r = await http.get(url + bad, headers=headers)
        assert r.status_code == 400, bad
        assert r.json()["message"] == "Le format de l'id de l'offre recherchée est incorrect."
    emu.remove_offer("161JGGW")
    assert (await http.get(url + "161JGGW", headers=headers)).status_code == 204


@pytest.mark.parametrize(
    ("name", "minimum"),
    [
        ("metiers", 1500),
        ("appellations", 10000),
        ("communes", 30000),
        ("departements", 100),
        ("regions", 18),
        ("typesContrats", 8),
        ("naturesContrats", 20),
    ],
)
async def test_referentials(
    emu: FranceTravailEmulator, http: httpx.AsyncClient, name: str, minimum: int
) -> None:
    headers = await _token(http, emu)
    r = await http.get(f"{emu.base_url}/offresdemploi/v2/referentiel/{name}", headers=headers)
    assert r.status_code == 200
    items = r.json()
    assert len(items) >= minimum
    assert r.headers["Content-Range"] == f"{name} */{len(items)}"
    assert all(isinstance(i["code"], str) and i["libelle"] for i in items)
    codes = {i["code"] for i in items}
    expected = {
        "metiers": "G1603",
        "communes": "75101",
        "departements": "2A",
        "regions": "11",
        "typesContrats": "CDI",
        "naturesContrats": "E2",
    }
    if name in expected:
        assert expected[name] in codes
    if name == "communes":
        paris1 = next(i for i in items if i["code"] == "75101")
        assert paris1 == {
            "code": "75101",
            "libelle": "PARIS 01",
            "codePostal": "75001",
            "codeDepartement": "75",
        }


async def test_unknown_referential_is_404(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    r = await http.get(f"{emu.base_url}/offresdemploi/v2/referentiel/nope", headers=headers)
    assert r.status_code == 404


# ---- ROME 4.0 and soft skills -----------------------------------------------------------------


async def test_rome_metier_fiche_and_search(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    r = await http.get(emu.base_url + "/rome-metiers/v1/metiers/metier/G1603", headers=headers)
    assert r.status_code == 200
    job = r.json()
    assert job["code"] == "G1603"
    assert job["domaineProfessionnel"]["code"] == "G16"
    assert job["domaineProfessionnel"]["grandDomaine"]["code"] == "G"
    assert any(a["classification"] == "PRINCIPALE" for a in job["appellations"])
    assert job["competencesMobilisees"]
    assert all({"type", "code", "libelle"} <= set(c) for c in job["competencesMobilisees"])
    r = await http.get(emu.base_url + "/rome-metiers/v1/metiers/metier", headers=headers)
    assert len(r.json()) >= 1500
    r = await http.get(
        emu.base_url + "/rome-metiers/v1/metiers/appellation/requete",
        params={"q": "serveur restaurant"},
        headers=headers,
    )
    found = r.json()
    assert found["requete"] == "serveur restaurant"
    assert 0 < len(found["resultats"]) <= 20
    assert found["totalResultats"] >= len(found["resultats"])
    assert all("serveu" in _norm(a["libelle"]) for a in found["resultats"])
    r = await http.get(
        emu.base_url + "/rome-fiches-metiers/v1/fiches-rome/fiche-metier/G1603", headers=headers
    )
    fiche = r.json()
    assert fiche["metier"] == {"code": "G1603", "libelle": job["libelle"]}
    groups = fiche["groupesCompetencesMobilisees"]
    assert groups
    assert all(g["enjeu"]["libelle"] and g["competences"] for g in groups)
    assert fiche["groupesSavoirs"][0]["savoirs"]
    for path in (
        "/rome-metiers/v1/metiers/metier/Z9999",
        "/rome-metiers/v1/metiers/metier/G9999",
        "/rome-fiches-metiers/v1/fiches-rome/fiche-metier/G9999",
    ):
        assert (await http.get(emu.base_url + path, headers=headers)).status_code == 404


async def test_soft_skills(emu: FranceTravailEmulator, http: httpx.AsyncClient) -> None:
    headers = await _token(http, emu)
    url = emu.base_url + "/matchviasoftskills/v1/professions/job_skills"
    r = await http.post(url, params={"code": "G1603"}, headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "G1603"
    assert re.fullmatch(r"[0-9a-f-]{36}", body["uuid"])
    assert body["create_at"]
    skills = body["skills"]
    assert sorted(skills) == [f"soft_skill_{i:02d}" for i in range(1, 24)]
    assert skills["soft_skill_01"]["summary"] == "Être autonome"
    assert all(0.0 <= s["score"] <= 1.0 and s["details"] for s in skills.values())
    again = (await http.post(url, data={"code": "G1603"}, headers=headers)).json()["skills"]
    assert again == skills  # deterministic per code; code read from the form too
    other = (await http.post(url, params={"code": "M1805"}, headers=headers)).json()["skills"]
    assert other != skills
    assert (await http.post(url, params={"code": "G9999"}, headers=headers)).status_code == 404
    assert (await http.post(url, headers=headers)).status_code == 400


async def test_rome_field_selector(emu: FranceTravailEmulator, http: httpx.AsyncClient) -> None:
    headers = await _token(http, emu)
    url = emu.base_url + "/rome-metiers/v1/metiers/metier"
    r = await http.get(url, params={"champs": "code,libelle"}, headers=headers)
    assert all(set(item) == {"code", "libelle"} for item in r.json())
    r = await http.get(
        url + "/G1603",
        params={"champs": "code,domaineProfessionnel(code,grandDomaine(code)),appellations(code)"},
        headers=headers,
    )
    assert r.json()["domaineProfessionnel"] == {"code": "G16", "grandDomaine": {"code": "G"}}
    assert set(r.json()) == {"code", "domaineProfessionnel", "appellations"}
    assert all(set(a) == {"code"} for a in r.json()["appellations"])
    r = await http.get(
        emu.base_url + "/rome-metiers/v1/metiers/appellation/requete",
        params={"q": "boulanger", "champs": "code,libelle,metier(code)"},
        headers=headers,
    )
    assert r.json()["resultats"]
    assert all(set(a) == {"code", "libelle", "metier"} for a in r.json()["resultats"])
    for bad in ("code,(", "code)", ",", "code,libelle(x"):
        r = await http.get(url + "/G1603", params={"champs": bad}, headers=headers)
        assert r.status_code == 400, bad
