"""The offers the sweep stores (``offers``) and its state (``sweep_state``): the ``OfferSink`` of
``ft_client.sweep``, plus the look-ups local matching needs.

France Travail's offers are public job ads, not personal data: nothing here is exported or erased
with a user. They are kept for the alert lookback period (``prune_offers``).

Geography: each offer with coordinates has a ``grid_cell``, its 0.1° cell (about 11 km north-south,
7–8 km east-west in metropolitan France) as one integer, ``(floor(lat × 10) + 900) × 10000 +
floor(lon × 10) + 1800``. The cells of one row of latitude are consecutive integers, so the box
around a point is one ``BETWEEN`` per row of cells; with the index ``(rome_code, grid_cell,
created_at)`` a look-up reads, per ROME code and per row, only the offers of those cells, and
the exact great-circle distance is then computed on those candidates alone.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import TextClause, bindparam, delete, func, select, text

from ft_client.models import Offer
from ft_client.models.offers import (
    Company,
    Competence,
    ProfessionalQuality,
    Requirement,
    Salary,
    WorkPlace,
)
from ft_client.offer_facts import remote_work
from ft_client.referential import EARTH_RADIUS_KM, haversine_km
from ft_client.salary import parse_salary
from storage.clock import _now
from storage.db import Database, chunks
from storage.models import from_epoch, require_aware, to_epoch
from storage.schema import offers, sweep_state

CELLS_PER_DEGREE = 10  # 0.1° cells
_LAT_CELLS = 180 * CELLS_PER_DEGREE
_LON_CELLS = 360 * CELLS_PER_DEGREE
_ROW_STRIDE = 10_000  # > _LON_CELLS: one row of latitude is one run of consecutive integers
_EDGE_MARGIN_DEGREES = 1e-6  # rounding of float degrees at a cell's edge: one cell too many
MAX_CANDIDATE_ROME_CODES = 50
# Candidate rows sifted (distance) between two turns of the event loop; the offers are rebuilt
# later, for the rows a query keeps (`CandidateOffer`), in slices of the same size.
CANDIDATE_ROWS_PER_TURN = 500
# Rows per INSERT: 23 columns each, under both drivers' 32 766 bound parameters.
UPSERT_CHUNK = 1_000
_STATE_ID = 1


def grid_cell(latitude: float, longitude: float) -> int:
    """The 0.1° cell of a point, as one integer (see the module docstring)."""
    row = min(math.floor(latitude * CELLS_PER_DEGREE) + _LAT_CELLS // 2, _LAT_CELLS - 1)
    column = math.floor(longitude * CELLS_PER_DEGREE) + _LON_CELLS // 2
    return row * _ROW_STRIDE + column % _LON_CELLS


def cell_ranges(latitude: float, longitude: float, radius_km: float) -> list[tuple[int, int]]:
    """Inclusive ``(first, last)`` cell ranges covering every point within ``radius_km``.

    A superset: the box's corners are outside the circle, and a longitude range that crosses
    ±180° or a box reaching a pole takes whole rows.
    """
    delta_lat = math.degrees(radius_km / EARTH_RADIUS_KM) + _EDGE_MARGIN_DEGREES
    low_lat, high_lat = latitude - delta_lat, latitude + delta_lat
    first_row = max(math.floor(low_lat * CELLS_PER_DEGREE) + _LAT_CELLS // 2, 0)
    last_row = min(math.floor(high_lat * CELLS_PER_DEGREE) + _LAT_CELLS // 2, _LAT_CELLS - 1)
    widest = max(abs(low_lat), abs(high_lat))
    columns: list[tuple[int, int]]
    if widest >= 90 - _EDGE_MARGIN_DEGREES:
        columns = [(0, _LON_CELLS - 1)]
    else:
        delta_lon = delta_lat / math.cos(math.radians(widest)) + _EDGE_MARGIN_DEGREES
        if delta_lon >= 180:
            columns = [(0, _LON_CELLS - 1)]
        else:
            first = math.floor((longitude - delta_lon) * CELLS_PER_DEGREE) + _LON_CELLS // 2
            last = math.floor((longitude + delta_lon) * CELLS_PER_DEGREE) + _LON_CELLS // 2
            if first < 0:
                columns = [(first + _LON_CELLS, _LON_CELLS - 1), (0, last)]
            elif last >= _LON_CELLS:
                columns = [(first, _LON_CELLS - 1), (0, last - _LON_CELLS)]
            else:
                columns = [(first, last)]
    return [
        (row * _ROW_STRIDE + first, row * _ROW_STRIDE + last)
        for row in range(first_row, last_row + 1)
        for first, last in columns
    ]


class CandidateOffer:
    """A stored offer near a point: the offer as the ranking reads it (without its
    description, which is not stored), its distance, and the remote-work fact read from the
    description when it was swept.

    The offer is rebuilt from its row on first use (`offer`, `remote`): a read's queries
    filter on the row's own columns (`offer_id`, `rome_code`, `commune`, `contract_type`,
    `working_time`, `experience`, `created_at`), so the candidates none of them keeps — about
    half of a cycle's — are never rebuilt."""

    __slots__ = (
        "_built",
        "_row",
        "commune",
        "contract_type",
        "created_at",
        "distance_km",
        "experience",
        "offer_id",
        "rome_code",
        "working_time",
    )

    def __init__(self, row: Any, distance_km: float | None) -> None:
        self._row = row
        self._built: tuple[Offer, bool | None] | None = None
        self.distance_km = distance_km
        self.offer_id: str = row.offer_id
        self.rome_code: str | None = row.rome_code
        self.commune: str | None = row.commune
        self.contract_type: str | None = row.contract_type
        self.working_time: str | None = row.working_time
        self.experience: str | None = row.experience
        self.created_at: datetime | None = from_epoch(row.created_at)

    def _rebuild(self) -> tuple[Offer, bool | None]:
        built = self._built
        if built is None:
            built = self._built = offer_from_row(self._row)
            self._row = None  # the offer holds what is needed from now on
        return built

    @property
    def built(self) -> bool:
        """Whether the offer was rebuilt (for tests and counters)."""
        return self._built is not None

    @property
    def offer(self) -> Offer:
        return self._rebuild()[0]

    @property
    def remote(self) -> bool | None:
        return self._rebuild()[1]


# ---------------------------------------------------------------- offer ↔ row


def _pairs(items: Sequence[Requirement]) -> list[list[str | None]]:
    return [[item.label, item.requirement] for item in items]


def offer_row(offer: Offer, swept_at: int) -> dict[str, Any]:
    """The ``offers`` row of one offer (everything the digest and the ranking read)."""
    place = offer.place
    point = _point(place.latitude, place.longitude)
    salary = parse_salary(offer.salary)
    details = {
        "rome_label": offer.rome_label,
        "appellation": offer.appellation_label,
        "contract_label": offer.contract_type_label,
        "experience_label": offer.experience_label,
        "hours_label": offer.working_hours_label,
        "postal_code": place.postal_code,
        "salary_complements": [
            offer.salary.complement1 if offer.salary else None,
            offer.salary.complement2 if offer.salary else None,
        ],
        "competences": [[c.code, c.label, c.requirement] for c in offer.competences],
        "qualities": [q.label for q in offer.qualities],
        "languages": _pairs(offer.languages),
        "alternance": offer.alternance,
        "remote": remote_work(offer),
        "updated_at": to_epoch("updated_at", offer.updated_at) if offer.updated_at else None,
    }
    created = offer.created_at
    return {
        "offer_id": offer.id,
        "rome_code": (offer.rome_code or "").upper() or None,
        "commune": place.commune,
        "departement": place.departement,
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
        "grid_cell": grid_cell(*point) if point else None,
        "contract_type": offer.contract_type,
        "working_time": offer.working_hours_converted,
        "experience": offer.experience_requirement,
        "salary_label": offer.salary.label if offer.salary else None,
        "salary_comment": offer.salary.comment if offer.salary else None,
        "salary_monthly_min": salary.monthly_min,
        "salary_monthly_max": salary.monthly_max,
        "licences": json.dumps(_pairs(offer.licences), ensure_ascii=False),
        # Without a creation date (never seen from the search), the sweep's time stands in.
        "created_at": to_epoch("created_at", created) if created else swept_at,
        "title": offer.title,
        "company": offer.company.name,
        "town": place.label,
        "url": offer.page_url,
        "details": json.dumps(details, ensure_ascii=False, separators=(",", ":")),
        "swept_at": swept_at,
    }


def _point(latitude: float | None, longitude: float | None) -> tuple[float, float] | None:
    if latitude is None or longitude is None:
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return float(latitude), float(longitude)


# Candidates of `candidate_offers`: static statements whose lists (ROME code and cell range
# triples, ROME code and commune pairs) are single parameters — a JSON array joined with
# json_each on SQLite, arrays unnested on PostgreSQL — so each is compiled once, whatever the
# number of codes and cells; each element is one index range (offers_rome_cell,
# offers_rome_commune; offers_rome_created for the whole country).
_CANDIDATE_PARTS = {
    "sqlite": {
        "cells": (
            "SELECT o.* FROM json_each(:ranges) AS r CROSS JOIN offers AS o"
            " WHERE o.rome_code = json_extract(r.value, '$[0]')"
            " AND o.grid_cell BETWEEN json_extract(r.value, '$[1]')"
            " AND json_extract(r.value, '$[2]') AND o.created_at >= :since"
        ),
        "communes": (
            "SELECT o.* FROM json_each(:pairs) AS m CROSS JOIN offers AS o"
            " WHERE o.rome_code = json_extract(m.value, '$[0]')"
            " AND o.commune = json_extract(m.value, '$[1]') AND o.created_at >= :since"
        ),
        "country": (
            "SELECT o.* FROM json_each(:codes) AS k CROSS JOIN offers AS o"
            " WHERE o.rome_code = k.value AND o.created_at >= :since"
        ),
    },
    "postgresql": {
        "cells": (
            "SELECT o.* FROM unnest(CAST(:range_codes AS TEXT[]), CAST(:lows AS INTEGER[]),"
            " CAST(:highs AS INTEGER[])) AS r(code, low, high)"
            " JOIN offers AS o ON o.rome_code = r.code AND o.grid_cell BETWEEN r.low AND r.high"
            " WHERE o.created_at >= :since"
        ),
        "communes": (
            "SELECT o.* FROM unnest(CAST(:pair_codes AS TEXT[]), CAST(:pair_communes AS TEXT[]))"
            " AS m(code, commune) JOIN offers AS o ON o.rome_code = m.code"
            " AND o.commune = m.commune WHERE o.created_at >= :since"
        ),
        "country": (
            "SELECT o.* FROM offers AS o"
            " WHERE o.rome_code = ANY(CAST(:codes AS TEXT[])) AND o.created_at >= :since"
        ),
    },
}
_CANDIDATE_STATEMENTS: dict[tuple[str, bool, bool], TextClause] = {}


def _candidates_statement(backend: str, cells: bool, communes: bool) -> TextClause:
    key = (backend, cells, communes)
    statement = _CANDIDATE_STATEMENTS.get(key)
    if statement is None:
        parts = _CANDIDATE_PARTS[backend]
        chosen = [parts[n] for n, on in (("cells", cells), ("communes", communes)) if on]
        statement = text(" UNION ALL ".join(chosen or [parts["country"]]))
        _CANDIDATE_STATEMENTS[key] = statement
    return statement


def _candidates_params(
    backend: str,
    since: int,
    codes: Sequence[str],
    ranges: Sequence[tuple[str, int, int]],
    pairs: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    if backend == "postgresql":
        return {
            "since": since,
            "codes": list(codes),
            "range_codes": [code for code, _low, _high in ranges],
            "lows": [low for _code, low, _high in ranges],
            "highs": [high for _code, _low, high in ranges],
            "pair_codes": [code for code, _commune in pairs],
            "pair_communes": [commune for _code, commune in pairs],
        }
    return {
        "since": since,
        "codes": json.dumps(list(codes)),
        "ranges": json.dumps(ranges),
        "pairs": json.dumps(pairs),
    }


class _Interned:
    """Shared immutable parts of rebuilt offers (competences, qualities, requirements,
    companies): offers repeat them (ROME skills, the same employers), so a cycle that rebuilds
    tens of thousands of rows builds each part once — less CPU (a frozen dataclass costs about
    a microsecond to build) and less memory (one object instead of one per offer). Bounded:
    past ``limit`` entries a table starts again empty (the parts are equal either way)."""

    __slots__ = ("companies", "competences", "limit", "qualities", "requirements")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.competences: dict[tuple[Any, Any, Any], Competence] = {}
        self.qualities: dict[str, ProfessionalQuality] = {}
        self.requirements: dict[tuple[Any, Any], Requirement] = {}
        self.companies: dict[str | None, Company] = {}

    def competence(self, code: Any, label: Any, requirement: Any) -> Competence:
        key = (code, label, requirement)
        found = self.competences.get(key)
        if found is None:
            if len(self.competences) >= self.limit:
                self.competences.clear()
            found = self.competences[key] = Competence(
                code=code, label=label, requirement=requirement
            )
        return found

    def quality(self, label: str) -> ProfessionalQuality:
        found = self.qualities.get(label)
        if found is None:
            if len(self.qualities) >= self.limit:
                self.qualities.clear()
            found = self.qualities[label] = ProfessionalQuality(label=label)
        return found

    def requirement(self, label: Any, requirement: Any) -> Requirement:
        key = (label, requirement)
        found = self.requirements.get(key)
        if found is None:
            if len(self.requirements) >= self.limit:
                self.requirements.clear()
            found = self.requirements[key] = Requirement(label=label, requirement=requirement)
        return found

    def company(self, name: str | None) -> Company:
        found = self.companies.get(name)
        if found is None:
            if len(self.companies) >= self.limit:
                self.companies.clear()
            found = self.companies[name] = Company(name=name)
        return found


# ~20 000 ROME skills and a few thousand qualities and requirements: the bound is never reached
# by the referential's own labels, only by free-text ones.
_INTERNED = _Interned(limit=50_000)
_NO_PAIRS = "[]"  # the stored JSON of an empty list (most offers ask no licence)


def _requirements(pairs: Any) -> tuple[Requirement, ...]:
    if not pairs:
        return ()
    requirement = _INTERNED.requirement
    return tuple(requirement(label, req) for label, req in pairs)


def offer_from_row(row: Any) -> tuple[Offer, bool | None]:
    """The offer back from its row (no description), and its remote-work fact."""
    details = json.loads(row.details)
    get = details.get
    complement1, complement2 = get("salary_complements") or (None, None)
    salary_label, salary_comment = row.salary_label, row.salary_comment
    interned = _INTERNED
    competence = interned.competence
    quality = interned.quality
    licences = row.licences
    updated = get("updated_at")
    offer = Offer(
        id=row.offer_id,
        title=row.title,
        created_at=from_epoch(row.created_at),
        updated_at=from_epoch(updated) if updated else None,
        place=WorkPlace(
            label=row.town,
            latitude=row.latitude,
            longitude=row.longitude,
            postal_code=get("postal_code"),
            commune=row.commune,
        ),
        rome_code=row.rome_code,
        rome_label=get("rome_label"),
        appellation_label=get("appellation"),
        company=interned.company(row.company),
        contract_type=row.contract_type,
        contract_type_label=get("contract_label"),
        experience_requirement=row.experience,
        experience_label=get("experience_label"),
        languages=_requirements(get("languages")),
        licences=() if licences == _NO_PAIRS else _requirements(json.loads(licences)),
        competences=tuple(
            competence(code, label, req) for code, label, req in get("competences") or ()
        ),
        qualities=tuple(quality(q) for q in get("qualities") or ()),
        salary=(
            Salary(
                label=salary_label,
                comment=salary_comment,
                complement1=complement1,
                complement2=complement2,
            )
            if salary_label or salary_comment or complement1
            else None
        ),
        working_hours_label=get("hours_label"),
        working_hours_converted=row.working_time,
        alternance=get("alternance"),
    )
    return offer, get("remote")


# ---------------------------------------------------------------- statements

_EXISTING_IDS = select(offers.c.offer_id).where(
    offers.c.offer_id.in_(bindparam("ids", expanding=True))
)
_UPSERTS: dict[str, Any] = {}  # per backend: its dialect's INSERT … ON CONFLICT DO UPDATE


class OfferRepository(Database):
    """``OfferSink`` over the ``offers`` table, pruning, and candidates around a point."""

    async def upsert_offers(self, batch: Sequence[Offer]) -> int:
        """Insert or replace offers by id, in one transaction; returns how many ids are new.

        The same id twice in ``batch`` is stored once (the last one wins).
        """
        by_id = {offer.id: offer for offer in batch}
        if not by_id:
            return 0
        swept_at = to_epoch("swept_at", _now())
        rows = [offer_row(offer, swept_at) for offer in by_id.values()]
        statement = self._upsert_statement()
        existing = 0
        async with self._transaction() as db:
            for part in self._in_chunks(list(by_id)):
                found = await db.execute(_EXISTING_IDS, {"ids": list(part)})
                existing += len(found.all())
            for part in chunks(rows, UPSERT_CHUNK):
                await db.execute(statement, list(part))
        return len(by_id) - existing

    def _upsert_statement(self) -> Any:
        statement = _UPSERTS.get(self.backend)
        if statement is None:
            insert = self._insert(offers)
            statement = insert.on_conflict_do_update(
                index_elements=[offers.c.offer_id],
                set_={c.name: insert.excluded[c.name] for c in offers.c if c.name != "offer_id"},
            )
            _UPSERTS[self.backend] = statement
        return statement

    async def high_water_mark(self) -> datetime | None:
        """The end of the last complete sweep's window (``None`` before the first)."""
        row = await self._fetchone(
            select(sweep_state.c.high_water_mark).where(sweep_state.c.id == _STATE_ID)
        )
        return from_epoch(row[0]) if row and row[0] is not None else None

    async def set_high_water_mark(self, moment: datetime) -> None:
        await self._set_state(high_water_mark=to_epoch("moment", moment))

    async def record_sweep_report(self, report: dict[str, Any]) -> None:
        """Keep the last sweep's report (a JSON-serialisable dict) for /stats and logs."""
        await self._set_state(last_report=json.dumps(report, ensure_ascii=False, default=str))

    async def last_sweep_report(self) -> dict[str, Any] | None:
        row = await self._fetchone(
            select(sweep_state.c.last_report).where(sweep_state.c.id == _STATE_ID)
        )
        return json.loads(row[0]) if row and row[0] else None

    async def _set_state(self, **values: Any) -> None:
        values["updated_at"] = to_epoch("updated_at", _now())
        insert = self._insert(sweep_state).values(id=_STATE_ID, **values)
        statement = insert.on_conflict_do_update(index_elements=[sweep_state.c.id], set_=values)
        async with self._transaction() as db:
            await db.execute(statement)

    async def prune_offers(self, older_than: datetime) -> int:
        """Forget offers created before ``older_than`` (past the lookback); returns rows deleted."""
        stamp = to_epoch("older_than", older_than)
        async with self._transaction() as db:
            result = await db.execute(delete(offers).where(offers.c.created_at < stamp))
            return result.rowcount

    async def count_offers(self) -> int:
        row = await self._fetchone(select(func.count()).select_from(offers))
        return int(row[0]) if row else 0

    async def candidate_offers(
        self,
        rome_codes: Sequence[str],
        latitude: float | None,
        longitude: float | None,
        radius_km: float,
        created_after: datetime,
        limit: int | None = None,
        *,
        communes: Sequence[str] = (),
    ) -> list[CandidateOffer]:
        """Stored offers of these ROME codes created at or after ``created_after``, within
        ``radius_km`` of the point (great-circle distance), newest first, at most ``limit``.

        Without a point (``latitude``/``longitude`` ``None``) the whole country is searched,
        unless ``communes`` are given: then only those communes. ``communes`` (INSEE codes) are
        matched whatever their offers' distance, as France Travail's ``commune`` parameter does
        (a city's own offers, even beyond the radius or without coordinates); their
        ``distance_km`` is ``None`` when the offer has no point.
        The SQL reads only the grid cells around the point, per ROME code (index
        ``offers_rome_cell``), and the communes' offers (index ``offers_rome_commune``); the
        exact distance is computed on those candidates.
        """
        codes = sorted({code.strip().upper() for code in rome_codes if code and code.strip()})
        if not codes or len(codes) > MAX_CANDIDATE_ROME_CODES:
            raise ValueError(f"rome_codes: between 1 and {MAX_CANDIDATE_ROME_CODES} codes")
        require_aware("created_after", created_after)
        if limit is not None and limit < 0:
            raise ValueError("limit must not be negative")
        since = to_epoch("created_after", created_after)
        point = None
        members = sorted({str(code) for code in communes if code})
        member_set = set(members)
        ranges: list[tuple[str, int, int]] = []
        if latitude is not None or longitude is not None:
            point = _point(latitude, longitude)
            if point is None:
                raise ValueError("latitude/longitude: a point on Earth, or both None")
            if not (math.isfinite(radius_km) and radius_km >= 0):
                raise ValueError("radius_km must be a non-negative number")
            cells = cell_ranges(point[0], point[1], radius_km)
            ranges = [(code, low, high) for code in codes for low, high in cells]
        pairs = [(code, member) for code in codes for member in members]
        rows = await self._fetchall_bulk(
            _candidates_statement(self.backend, bool(ranges), bool(pairs)),
            _candidates_params(self.backend, since, codes, ranges, pairs),
        )
        seen: set[str] = set()
        found: list[tuple[int, str, CandidateOffer]] = []
        for index, row in enumerate(rows):
            if index and not index % CANDIDATE_ROWS_PER_TURN:
                # A large read is sifted in slices: other tasks (digests being sent) get a
                # turn between two.
                await asyncio.sleep(0)
            distance = None
            if point is not None and row.latitude is not None and row.longitude is not None:
                distance = haversine_km(point[0], point[1], row.latitude, row.longitude)
            outside = distance is None or distance > radius_km
            if point is not None and outside and row.commune not in member_set:
                continue
            if row.offer_id in seen:  # both near the point and in one of the communes
                continue
            seen.add(row.offer_id)
            found.append((-row.created_at, row.offer_id, CandidateOffer(row, distance)))
        found.sort(key=lambda item: (item[0], item[1]))
        return [candidate for _, _, candidate in found[:limit]]
