"""The offers the sweep stores (``offers``) and its state (``sweep_state``): the ``OfferSink`` of
``ft_client.sweep``, plus the look-ups local matching needs.

France Travail's offers are public job ads, not personal data: nothing here is exported or erased
with a user. They are kept for the alert lookback period (``prune_offers``).

Geography: the 0.1° grid cells of ``storage.offer_grid`` and the index ``(rome_code, grid_cell,
created_at)``; the exact great-circle distance is computed on the candidates alone.
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
from ft_client.referential import haversine_km
from storage.clock import _now
from storage.db import Database, chunks
from storage.models import from_epoch, require_aware, to_epoch
from storage.offer_grid import cell_ranges
from storage.offer_rows import CandidateOffer, _point, offer_row
from storage.schema import offers, sweep_state

MAX_CANDIDATE_ROME_CODES = 50
# Candidate rows sifted (distance) between two turns of the event loop; the offers are rebuilt
# later, for the rows a query keeps (`CandidateOffer`), in slices of the same size.
CANDIDATE_ROWS_PER_TURN = 500
# Rows per INSERT: 23 columns each, under both drivers' 32 766 bound parameters.
UPSERT_CHUNK = 1_000
_STATE_ID = 1


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
