"""`Storage.candidate_offers(..., communes=...)`, what local alert matching reads: the offers of
the queried communes whatever their distance (or without coordinates), plus those within the
radius, as France Travail's `commune` + `distance` answer; on both backends."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.alerts.local_source import LocalOfferSource
from ft_client import OfferQuery
from ft_client.models.offers import WorkPlace
from ft_client.referential import Referential
from storage import Storage
from tests import helpers_storage
from tests.test_storage_offers import T0, make_offer

backend = helpers_storage.backend
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage

LYON = (45.75881, 4.83533)


def placed(offer_id: str, commune: str, lat: float | None, lon: float | None, rome: str = "G1603"):  # type: ignore[no-untyped-def]
    offer = make_offer(offer_id, rome=rome, lat=lat, lon=lon)
    return dataclasses.replace(
        offer, place=WorkPlace(label="x", latitude=lat, longitude=lon, commune=commune)
    )


async def test_communes_are_matched_whatever_the_distance(storage: Storage) -> None:
    await storage.upsert_offers(
        [
            placed("A000001", "69383", 45.76, 4.85),  # Lyon 3e, near the centre
            placed("A000002", "69389", 45.90, 4.80),  # "Lyon 9e" placed 16 km away: a member
            placed("A000003", "69388", None, None),  # a member without coordinates
            placed("A000004", "69266", 45.77, 4.88),  # Villeurbanne, 4 km: within 10 km
            placed("A000005", "38185", 45.19, 5.72),  # Grenoble: neither
            placed("A000006", "69383", 45.76, 4.85, rome="K2204"),  # another job
        ]
    )
    members = ("69123", "69383", "69388", "69389")
    found = await storage.candidate_offers(["G1603"], *LYON, 10, T0, communes=members)
    assert sorted(c.offer.id for c in found) == ["A000001", "A000002", "A000003", "A000004"]
    distances = {c.offer.id: c.distance_km for c in found}
    assert distances["A000003"] is None and distances["A000002"] > 10  # type: ignore[operator]
    # Without the communes, only the radius counts (what the sweep's tests check).
    found = await storage.candidate_offers(["G1603"], *LYON, 10, T0)
    assert sorted(c.offer.id for c in found) == ["A000001", "A000004"]
    # Without a point: the communes alone (distance 0, or a centre the referential lacks).
    found = await storage.candidate_offers(["G1603"], None, None, 0, T0, communes=members)
    assert sorted(c.offer.id for c in found) == ["A000001", "A000002", "A000003"]


async def test_sqlite_reads_the_communes_from_their_index(tmp_path: Path) -> None:

    async with Storage.open(tmp_path / "plan.sqlite3") as s:
        captured: list[tuple[str, dict[str, object]]] = []
        real = s._fetchall_bulk  # candidates are a bulk read (a second connection)

        async def spy(statement, params=None):  # type: ignore[no-untyped-def]
            captured.append((str(statement), params))
            return await real(statement, params)

        s._fetchall_bulk = spy  # type: ignore[method-assign]
        await s.candidate_offers(["G1603"], None, None, 0, T0, communes=("69123", "69383"))
        await s.candidate_offers(["G1603", "K2204"], *LYON, 10, T0, communes=("69123", "69383"))
        s._fetchall_bulk = real  # type: ignore[method-assign]
        assert len(captured) == 2
        for sql, params in captured:
            plan = await s._fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
            details = [str(row[-1]) for row in plan]
            assert any("offers_rome_commune" in line for line in details), details
            # Only the parameter lists (json_each) are scanned, never the offers table.
            assert not any(
                line.startswith("SCAN") and "VIRTUAL TABLE" not in line for line in details
            ), details


async def test_only_the_candidates_a_query_keeps_are_rebuilt(storage: Storage) -> None:
    """`LocalOfferSource.offers_for_many` filters on the candidates' own columns; the offers
    it hands on are the same as the rebuilt candidates', the others are never rebuilt."""
    cdd = [placed(f"B{i:06d}", "69383", 45.76, 4.85) for i in range(6)]  # make_offer: CDD
    cdi = [dataclasses.replace(o, id=f"C{i:06d}", contract_type="CDI") for i, o in enumerate(cdd)]
    await storage.upsert_offers(cdd + cdi)
    source = LocalOfferSource(storage, Referential.load())
    key = OfferQuery(rome_codes=("G1603",), commune="69123", distance_km=10)
    only_cdi = dataclasses.replace(key, contract_types=("CDI",))
    (kept,) = await source.offers_for_many([only_cdi], T0, T0.replace(year=2027))
    assert sorted(o.id for o in kept) == sorted(o.id for o in cdi)
    assert source.candidates == 12 and source.rebuilt == 6
    # The rebuilt offers are the stored ones (what a full rebuild of every row gives).
    found = await storage.candidate_offers(["G1603"], *LYON, 10, T0, communes=("69383",))
    rebuilt = {c.offer.id: c.offer for c in found}
    assert all(rebuilt[o.id] == o for o in kept)
