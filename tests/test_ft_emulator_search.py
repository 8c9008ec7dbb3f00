"""France Travail emulator over HTTP: offer search (paging, validation, filters, dates, sort)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from sandbox.france_travail.referentials import haversine_km, load_referentials
from tests import helpers_ft_emulator
from tests.helpers_ft_emulator import NOW, _all, _created, _norm, _search, _token

# The emulator fixtures (tests/helpers_ft_emulator.py).
emu = helpers_ft_emulator.emu
http = helpers_ft_emulator.http


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
