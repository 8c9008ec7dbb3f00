"""France Travail emulator, exercised over HTTP with httpx (not the project's client)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sandbox.france_travail import KNOWN_SCOPES, EmulatorConfig, FranceTravailEmulator
from sandbox.france_travail.referentials import haversine_km, load_referentials

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


# ---- search -------------------------------------------------------------------------------------


async def test_search_paging_headers_and_statuses(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    total = len(emu.offers)
    r = await _search(http, emu, headers)
    assert r.status_code == 206
    assert r.headers["Content-Range"] == f"offres 0-149/{total}"
    assert r.headers["Accept-Range"] == "150"
    assert r.headers["Content-Type"].startswith("application/json")
    assert len(r.json()["resultats"]) == 150
    last_start = (total // 150) * 150
    r = await _search(http, emu, headers, range=f"{last_start}-{last_start + 149}")
    assert r.status_code == 200
    assert r.headers["Content-Range"] == f"offres {last_start}-{total - 1}/{total}"
    assert len(r.json()["resultats"]) == total - last_start
    # exactly reaching the last result is 200, one short is 206
    r = await _search(http, emu, headers, range=f"{total - 10}-{total - 1}")
    assert r.status_code == 200
    r = await _search(http, emu, headers, range=f"{total - 10}-{total - 2}")
    assert r.status_code == 206
    r = await _search(http, emu, headers, motsCles="zzzqqqxxyy")
    assert r.status_code == 204
    assert r.content == b""
    assert "Content-Range" not in r.headers


async def test_search_pages_have_no_duplicates_or_gaps(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    ids = [o["id"] for o in await _all(http, emu, headers, sort="1")]
    assert len(ids) == len(set(ids)) == len(emu.offers)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"range": "0-150"}, "La plage de résultats demandée est trop importante."),
        ({"range": "3001-3010"}, "La position de début doit être inférieure ou égale à 3000."),
        ({"range": "3000-3150"}, "La plage de résultats demandée est trop importante."),
        ({"range": "abc"}, "Format du paramètre « range » incorrect. <entier>-<entier> attendu."),
        ({"range": "10-5"}, "Format du paramètre « range » incorrect. <entier>-<entier> attendu."),
        ({"departement": "99"}, "Valeur du paramètre « departement » incorrecte."),
        ({"departement": "75,92,93,94,78,91"}, "Valeur du paramètre « departement » incorrecte."),
        ({"region": "99"}, "Valeur du paramètre « region » incorrecte."),
        ({"commune": "Paris"}, "Valeur du paramètre « commune » incorrecte."),
        (
            {"commune": "75056,69123,13055,31555,33063,44109"},
            "Valeur du paramètre « commune » incorrecte.",
        ),
        ({"typeContrat": "CDX"}, "Valeur du paramètre « typeContrat » incorrecte."),
        ({"natureContrat": "ZZ"}, "Valeur du paramètre « natureContrat » incorrecte."),
        ({"tempsPlein": "oui"}, "Format du paramètre « tempsPlein » incorrect. Booléen attendu."),
        (
            {"experienceExigence": "X"},
            "Format du paramètre « experienceExigence » incorrect. D, E ou S attendu.",
        ),
        ({"publieeDepuis": "2"}, "Valeur du paramètre « publieeDepuis » incorrecte."),
        ({"minCreationDate": "2026-11-01"}, "Format du paramètre « minCreationDate » incorrect."),
        (
            {"maxCreationDate": "2026-11-01T10:00:00.000Z"},
            "Format du paramètre « maxCreationDate » incorrect.",
        ),
        ({"codeROME": "G16O3"}, "Valeur du paramètre « codeROME » incorrecte."),
        ({"sort": "3"}, "Valeur du paramètre « sort » incorrecte."),
        (
            {"motsCles": "a"},
            "Format du paramètre « motsCles » incorrect. 7 mots-clé au maximum séparés par des "
            "virgules et d'au moins 2 caractères.",
        ),
        (
            {"motsCles": "aa,bb,cc,dd,ee,ff,gg,hh"},
            "Format du paramètre « motsCles » incorrect. 7 mots-clé au maximum séparés par des "
            "virgules et d'au moins 2 caractères.",
        ),
    ],
)
async def test_search_validation_messages(
    emu: FranceTravailEmulator, http: httpx.AsyncClient, params: dict[str, str], message: str
) -> None:
    headers = await _token(http, emu)
    r = await _search(http, emu, headers, **params)
    assert r.status_code == 400
    body = r.json()
    assert body["message"] == message
    assert body["codeHttp"] == 400
    assert re.fullmatch(r"\d{13}", body["codeErreur"])


async def test_unknown_parameters_are_ignored(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    plain = await _search(http, emu, headers, range="0-0")
    odd = await _search(http, emu, headers, range="0-0", foo="bar", offresMRS="true")
    assert odd.status_code == 206
    assert odd.headers["Content-Range"] == plain.headers["Content-Range"]


async def test_search_commune_and_distance(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    refs = load_referentials()
    lat0, lon0 = refs.commune_centre("75056")  # type: ignore[misc]
    near = await _all(http, emu, headers, commune="75056", distance="20")
    assert near
    for offer in near:
        place = offer["lieuTravail"]
        assert haversine_km(lat0, lon0, place["latitude"], place["longitude"]) <= 20 + 1e-9
    # wider radius contains the smaller one
    wider = {o["id"] for o in await _all(http, emu, headers, commune="75056", distance="60")}
    assert {o["id"] for o in near} <= wider
    assert len(wider) > len(near)
    # distance 0: the whole city means its arrondissements, and nothing else
    inside = await _all(http, emu, headers, commune="75056", distance="0")
    arrondissements = set(refs.children["75056"])
    assert inside
    assert {o["lieuTravail"]["commune"] for o in inside} <= arrondissements
    expected = {
        o["id"]
        for o in emu.offers
        if (o.get("lieuTravail") or {}).get("commune") in arrondissements
    }
    assert {o["id"] for o in inside} == expected
    # default distance is 10 km
    default = await _search(http, emu, headers, commune="75056")
    ten = await _search(http, emu, headers, commune="75056", distance="10")
    assert default.headers["Content-Range"] == ten.headers["Content-Range"]


async def test_search_commune_without_known_centre(http: httpx.AsyncClient) -> None:
    """Approximation: no centre -> the commune itself; widened to its département from 50 km."""
    refs = load_referentials()
    no_centre = next(
        c
        for c, rec in refs.communes.items()
        if rec["kind"] == "commune"
        and refs.commune_centre(c) is None
        and rec["departement"] == "76"
    )
    base = {"lieuTravail": {"libelle": "76 - X", "commune": no_centre}, "intitule": "Test (H/F)"}
    async with FranceTravailEmulator(
        EmulatorConfig(offer_count=300, now=NOW, enforce_rate_limits=False)
    ) as emu:
        emu.add_offer({**base, "id": "999ZZZA", "dateCreation": "2026-11-20T10:00:00.000Z"})
        headers = await _token(http, emu)
        small = await _all(http, emu, headers, commune=no_centre, distance="10")
        assert [o["id"] for o in small] == ["999ZZZA"]
        wide = await _all(http, emu, headers, commune=no_centre, distance="50")
        in_dept = [o for o in emu.offers if o["lieuTravail"]["libelle"].startswith("76 - ")]
        assert {o["id"] for o in wide} == {o["id"] for o in in_dept}
        assert len(wide) > 1


async def test_search_keywords_accent_and_case_insensitive(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    emu.add_offer(
        {
            "id": "999AAAA",
            "intitule": "Développeur Python (H/F)",
            "description": "Équipe data Zébulon à Lyon",
            "dateCreation": "2026-11-24T10:00:00.000Z",
        }
    )
    a = {o["id"] for o in await _all(http, emu, headers, motsCles="développeur")}
    b = {o["id"] for o in await _all(http, emu, headers, motsCles="DEVELOPPEUR")}
    assert a == b
    assert "999AAAA" in a
    both = await _all(http, emu, headers, motsCles="developpeur,zebulon")
    assert [o["id"] for o in both] == ["999AAAA"]
    for offer in await _all(http, emu, headers, motsCles="vendeur"):
        assert "vendeur" in _norm(offer["intitule"] + " " + offer.get("description", ""))
    r = await _search(http, emu, headers, motsCles="<script>alert(1)</script>,' OR 1=1")
    assert r.status_code == 204


async def test_search_rome_contract_and_nature_or(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    codes = sorted({o["romeCode"] for o in emu.offers})[:3]
    found = await _all(http, emu, headers, codeROME=",".join(codes))
    assert found
    assert {o["romeCode"] for o in found} <= set(codes)
    assert len(found) == sum(1 for o in emu.offers if o["romeCode"] in codes)
    cdi = await _all(http, emu, headers, typeContrat="CDI")
    assert cdi
    assert all(o["typeContrat"] == "CDI" for o in cdi)
    e2 = await _all(http, emu, headers, natureContrat="E2")
    assert all(o["natureContrat"] == "Contrat apprentissage" for o in e2)
    either = {
        o["id"] for o in await _all(http, emu, headers, typeContrat="CDI", natureContrat="E2")
    }
    assert either == {o["id"] for o in cdi} | {o["id"] for o in e2}


async def test_search_other_filters(emu: FranceTravailEmulator, http: httpx.AsyncClient) -> None:
    headers = await _token(http, emu)
    dep = await _all(http, emu, headers, departement="75,13")
    assert dep
    assert all(o["lieuTravail"]["libelle"][:2] in {"75", "13"} for o in dep)
    idf = await _all(http, emu, headers, region="11")
    idf_depts = {"75", "77", "78", "91", "92", "93", "94", "95"}
    assert idf
    assert all(o["lieuTravail"]["libelle"][:2] in idf_depts for o in idf)
    part = await _all(http, emu, headers, tempsPlein="false")
    assert part
    assert all(o.get("dureeTravailLibelleConverti") == "Temps partiel" for o in part)
    full = await _all(http, emu, headers, tempsPlein="true")
    assert all(o.get("dureeTravailLibelleConverti") == "Temps plein" for o in full)
    beginners = await _all(http, emu, headers, experienceExigence="D")
    assert beginners
    assert all(o["experienceExige"] == "D" for o in beginners)
    cadres = await _all(http, emu, headers, qualification="9")
    assert all(o["qualificationCode"] == "9" for o in cadres)


async def test_search_creation_dates_and_sort(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    low, high = NOW - timedelta(days=3), NOW - timedelta(days=1)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    window = await _all(
        http, emu, headers, minCreationDate=low.strftime(fmt), maxCreationDate=high.strftime(fmt)
    )
    assert window
    assert all(low <= _created(o) <= high for o in window)
    expected = sum(1 for o in emu.offers if low <= _created(o) <= high)
    assert len(window) == expected
    last_day = await _all(http, emu, headers, publieeDepuis="1", sort="1")
    assert len(last_day) >= 5  # the dataset always has offers from the last 24 h
    assert all(_created(o) >= NOW - timedelta(days=1) for o in last_day)
    dates = [o["dateCreation"] for o in last_day]
    assert dates == sorted(dates, reverse=True)
    refs = load_referentials()
    lat0, lon0 = refs.commune_centre("31555")  # type: ignore[misc]
    by_distance = await _all(http, emu, headers, commune="31555", distance="40", sort="2")
    dists = [
        haversine_km(lat0, lon0, o["lieuTravail"]["latitude"], o["lieuTravail"]["longitude"])
        for o in by_distance
    ]
    assert dists == sorted(dists)


async def test_facets_cover_the_whole_result_set(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    r = await _search(http, emu, headers, range="0-9", departement="75,92,93,94,13")
    total = int(r.headers["Content-Range"].rsplit("/", 1)[1])
    facets = {f["filtre"]: f["agregation"] for f in r.json()["filtresPossibles"]}
    assert set(facets) == {"typeContrat", "experience", "qualification", "natureContrat"}
    assert total > 10
    for name, values in facets.items():
        assert sum(v["nbResultats"] for v in values) == total, name
    cdi = next(v["nbResultats"] for v in facets["typeContrat"] if v["valeurPossible"] == "CDI")
    r = await _search(
        http, emu, headers, range="0-0", departement="75,92,93,94,13", typeContrat="CDI"
    )
    assert r.headers["Content-Range"].endswith(f"/{cdi}")


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


async def test_search_secondary_filters(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    restaurants = await _all(http, emu, headers, secteurActivite="56")
    assert restaurants
    assert all(o["secteurActivite"] == "56" for o in restaurants)
    interim = await _all(http, emu, headers, codeNAF="78.20Z")
    assert interim
    assert all(o["codeNAF"] == "78.20Z" for o in interim)
    hotel = await _all(http, emu, headers, grandDomaine="G")
    assert hotel
    assert all(o["romeCode"].startswith("G") for o in hotel)
    assert all(
        o["romeCode"].startswith("G16") for o in await _all(http, emu, headers, domaine="G16")
    )
    partners = await _all(http, emu, headers, origineOffre="2")
    assert {o["id"] for o in partners} >= {"4066270", "4007869"}
    hard = await _all(http, emu, headers, offresManqueCandidats="true")
    assert hard
    assert all(o["offresManqueCandidats"] for o in hard)
    assert all(
        o["accessibleTH"] for o in await _all(http, emu, headers, accesTravailleurHandicape="true")
    )
    for params in (
        {"codeNAF": "7820Z"},
        {"secteurActivite": "5"},
        {"grandDomaine": "Z"},
        {"origineOffre": "3"},
    ):
        assert (await _search(http, emu, headers, **params)).status_code == 400, params


async def test_search_appellation_and_experience(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    refs = load_referentials()
    label = emu.offers[-1]["appellationlibelle"]
    code = refs.appellation_codes[label]
    found = await _all(http, emu, headers, appellation=code)
    assert found
    assert all(o["appellationlibelle"] == label for o in found)
    assert (await _search(http, emu, headers, appellation="abc")).status_code == 400
    seniors = await _all(http, emu, headers, experience="3")
    assert seniors
    for offer in seniors:
        years = re.match(r"(\d+) An", offer["experienceLibelle"])
        assert years is not None
        assert int(years.group(1)) > 3


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


async def test_default_sort_is_relevance_title_matches_first(
    emu: FranceTravailEmulator, http: httpx.AsyncClient
) -> None:
    headers = await _token(http, emu)
    emu.add_offer(
        {
            "id": "999TITL",
            "intitule": "Zorglubiste confirmé (H/F)",
            "description": "Poste en atelier",
            "dateCreation": "2026-11-20T10:00:00.000Z",
        }
    )
    emu.add_offer(
        {
            "id": "999DESC",
            "intitule": "Agent polyvalent (H/F)",
            "description": "Vous aiderez notre zorglubiste",
            "dateCreation": "2026-11-24T10:00:00.000Z",
        }
    )
    by_relevance = await _all(http, emu, headers, motsCles="zorglubiste")
    assert [o["id"] for o in by_relevance] == ["999TITL", "999DESC"]
    explicit = await _all(http, emu, headers, motsCles="zorglubiste", sort="0")
    assert [o["id"] for o in explicit] == ["999TITL", "999DESC"]
    by_date = await _all(http, emu, headers, motsCles="zorglubiste", sort="1")
    assert [o["id"] for o in by_date] == ["999DESC", "999TITL"]
