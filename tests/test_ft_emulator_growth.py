"""The France Travail emulator over time: a frozen clock moved by tests, offers published at a
rate per hour and placed by population, found through the creation-date and département filters,
and the 3 150 reachable results of a large département."""

from __future__ import annotations

import collections
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from sandbox.france_travail.formats import format_ft_datetime, parse_ft_datetime

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def _config(**overrides: object) -> EmulatorConfig:
    settings: dict[str, object] = {
        "offer_count": 0,
        "include_samples": False,
        "now": T0,
        "new_offers_per_hour": 1200,
        "enforce_rate_limits": False,
        **overrides,
    }
    return EmulatorConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
async def emu() -> AsyncIterator[FranceTravailEmulator]:
    async with FranceTravailEmulator(_config()) as emulator:
        yield emulator


async def _search(emu: FranceTravailEmulator, **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {emu.issue_token()}"}
    async with httpx.AsyncClient(base_url=emu.base_url, headers=headers) as http:
        return await http.get("/offresdemploi/v2/offres/search", params=params)


def _total(response: httpx.Response) -> int:
    if response.status_code == 204:
        return 0
    return int(response.headers["Content-Range"].rsplit("/", 1)[1])


def _ft(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_the_clock_moves_only_when_told_and_publishes_the_hours_offers(
    emu: FranceTravailEmulator,
) -> None:
    assert emu.now() == T0 and emu.offers == []
    published = emu.advance_clock(timedelta(minutes=30))
    assert emu.now() == T0 + timedelta(minutes=30)
    assert len(published) == 600 and len(emu.offers) == 600
    created = [parse_ft_datetime(o["dateCreation"]) for o in published]
    assert all(c is not None and T0 < c <= emu.now() for c in created)
    assert created == sorted(created)  # oldest first
    # spread over the interval, not bunched at one end
    assert sum(c < T0 + timedelta(minutes=15) for c in created if c) in range(240, 361)
    assert emu.advance_clock(timedelta(0)) == []


async def test_fractions_of_an_offer_carry_over_to_the_next_advance() -> None:
    async with FranceTravailEmulator(_config(new_offers_per_hour=10)) as emu:
        counts = [len(emu.advance_clock(timedelta(minutes=9))) for _ in range(4)]
    assert counts == [1, 2, 1, 2]  # 1.5 per advance: 6 in 36 minutes


async def test_growth_is_deterministic_for_a_seed() -> None:
    runs = []
    for _ in range(2):
        async with FranceTravailEmulator(_config()) as emu:
            runs.append([o["id"] for o in emu.advance_clock(timedelta(minutes=10))])
    assert runs[0] == runs[1] and len(set(runs[0])) == 200


async def test_new_offers_are_placed_like_the_population(emu: FranceTravailEmulator) -> None:
    weights = emu.departement_weights()
    published = emu.advance_clock(timedelta(hours=10))
    per_dept = collections.Counter(emu._commune_dept(o) for o in published)
    assert sum(per_dept.values()) == 12000
    for dept in ("75", "59", "13", "33"):
        expected = weights[dept] * 12000
        assert 0.8 * expected <= per_dept[dept] <= 1.2 * expected, dept
    assert per_dept["974"] > 0  # La Réunion too
    assert per_dept["75"] > 10 * per_dept["23"]  # Paris far ahead of the Creuse


async def test_creation_window_and_departement_filters_find_them(
    emu: FranceTravailEmulator,
) -> None:
    emu.advance_clock(timedelta(hours=1))
    middle = T0 + timedelta(minutes=30)
    edge = emu.publish_offers(1, since=middle - SECOND, until=middle)[0]
    assert edge["dateCreation"] == format_ft_datetime(middle)
    first_half = sum(1 for o in emu.offers if parse_ft_datetime(o["dateCreation"]) <= middle)
    response = await _search(emu, minCreationDate=_ft(T0), maxCreationDate=_ft(middle))
    assert _total(response) == first_half  # both bounds inclusive: the edge offer is in
    after = await _search(emu, minCreationDate=_ft(middle + SECOND), maxCreationDate=_ft(emu.now()))
    assert _total(after) == len(emu.offers) - first_half
    gironde = sum(1 for o in emu.offers if emu._commune_dept(o) == "33")
    response = await _search(
        emu, departement="33", minCreationDate=_ft(T0), maxCreationDate=_ft(emu.now())
    )
    assert _total(response) == gironde > 0
    assert all(emu._commune_dept(o) == "33" for o in response.json()["resultats"])


async def test_a_large_departement_reports_its_total_beyond_the_reachable_results(
    emu: FranceTravailEmulator,
) -> None:
    emu.publish_offers(4000, since=T0 - timedelta(hours=2), until=T0, departement="33")
    window = {"departement": "33", "minCreationDate": _ft(T0 - timedelta(hours=2))}
    window["maxCreationDate"] = _ft(T0)
    last = await _search(emu, range="3000-3149", **window)
    assert last.status_code == 206
    assert last.headers["Content-Range"] == "offres 3000-3149/4000"
    assert len(last.json()["resultats"]) == 150
    beyond = await _search(emu, range="3150-3299", **window)
    assert beyond.status_code == 400
    assert beyond.json()["message"] == (
        "La position de début doit être inférieure ou égale à 3000."
    )
    too_deep = await _search(emu, range="3001-3150", **window)
    assert too_deep.status_code == 400


async def test_bad_growth_requests_are_refused(emu: FranceTravailEmulator) -> None:
    with pytest.raises(ValueError, match="forward"):
        emu.advance_clock(timedelta(minutes=-1))
    with pytest.raises(ValueError, match="département"):
        emu.publish_offers(1, since=T0, until=T0, departement="99")
    with pytest.raises(ValueError, match="negative"):
        EmulatorConfig(new_offers_per_hour=-1)
