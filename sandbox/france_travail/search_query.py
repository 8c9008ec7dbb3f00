"""Parsing and validation of the ``offres/search`` query: range, filters, area around communes.

Invalid values raise ``BadRequest`` with the live API's message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from sandbox.france_travail.config import EmulatorConfig
from sandbox.france_travail.formats import normalize_text, parse_ft_datetime
from sandbox.france_travail.messages import (
    MSG_EXPERIENCE_EXIGENCE,
    MSG_FORMAT,
    MSG_GRAND_DOMAINE,
    MSG_MOTS_CLES,
    MSG_RANGE_END,
    MSG_RANGE_FORMAT,
    MSG_RANGE_START,
    MSG_RANGE_TOO_WIDE,
    MSG_TEMPS_PLEIN,
    MSG_VALUE,
)
from sandbox.france_travail.referentials import Referentials, haversine_km, sandbox_referentials

GRANDS_DOMAINES = frozenset(
    [
        "A",
        "B",
        "C",
        "C15",
        "D",
        "E",
        "F",
        "G",
        "H",
        "I",
        "J",
        "K",
        "L",
        "L14",
        "M15",
        "M18",
        "M",
        "M16",
        "M17",
        "M13",
        "M14",
        "N",
    ]
)
# live boolean parameter -> offer predicate name (see search._flag)
BOOLEAN_FILTERS = {
    "accesTravailleurHandicape": "accessibleTH",
    "offresManqueCandidats": "offresManqueCandidats",
    "entreprisesAdaptees": "entrepriseAdaptee",
    "employeursHandiEngages": "employeurHandiEngage",
}


NAF_RE = re.compile(r"^\d{2}\.\d{2}[A-Z]$")
ROME_CODE_RE = re.compile(r"^[A-N]\d{4}$")
RANGE_RE = re.compile(r"^(\d+)-(\d+)$")
CREATION_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PUBLIEE_DEPUIS = frozenset({1, 3, 7, 14, 31})


class BadRequest(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _split(value: str | None) -> list[str]:
    if value is None:
        return []
    return [v.strip() for v in value.split(",") if v.strip()]


class SearchQueryParser:
    """Mixed into ``FranceTravailEmulator`` (which has ``now``): the query as search criteria."""

    config: EmulatorConfig
    _refs: Referentials

    def _commune_dept(self, offer: Mapping[str, Any]) -> str | None:
        place = offer.get("lieuTravail") or {}
        commune = self._refs.communes.get(str(place.get("commune") or ""))
        if commune:
            return commune["departement"]
        label = str(place.get("libelle") or "")
        return label.split(" - ", 1)[0].strip() if " - " in label else None

    def _area_matcher(
        self, communes: list[str], distance: int
    ) -> Callable[[Mapping[str, Any]], float | None]:
        """Returns a function giving the distance (km) of an offer to the area, or None if out."""
        areas = []
        for code in communes:
            members = {code, *self._refs.children.get(code, ())}
            centre = self._refs.commune_centre(code)
            dept = self._refs.communes[code]["departement"]
            areas.append((members, centre, dept))

        def match(offer: Mapping[str, Any]) -> float | None:
            place = offer.get("lieuTravail") or {}
            commune = str(place.get("commune") or "")
            lat, lon = place.get("latitude"), place.get("longitude")
            best: float | None = None
            for members, centre, dept in areas:
                dist: float | None = None
                if (
                    centre is not None
                    and isinstance(lat, int | float)
                    and isinstance(lon, int | float)
                ):
                    d = haversine_km(centre[0], centre[1], float(lat), float(lon))
                    if commune in members or (distance > 0 and d <= distance):
                        dist = d
                elif commune in members:
                    dist = 0.0
                elif centre is None and distance >= 50 and self._commune_dept(offer) == dept:
                    dist = float(distance)  # unknown centre: widened to the département
                if dist is not None and (best is None or dist < best):
                    best = dist
            return best

        return match

    def _parse_search(self, q: Mapping[str, str]) -> dict[str, Any]:
        crit: dict[str, Any] = {}
        raw_range = q.get("range", "0-149")
        m = RANGE_RE.match(raw_range)
        if not m or int(m.group(1)) > int(m.group(2)):
            raise BadRequest(MSG_RANGE_FORMAT)
        start, end = int(m.group(1)), int(m.group(2))
        if end - start + 1 > self.config.max_width:
            raise BadRequest(MSG_RANGE_TOO_WIDE)
        if start > self.config.max_start:
            raise BadRequest(MSG_RANGE_START.format(max_start=self.config.max_start))
        if end > self.config.max_end:
            raise BadRequest(MSG_RANGE_END.format(max_end=self.config.max_end))
        crit["range"] = (start, end)
        sort = q.get("sort", "0")
        if sort not in {"0", "1", "2"}:
            raise BadRequest(MSG_VALUE.format(name="sort"))
        crit["sort"] = int(sort)
        if "motsCles" in q:
            terms = _split(q["motsCles"])
            if not terms or len(terms) > 7 or any(len(t) < 2 for t in terms):
                raise BadRequest(MSG_MOTS_CLES)
            crit["keywords"] = [
                [
                    (w, re.compile(r"\b" + re.escape(w)))
                    for w in re.split(r"[\s\-']+", normalize_text(t))
                    if w
                ]
                for t in terms
            ]
        if "codeROME" in q:
            codes = _split(q["codeROME"])
            if not codes or len(codes) > 200 or not all(ROME_CODE_RE.match(c) for c in codes):
                raise BadRequest(MSG_VALUE.format(name="codeROME"))
            crit["rome"] = set(codes)
        if "appellation" in q:
            codes = _split(q["appellation"])
            if not codes or not all(c.isdigit() for c in codes):
                raise BadRequest(MSG_VALUE.format(name="appellation"))
            labels = {self._refs.appellations[c][0] for c in codes if c in self._refs.appellations}
            crit["appellation"] = labels
        if "commune" in q:
            codes = _split(q["commune"])
            if not codes or len(codes) > 5 or any(c not in self._refs.communes for c in codes):
                raise BadRequest(MSG_VALUE.format(name="commune"))
            raw = q.get("distance", "10")
            if not raw.isdigit():
                raise BadRequest(MSG_FORMAT.format(name="distance"))
            crit["area"] = self._area_matcher(codes, int(raw))
        if "departement" in q:
            codes = _split(q["departement"])
            if not codes or len(codes) > 5 or any(c not in self._refs.departements for c in codes):
                raise BadRequest(MSG_VALUE.format(name="departement"))
            crit["departements"] = set(codes)
        if "region" in q:
            code = q["region"].strip()
            if code not in self._refs.regions:
                raise BadRequest(MSG_VALUE.format(name="region"))
            crit["region"] = {d for d, v in self._refs.departements.items() if v["region"] == code}
        known_types = {t["code"] for t in sandbox_referentials()["typesContrats"]}
        known_natures = {t["code"] for t in sandbox_referentials()["naturesContrats"]}
        if "typeContrat" in q:
            codes = _split(q["typeContrat"])
            if not codes or any(c not in known_types for c in codes):
                raise BadRequest(MSG_VALUE.format(name="typeContrat"))
            crit["types"] = set(codes)
        if "natureContrat" in q:
            codes = _split(q["natureContrat"])
            if not codes or any(c not in known_natures for c in codes):
                raise BadRequest(MSG_VALUE.format(name="natureContrat"))
            crit["natures"] = set(codes)
        if "experienceExigence" in q:
            codes = _split(q["experienceExigence"])
            if not codes or any(c not in {"D", "S", "E"} for c in codes):
                raise BadRequest(MSG_EXPERIENCE_EXIGENCE)
            crit["exigence"] = set(codes)
        if "experience" in q:
            codes = _split(q["experience"])
            if not codes or any(c not in {"0", "1", "2", "3"} for c in codes):
                raise BadRequest(MSG_VALUE.format(name="experience"))
            crit["experience"] = set(codes)
        if "qualification" in q:
            code = q["qualification"].strip()
            if code not in {"0", "9"}:
                raise BadRequest(MSG_VALUE.format(name="qualification"))
            crit["qualification"] = code
        if "tempsPlein" in q:
            value = q["tempsPlein"].strip().lower()
            if value not in {"true", "false"}:
                raise BadRequest(MSG_TEMPS_PLEIN)
            crit["full_time"] = value == "true"
        for name, key in (("minCreationDate", "min_date"), ("maxCreationDate", "max_date")):
            if name in q:
                value = q[name].strip()
                parsed = parse_ft_datetime(value) if CREATION_DATE_RE.match(value) else None
                if parsed is None:
                    raise BadRequest(MSG_FORMAT.format(name=name))
                crit[key] = parsed
        if "publieeDepuis" in q:
            raw = q["publieeDepuis"].strip()
            if not raw.isdigit() or int(raw) not in PUBLIEE_DEPUIS:
                raise BadRequest(MSG_VALUE.format(name="publieeDepuis"))
            crit["since"] = self.now() - timedelta(days=int(raw))
        crit.update(self._parse_secondary(q))
        return crit

    @staticmethod
    def _parse_secondary(q: Mapping[str, str]) -> dict[str, Any]:
        """Sector, domain, origin and boolean filters (less used; same validation style)."""
        crit: dict[str, Any] = {}
        if "secteurActivite" in q:
            codes = _split(q["secteurActivite"])
            if not codes or len(codes) > 2 or not all(re.fullmatch(r"\d{2}", c) for c in codes):
                raise BadRequest(MSG_VALUE.format(name="secteurActivite"))
            crit["sectors"] = set(codes)
        if "codeNAF" in q:
            codes = _split(q["codeNAF"])
            if not codes or len(codes) > 2 or not all(NAF_RE.match(c) for c in codes):
                raise BadRequest(MSG_FORMAT.format(name="codeNAF"))
            crit["naf"] = set(codes)
        if "grandDomaine" in q:
            code = q["grandDomaine"].strip()
            if code not in GRANDS_DOMAINES:
                raise BadRequest(MSG_GRAND_DOMAINE)
            crit["rome_prefix"] = code
        if "domaine" in q:
            code = q["domaine"].strip()
            if not re.fullmatch(r"[A-N]\d{2}", code):
                raise BadRequest(MSG_VALUE.format(name="domaine"))
            crit["rome_prefix"] = code
        if "origineOffre" in q:
            code = q["origineOffre"].strip()
            if code not in {"1", "2"}:
                raise BadRequest(MSG_VALUE.format(name="origineOffre"))
            crit["origin"] = code
        if "dureeHebdo" in q:
            code = q["dureeHebdo"].strip()
            if code not in {"0", "1", "2"}:
                raise BadRequest(MSG_VALUE.format(name="dureeHebdo"))
            if code != "0":
                crit["full_time"] = code == "1"
        for name, key in BOOLEAN_FILTERS.items():
            if name in q:
                value = q[name].strip().lower()
                if value not in {"true", "false"}:
                    raise BadRequest(f"Format du paramètre « {name} » incorrect. Booléen attendu.")
                if value == "true":  # false means "no filter" on the live API
                    crit.setdefault("flags", []).append(key)
        return crit
