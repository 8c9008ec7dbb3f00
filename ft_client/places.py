"""French communes and their points: the ``Place`` record, distances and the place look-ups.

``PlaceLookups`` is the places half of ``ft_client.referential.Referential``, which inherits it
(one object, so the caches keyed by ``id(referential)`` and the shared ``_index_lock`` are
unchanged): communes by INSEE or postal code, typo-tolerant town search, ``has_place_named`` and
the nearest commune to a point. The communes and points files are read on first use, through
the loaders ``Referential.__init__`` sets.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ft_client.textnorm import MAX_QUERY_CHARS, FuzzyTokenIndex, normalize, tokens

MAX_LIMIT = 50
WHOLE_CITY_CODES = frozenset({"75056", "69123", "13055"})
_POSTAL_CODE = re.compile(r"^\s*(\d{5})\s*$")
_INSEE_CODE = re.compile(r"^\s*(\d{5}|2[abAB]\d{3})\s*$")
_PLACE_STOPWORDS = frozenset({"arrondissement", "arrdt", "arr", "cedex"})
_KIND_RANK = {"commune": 0, "arrondissement": 0, "deleguee": 1, "associee": 2}
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Place:
    insee_code: str
    name: str
    postal_codes: tuple[str, ...]
    departement: str | None
    latitude: float | None
    longitude: float | None
    parent_code: str | None = None
    population: int | None = None
    kind: str = "commune"  # "commune" | "arrondissement" | "deleguee" | "associee"

    @property
    def display_label(self) -> str:
        """ "Lyon 3e Arrondissement (69)" — names alone are ambiguous (Saint-Denis)."""
        return f"{self.name} ({self.departement})" if self.departement else self.name

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _check_query(query: object) -> str:
    if not isinstance(query, str):
        raise ValueError("the query must be text")
    return query[: MAX_QUERY_CHARS * 4]


def _check_limit(limit: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError("limit must be a positive integer")
    return min(limit, MAX_LIMIT)


class PlaceLookups:
    """Communes, postal codes and points of ``Referential``; immutable once loaded.

    The host class sets ``_communes_loader``, ``_points_loader`` and ``_index_lock`` (shared
    with the job indexes) in its ``__init__``."""

    _communes_loader: Callable[[], dict[str, Any]]
    _points_loader: Callable[[], dict[str, Any]]
    _index_lock: threading.RLock

    @cached_property
    def _communes_data(self) -> dict[str, Any]:
        with self._index_lock:
            return self._communes_loader()

    @cached_property
    def _points_data(self) -> dict[str, Any]:
        with self._index_lock:
            return self._points_loader()

    @property
    def communes_source(self) -> dict[str, Any]:
        return self._communes_data.get("source", {})

    @property
    def points_source(self) -> dict[str, Any]:
        return self._points_data.get("source", {})

    @property
    def _raw_communes(self) -> list[dict[str, Any]]:
        return self._communes_data["communes"]

    @property
    def _departements(self) -> dict[str, dict[str, Any]]:
        return self._communes_data.get("departements", {})

    @property
    def _regions(self) -> dict[str, str]:
        return self._communes_data.get("regions", {})

    @property
    def _points(self) -> dict[str, list[float]]:
        return self._points_data.get("points", {})

    # ------------------------------------------------------------------ places
    @cached_property
    def _places(self) -> dict[str, Place]:
        places: dict[str, Place] = {}
        for raw in self._raw_communes:
            code = raw["insee"]
            if code in places:  # a délégué sharing its commune nouvelle's code: keep the commune
                continue
            point = self._points.get(code)
            places[code] = Place(
                insee_code=code,
                name=raw["name"],
                postal_codes=tuple(raw["postal_codes"]),
                departement=raw["departement"],
                latitude=point[0] if point else None,
                longitude=point[1] if point else None,
                parent_code=raw["parent"],
                population=raw["population"],
                kind=raw["kind"],
            )
        return places

    @cached_property
    def _place_index(self) -> tuple[FuzzyTokenIndex, list[Place]]:
        docs: list[tuple[str, ...]] = []
        lengths: list[int] = []
        entries: list[Place] = []
        places = self._places
        for raw in self._raw_communes:
            place = places[raw["insee"]]
            if place.name != raw["name"]:  # an old name (délégué) leads to the current commune
                place = Place(
                    insee_code=raw["insee"],
                    name=raw["name"],
                    postal_codes=(),
                    departement=raw["departement"],
                    latitude=place.latitude,
                    longitude=place.longitude,
                    parent_code=raw["parent"],
                    population=raw["population"],
                    kind=raw["kind"],
                )
            name_tokens = tuple(t for t in tokens(raw["name"]) if t not in _PLACE_STOPWORDS)
            if not name_tokens:
                continue
            # The département code is a token too, so "Saint-Denis 93" finds the right one.
            docs.append((*name_tokens, f"#{raw['departement']}"))
            lengths.append(len(name_tokens))
            entries.append(place)
        return FuzzyTokenIndex(docs, lengths), entries

    @cached_property
    def _postal_index(self) -> dict[str, list[Place]]:
        index: dict[str, list[Place]] = {}
        for place in self._places.values():
            for postal_code in place.postal_codes:
                index.setdefault(postal_code, []).append(place)
        for places in index.values():
            # Arrondissements first (75015 is Paris 15e before Paris), then biggest.
            places.sort(key=lambda p: (p.kind != "arrondissement", -(p.population or 0)))
        return index

    def place(self, insee_code: str) -> Place | None:
        if not isinstance(insee_code, str):
            return None
        return self._places.get(insee_code.strip().upper())

    def places(self) -> Iterator[Place]:
        return iter(self._places.values())

    def departement_name(self, code: str) -> str | None:
        if not isinstance(code, str):
            return None
        entry = self._departements.get(code.strip().upper())
        return entry["name"] if entry else None

    def region_name(self, code: str) -> str | None:
        return self._regions.get(code) if isinstance(code, str) else None

    def query_commune(self, place: Place | str) -> str:
        """The commune code to send to the offers API: the whole city for an arrondissement
        (75056, 69123, 13055) or the current commune for a délégué; else the place's own code."""
        if isinstance(place, str):
            found = self.place(place)
            if found is None:
                raise ValueError(f"unknown INSEE commune code: {place!r}")
            place = found
        if place.kind != "commune" and place.parent_code:
            return place.parent_code
        return place.insee_code

    def find_places(self, query: str, limit: int = 5) -> list[Place]:
        """Communes (and arrondissements) matching a name, a postal code or an INSEE code."""
        query = _check_query(query)
        limit = _check_limit(limit)
        postal = _POSTAL_CODE.match(query)
        if postal:
            found = list(self._postal_index.get(postal.group(1), ()))
            by_code = self.place(postal.group(1))
            if by_code is not None and by_code not in found:
                found.append(by_code)
            return found[:limit]
        insee = _INSEE_CODE.match(query)
        if insee:
            by_code = self.place(insee.group(1))
            return [by_code] if by_code else []
        normalized = normalize(query)
        query_tokens = tuple(
            t for t in tokens(normalized) if t not in _PLACE_STOPWORDS and t != "cedex"
        )
        if not query_tokens:
            return []
        with self._index_lock:
            index, entries = self._place_index
        scores = self._search_places(index, query_tokens)
        ranked = sorted(
            scores.items(),
            key=lambda item: (
                -round(item[1], 3),
                _KIND_RANK.get(entries[item[0]].kind, 3),
                -(entries[item[0]].population or 0),
                entries[item[0]].insee_code,
            ),
        )
        results: list[Place] = []
        seen: set[str] = set()
        for doc_id, _score in ranked:
            place = entries[doc_id]
            if place.insee_code in seen:
                continue
            seen.add(place.insee_code)
            results.append(place)
            if len(results) >= limit:
                break
        return results

    @cached_property
    def _place_names(self) -> frozenset[str]:
        # Every name a ``find_places`` hit can carry (old names of délégués included).
        return frozenset(normalize(raw["name"], MAX_QUERY_CHARS) for raw in self._raw_communes)

    def has_place_named(self, normalized: str) -> bool:
        """Whether some commune's name, once ``normalize``d (``MAX_QUERY_CHARS``), is exactly
        ``normalized``: a set look-up. When it is False no ``find_places`` hit is named so, which
        spares the fuzzy search to callers that only want an exact name (``jobs._bare_town``
        runs it for every short phrase of a profile: ~2 ms a new word)."""
        with self._index_lock:
            names = self._place_names
        return normalized in names

    @staticmethod
    def _search_places(index: FuzzyTokenIndex, query_tokens: tuple[str, ...]) -> dict[int, float]:
        # A number may be an arrondissement ("Paris 15") or a département ("Saint-Denis 93").
        text_tokens = tuple(t for t in query_tokens if not t.isdigit())
        numbers = [t for t in query_tokens if t.isdigit() or t in ("2a", "2b")]
        if not text_tokens:
            return {}
        scores = index.search(text_tokens)
        if not numbers or not scores:
            return scores
        adjusted: dict[int, float] = {}
        for doc_id, score in scores.items():
            doc = index.docs[doc_id]
            hits = sum(1 for n in numbers if n in doc or f"#{n.upper()}" in doc)
            n_total = len(text_tokens) + len(numbers)
            # Rescale: text part keeps its weight, each number matched adds its share.
            adjusted[doc_id] = (score * len(text_tokens) + hits) / n_total
        return adjusted

    # ------------------------------------------------------------------ nearest place
    @cached_property
    def _grid(self) -> dict[tuple[int, int], list[Place]]:
        grid: dict[tuple[int, int], list[Place]] = {}
        for place in self._places.values():
            if place.has_point and place.kind in ("commune", "arrondissement"):
                if place.insee_code in WHOLE_CITY_CODES:
                    continue  # their point is the mean of the arrondissements
                key = (math.floor(place.latitude * 10), math.floor(place.longitude * 10))  # type: ignore[operator]
                grid.setdefault(key, []).append(place)
        return grid

    def nearest_place(
        self, latitude: float, longitude: float, *, max_km: float = 50.0
    ) -> Place | None:
        """The commune (or arrondissement) whose centre is nearest; ``None`` beyond ``max_km``."""
        try:
            lat, lon = float(latitude), float(longitude)
        except (TypeError, ValueError) as error:
            raise ValueError("latitude and longitude must be numbers") from error
        if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
            raise ValueError("latitude must be within ±90 and longitude within ±180")
        grid = self._grid
        cell_lat, cell_lon = math.floor(lat * 10), math.floor(lon * 10)
        best: tuple[float, str, Place] | None = None
        max_ring = int(max_km / 5) + 2  # a cell is ~11 km high, ≥ 5 km wide in France
        for ring in range(max_ring + 1):
            for dlat in range(-ring, ring + 1):
                for dlon in range(-ring, ring + 1):
                    if max(abs(dlat), abs(dlon)) != ring:
                        continue
                    for place in grid.get((cell_lat + dlat, cell_lon + dlon), ()):
                        distance = haversine_km(lat, lon, place.latitude, place.longitude)  # type: ignore[arg-type]
                        if best is None or (distance, place.insee_code) < best[:2]:
                            best = (distance, place.insee_code, place)
            # A cell is at least ~5 km across: once the best is nearer than the ring, stop.
            if best is not None and best[0] < ring * 5.0:
                break
        if best is None or best[0] > max_km:
            return None
        return best[2]
