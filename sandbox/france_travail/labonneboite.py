"""La Bonne Boîte v2 (``GET /labonneboite/v2/recherche``): companies likely to hire.

Deterministic companies per (commune, ROME code), built on the bundled communes: the communes
within ``distance`` km of the place each get 0–3 establishments per asked ROME code, named and
classed (NAF) after the ROME domain. A place is required (422 without one, like the real API),
``distance`` ≤ 200 and ``page_size`` ≤ 100 (422 above); ``rome`` is repeated (``A,B`` matches
nothing). The answer's shape follows the probe notes in ``docs/emulators.md`` (no real sample).
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
import re
from typing import Any

from aiohttp import web

from sandbox.france_travail.referentials import Referentials, haversine_km
from sandbox.france_travail.responses import json_response

_ROME_RE = re.compile(r"^[A-N]\d{4}$")
DEFAULT_DISTANCE_KM = 10
MAX_DISTANCE_KM = 200
MAX_PAGE_SIZE = 100
MAX_COMMUNES = 60  # nearest communes considered: keeps one answer fast on the big cities

# ROME domain letter -> (NAF code, NAF label, name prefix)
_NAF_BY_DOMAIN: dict[str, tuple[str, str, str]] = {
    "A": ("0161Z", "Activités de soutien aux cultures", "Exploitation"),
    "B": ("9003A", "Création artistique relevant des arts plastiques", "Atelier"),
    "C": ("6622Z", "Activités des agents et courtiers d'assurances", "Cabinet"),
    "D": ("4711D", "Supermarchés", "Magasin"),
    "E": ("7311Z", "Activités des agences de publicité", "Agence"),
    "F": ("4120A", "Construction de maisons individuelles", "Bâtiment"),
    "G": ("5610A", "Restauration traditionnelle", "Restaurant"),
    "H": ("2562B", "Mécanique industrielle", "Ateliers"),
    "I": ("3312Z", "Réparation de machines et équipements mécaniques", "Maintenance"),
    "J": ("8710A", "Hébergement médicalisé pour personnes âgées", "Résidence"),
    "K": ("8810A", "Aide à domicile", "Services"),
    "L": ("9001Z", "Arts du spectacle vivant", "Compagnie"),
    "M": ("7022Z", "Conseil pour les affaires et autres conseils de gestion", "Conseil"),
    "N": ("5210B", "Entreposage et stockage non frigorifique", "Logistique"),
}
_SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
)  # fmt: skip
_HEADCOUNTS = ((1, 2), (3, 5), (6, 9), (10, 19), (20, 49), (50, 99), (100, 199), (200, 249))


@functools.cache
def _grid(refs: Referentials) -> dict[tuple[int, int], list[tuple[str, float, float]]]:
    """Commune points by one-degree cell (built once per referential): a search reads a few
    cells instead of the 37 000 points, so one answer never holds the event loop."""
    cells: dict[tuple[int, int], list[tuple[str, float, float]]] = {}
    for insee, (lat, lon) in refs.points.items():
        cells.setdefault((math.floor(lat), math.floor(lon)), []).append((insee, lat, lon))
    return cells


def _unprocessable(field: str, message: str) -> web.Response:
    # FastAPI-style validation error, as the v2 API is reported to answer.
    body = {"detail": [{"loc": ["query", field], "msg": message, "type": "value_error"}]}
    return json_response(body, status=422)


def _int_param(request: web.Request, name: str, default: int) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        return None


class LaBonneBoiteRoutes:
    """Mixed into ``FranceTravailEmulator`` (which provides ``_refs`` and ``config``)."""

    _refs: Referentials
    config: Any

    async def _labonneboite(self, request: web.Request) -> web.Response:
        romes = request.query.getall("rome", [])
        if not romes:
            return _unprocessable("rome", "field required")
        distance = _int_param(request, "distance", DEFAULT_DISTANCE_KM)
        if distance is None or not 0 <= distance <= MAX_DISTANCE_KM:
            return _unprocessable("distance", f"ensure this value is <= {MAX_DISTANCE_KM}")
        page = _int_param(request, "page", 1)
        page_size = _int_param(request, "page_size", 10)
        if page is None or page < 1:
            return _unprocessable("page", "ensure this value is >= 1")
        if page_size is None or not 1 <= page_size <= MAX_PAGE_SIZE:
            return _unprocessable("page_size", f"ensure this value is <= {MAX_PAGE_SIZE}")
        place = self._lbb_place(request)
        if isinstance(place, web.Response):
            return place
        communes = self._lbb_communes(place, distance)
        items = [
            company
            for insee, _km in communes
            for rome in romes
            if _ROME_RE.match(rome) and rome in self._refs.jobs
            for company in self._lbb_companies(insee, rome)
        ]
        items.sort(key=lambda c: (-c["hiring_potential"], c["siret"]))
        start = (page - 1) * page_size
        return json_response(
            {
                "hits": len(items),
                "items": items[start : start + page_size],
                "params": {k: request.query.getall(k) for k in request.query},
                "resolved_params": {"distance": distance, "page": page, "page_size": page_size},
            }
        )

    def _lbb_place(self, request: web.Request) -> tuple[str, Any] | web.Response:
        """("point", (lat, lon)) or ("departement", code), or the 422 answer."""
        q = request.query
        if q.get("latitude") and q.get("longitude"):
            try:
                lat, lon = float(q["latitude"]), float(q["longitude"])
            except ValueError:
                return _unprocessable("latitude", "value is not a valid float")
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                return _unprocessable("latitude", "out of range")
            return ("point", (lat, lon))
        if q.get("citycode"):
            centre = self._refs.commune_centre(q["citycode"])
            if centre is None:
                return _unprocessable("citycode", "unknown citycode")
            return ("point", centre)
        if q.get("postcode"):
            insee = next(
                (
                    c["insee"]
                    for c in self._refs.communes.values()
                    if q["postcode"] in c.get("postal_codes", ())
                ),
                None,
            )
            centre = self._refs.commune_centre(insee) if insee else None
            if centre is None:
                return _unprocessable("postcode", "unknown postcode")
            return ("point", centre)
        if q.get("department_number"):
            if q["department_number"] not in self._refs.departements:
                return _unprocessable("department_number", "unknown department")
            return ("departement", q["department_number"])
        return _unprocessable(
            "citycode", "a place is required: citycode, latitude and longitude, department_number"
        )

    def _lbb_communes(self, place: tuple[str, Any], distance: int) -> list[tuple[str, float]]:
        kind, value = place
        if kind == "departement":
            found = [
                (insee, 0.0)
                for insee, c in self._refs.communes.items()
                if c.get("departement") == value and c.get("kind") != "arrondissement"
            ]
            found.sort(key=lambda item: -int(self._refs.communes[item[0]].get("population") or 0))
            return found[:MAX_COMMUNES]
        lat, lon = value
        near = []
        cells = _grid(self._refs)
        lat_span = distance / 111 + 1
        lon_span = distance / (111 * max(0.1, math.cos(math.radians(lat)))) + 1
        for cell_lat in range(math.floor(lat - lat_span), math.floor(lat + lat_span) + 1):
            for cell_lon in range(math.floor(lon - lon_span), math.floor(lon + lon_span) + 1):
                for insee, plat, plon in cells.get((cell_lat, cell_lon), ()):
                    km = haversine_km(lat, lon, plat, plon)
                    if km <= distance:
                        near.append((insee, round(km, 1)))
        near.sort(key=lambda item: (item[1], item[0]))
        return near[:MAX_COMMUNES]

    def _lbb_companies(self, insee: str, rome: str) -> list[dict[str, Any]]:
        commune = self._refs.communes.get(insee)
        point = self._refs.points.get(insee)
        if commune is None or point is None:
            return []
        rng = random.Random(f"{self.config.seed}:lbb:{insee}:{rome}")
        population = int(commune.get("population") or 0)
        count = rng.choice((0, 0, 1, 1, 2, 3)) if population >= 2000 else rng.choice((0, 0, 0, 1))
        naf, naf_label, prefix = _NAF_BY_DOMAIN.get(rome[0], _NAF_BY_DOMAIN["M"])
        department = str(commune.get("departement") or insee[:2])
        companies = []
        for index in range(count):
            digest = hashlib.sha256(f"{insee}:{rome}:{index}".encode()).hexdigest()
            siret = str(int(digest[:14], 16))[-14:].rjust(14, "0")
            low, high = rng.choice(_HEADCOUNTS)
            potential = round(rng.uniform(0.5, 10.0), 2)
            name = f"{prefix} {rng.choice(_SURNAMES)}"
            companies.append(
                {
                    "id": digest[:24],
                    "siret": siret,
                    "company_name": f"{name.upper()} SAS",
                    "office_name": name,
                    "naf": naf,
                    "naf_label": naf_label,
                    "headcount_min": low,
                    "headcount_max": high,
                    "location": {
                        "lat": round(point[0] + rng.uniform(-0.004, 0.004), 5),
                        "lon": round(point[1] + rng.uniform(-0.004, 0.004), 5),
                    },
                    "city": commune["name"],
                    "citycode": insee,
                    "postcode": (commune.get("postal_codes") or [""])[0],
                    "department": self._refs.departements.get(department, {}).get("name"),
                    "department_number": department,
                    "region": self._refs.regions.get(str(commune.get("region") or "")),
                    "hiring_potential": potential,
                    "is_high_potential": potential >= 7.0,
                    "rome": rome,
                    "email": "yes" if rng.random() < 0.6 else "no",
                }
            )
        return companies
