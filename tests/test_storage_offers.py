"""The sweep's ``offers`` table on both backends: the ``OfferSink`` semantics, the candidates
around a point (exact against a brute-force haversine over random offers), pruning."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ft_client.models import Offer
from ft_client.models.offers import (
    Company,
    Competence,
    ProfessionalQuality,
    Requirement,
    Salary,
    WorkPlace,
)
from ft_client.referential import haversine_km
from ft_client.sweep import OfferSink
from storage import Storage
from storage.offer_grid import cell_ranges, grid_cell
from tests import helpers_storage

# The storage fixtures, parametrized over both backends (tests/helpers_storage.py).
backend = helpers_storage.backend
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
ROMES = ("G1603", "K2204", "J1501", "N4101")


def make_offer(
    offer_id: str,
    *,
    rome: str = "G1603",
    lat: float | None = 45.75,
    lon: float | None = 4.85,
    created: datetime = T0,
    title: str = "Commis de cuisine (H/F)",
) -> Offer:
    return Offer(
        id=offer_id,
        title=title,
        description="Poste en télétravail partiel possible.",
        created_at=created,
        updated_at=created + timedelta(hours=1),
        place=WorkPlace(
            label="69 - Lyon 3e Arrondissement",
            latitude=lat,
            longitude=lon,
            postal_code="69003",
            commune="69383",
        ),
        rome_code=rome,
        rome_label="Personnel de cuisine",
        company=Company(name="Bistrot 😀 <b>&"),
        contract_type="CDD",
        contract_type_label="Contrat à durée déterminée - 6 Mois",
        experience_requirement="D",
        experience_label="Débutant accepté",
        licences=(Requirement(label="B - Véhicule léger", requirement="S"),),
        competences=(Competence(code="123", label="Dresser les assiettes", requirement="E"),),
        qualities=(ProfessionalQuality(label="Rigueur"),),
        salary=Salary(label="Mensuel de 1800,00 Euros à 2000,00 Euros sur 12 mois"),
        working_hours_label="35H Horaires normaux",
        working_hours_converted="Temps plein",
    )


async def test_storage_is_an_offer_sink(storage: Storage) -> None:
    sink: OfferSink = storage
    assert await sink.high_water_mark() is None
    await sink.set_high_water_mark(T0)
    assert await sink.high_water_mark() == T0
    await sink.set_high_water_mark(T0 + timedelta(minutes=15))
    assert await sink.high_water_mark() == T0 + timedelta(minutes=15)


async def test_upsert_counts_new_ids_and_updates_overwrite(storage: Storage) -> None:
    assert await storage.upsert_offers([]) == 0
    assert await storage.upsert_offers([make_offer("1"), make_offer("2"), make_offer("1")]) == 2
    assert await storage.count_offers() == 2
    changed = make_offer("2", title="Chef de partie", rome="G1602")
    assert await storage.upsert_offers([changed, make_offer("3")]) == 1
    assert await storage.count_offers() == 3
    found = await storage.candidate_offers(["G1602"], 45.75, 4.85, 1, T0 - timedelta(days=1))
    assert [c.offer.title for c in found] == ["Chef de partie"]
    assert await storage.candidate_offers(["g1603"], None, None, 0, T0) != []


async def test_a_stored_offer_keeps_what_the_digest_and_ranking_read(storage: Storage) -> None:
    original = make_offer("X1")
    await storage.upsert_offers([original])
    (found,) = await storage.candidate_offers(["G1603"], 45.76, 4.85, 5, T0)
    offer = found.offer
    assert found.remote is True  # read from the description, which is not stored
    assert found.distance_km == pytest.approx(haversine_km(45.76, 4.85, 45.75, 4.85))
    assert offer.description is None
    for name in (
        "id",
        "title",
        "created_at",
        "updated_at",
        "place",
        "rome_code",
        "rome_label",
        "company",
        "contract_type",
        "contract_type_label",
        "experience_requirement",
        "experience_label",
        "licences",
        "competences",
        "qualities",
        "salary",
        "working_hours_label",
        "working_hours_converted",
    ):
        assert getattr(offer, name) == getattr(original, name), name
    assert offer.page_url == original.page_url
    rows = await storage._fetchall(
        "SELECT salary_monthly_min, salary_monthly_max, departement, grid_cell, working_time "
        "FROM offers"
    )
    assert [tuple(rows[0])] == [(1800, 2000, "69", grid_cell(45.75, 4.85), "Temps plein")]


async def test_candidates_match_a_brute_force_haversine(storage: Storage) -> None:
    """Random offers around France (and some far away or without coordinates): every look-up
    returns exactly the offers a scan of all of them with the exact distance returns."""
    rng = random.Random(20261201)
    offers: list[Offer] = []
    for i in range(1500):
        if i % 50 == 0:
            lat, lon = None, None
        elif i % 40 == 0:
            lat, lon = rng.uniform(-89.9, 89.9), rng.uniform(-180, 180)
        else:
            lat, lon = rng.uniform(42.0, 51.0), rng.uniform(-5.0, 8.5)
        created = T0 - timedelta(minutes=rng.randrange(0, 4 * 24 * 60))
        offers.append(
            make_offer(f"R{i}", rome=rng.choice(ROMES), lat=lat, lon=lon, created=created)
        )
    assert await storage.upsert_offers(offers) == len(offers)
    for _ in range(40):
        codes = rng.sample(ROMES, rng.randint(1, 3))
        lat, lon = rng.uniform(42.5, 50.5), rng.uniform(-4.0, 8.0)
        radius = rng.choice((0, 5, 10, 30, 50, 100, 200))
        after = T0 - timedelta(hours=rng.randrange(0, 96))
        expected = sorted(
            (
                o
                for o in offers
                if o.rome_code in codes
                and o.created_at is not None
                and o.created_at >= after
                and o.place.latitude is not None
                and o.place.longitude is not None
                and haversine_km(lat, lon, o.place.latitude, o.place.longitude) <= radius
            ),
            key=lambda o: (-o.created_at.timestamp(), o.id),  # type: ignore[union-attr]
        )
        found = await storage.candidate_offers(codes, lat, lon, radius, after)
        assert [c.offer.id for c in found] == [o.id for o in expected]
        limited = await storage.candidate_offers(codes, lat, lon, radius, after, limit=3)
        assert [c.offer.id for c in limited] == [o.id for o in expected[:3]]
    assert sum(1 for o in offers if o.rome_code == "G1603") == len(
        await storage.candidate_offers(["G1603"], None, None, 0, T0 - timedelta(days=5))
    )


def test_cells_around_a_point_cover_the_circle() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        lat, lon = rng.uniform(-89.0, 89.0), rng.uniform(-180.0, 180.0)
        radius = rng.choice((0.0, 1.0, 10.0, 50.0, 200.0))
        ranges = cell_ranges(lat, lon, radius)
        # A point on the circle (or inside it) in a random direction lies in one of the ranges.
        bearing, fraction = rng.uniform(0, 360), rng.choice((1.0, rng.random()))
        angular = radius * fraction / 6371.0088
        phi1, lam1, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
        phi2 = math.asin(
            math.sin(phi1) * math.cos(angular)
            + math.cos(phi1) * math.sin(angular) * math.cos(theta)
        )
        lam2 = lam1 + math.atan2(
            math.sin(theta) * math.sin(angular) * math.cos(phi1),
            math.cos(angular) - math.sin(phi1) * math.sin(phi2),
        )
        lat2 = math.degrees(phi2)
        lon2 = (math.degrees(lam2) + 540) % 360 - 180
        cell = grid_cell(lat2, lon2)
        assert any(low <= cell <= high for low, high in ranges), (lat, lon, radius, lat2, lon2)


async def test_sqlite_reads_only_the_cells_around_the_point(tmp_path: Path) -> None:
    async with Storage.open(tmp_path / "plan.sqlite3") as s:
        captured: list[tuple[str, dict[str, object]]] = []
        real = s._fetchall_bulk  # candidates are a bulk read (a second connection)

        async def spy(statement, params=None):  # type: ignore[no-untyped-def]
            captured.append((str(statement), params))
            return await real(statement, params)

        s._fetchall_bulk = spy  # type: ignore[method-assign]
        await s.candidate_offers(["G1603", "K2204"], 45.75, 4.85, 30, T0)
        s._fetchall_bulk = real  # type: ignore[method-assign]
        assert len(captured) == 1
        plan = await s._fetchall(f"EXPLAIN QUERY PLAN {captured[0][0]}", captured[0][1])
        details = [str(row[-1]) for row in plan]
        assert any("offers_rome_cell" in line for line in details), details
        # Only the parameter lists (json_each) are scanned, never the offers table.
        assert not any(
            line.startswith("SCAN") and "VIRTUAL TABLE" not in line for line in details
        ), details


async def test_prune_forgets_offers_past_the_lookback(storage: Storage) -> None:
    await storage.upsert_offers(
        [make_offer(f"P{d}", created=T0 - timedelta(days=d, minutes=1)) for d in range(6)]
    )
    assert await storage.prune_offers(T0 - timedelta(days=3)) == 3
    left = await storage.candidate_offers(["G1603"], None, None, 0, T0 - timedelta(days=30))
    assert sorted(c.offer.id for c in left) == ["P0", "P1", "P2"]
    assert await storage.prune_offers(T0 - timedelta(days=3)) == 0


async def test_sweep_report_is_kept_beside_the_mark(storage: Storage) -> None:
    assert await storage.last_sweep_report() is None
    await storage.set_high_water_mark(T0)
    await storage.record_sweep_report({"offers": 12, "new_offers": 3, "summary": "sweep … 😀"})
    assert await storage.last_sweep_report() == {
        "offers": 12,
        "new_offers": 3,
        "summary": "sweep … 😀",
    }
    assert await storage.high_water_mark() == T0


async def test_bad_look_ups_are_refused(storage: Storage) -> None:
    with pytest.raises(ValueError, match="rome_codes"):
        await storage.candidate_offers([], 45.0, 4.0, 10, T0)
    with pytest.raises(ValueError, match="latitude"):
        await storage.candidate_offers(["G1603"], 95.0, 4.0, 10, T0)
    with pytest.raises(ValueError, match="radius"):
        await storage.candidate_offers(["G1603"], 45.0, 4.0, -1, T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        await storage.candidate_offers(["G1603"], 45.0, 4.0, 10, datetime(2026, 12, 1))
