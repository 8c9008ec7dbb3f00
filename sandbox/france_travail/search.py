"""``offres/search``: matching, relevance and distance sort, facets, Content-Range paging."""

from __future__ import annotations

import collections
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from aiohttp import web

from sandbox.france_travail.config import EmulatorConfig
from sandbox.france_travail.formats import normalize_text, parse_ft_datetime
from sandbox.france_travail.responses import bad_request, json_response
from sandbox.france_travail.search_query import BadRequest, SearchQueryParser

NATURE_LABEL_TO_CODE = {
    "contrat travail": "E1",
    "contrat apprentissage": "E2",
    "cont. professionnalisation": "FS",
    "contrat de professionnalisation": "FS",
    "emploi non salarie": "NS",
    "insertion par l'activ.eco.": "I1",
    "cui - cae": "FT",
    "portage salarial": "PS",
    "contrat d'usage": "CU",
    "contrat intermittent": "CI",
    "cdi de chantier ou d'operation": "CC",
    "act. formation pre.recrut.": "FA",
}


class OfferInfo(NamedTuple):
    ident: int
    experience: str
    qualification: str
    nature: str | None
    created: datetime | None
    departement: str | None


def _experience_bucket(offer: Mapping[str, Any]) -> str:
    """Facet/filter ``experience``: 0 not specified, 1 < 1 year, 2 1–3 years, 3 > 3 years."""
    label = normalize_text(str(offer.get("experienceLibelle") or ""))
    exige = offer.get("experienceExige")
    match = re.search(r"(\d+)\s*(an|mois)", label)
    if match:
        months = int(match.group(1)) * (12 if match.group(2) == "an" else 1)
        return "1" if months < 12 else ("2" if months <= 36 else "3")
    if exige == "D" or "debutant" in label:
        return "1"
    return "0"


def _qualification_bucket(offer: Mapping[str, Any]) -> str:
    code = offer.get("qualificationCode")
    if code in (None, ""):
        return "X"
    return "9" if str(code) == "9" else "0"


def _flag(offer: Mapping[str, Any], name: str) -> bool:
    if name == "entrepriseAdaptee":
        company = offer.get("entreprise") or {}
        return bool(company.get("entrepriseAdaptee") or offer.get("entrepriseAdaptee"))
    return bool(offer.get(name))


def _nature_code(offer: Mapping[str, Any]) -> str | None:
    nature = offer.get("natureContrat")
    if not nature:
        return None
    return NATURE_LABEL_TO_CODE.get(normalize_text(str(nature)).replace("’", "'"), str(nature))


class OfferSearchRoutes(SearchQueryParser):
    """Mixed into ``FranceTravailEmulator``: the search handler over ``self.offers``."""

    config: EmulatorConfig
    offers: list[dict[str, Any]]
    _info_cache: dict[str, OfferInfo]
    _text_cache: dict[str, tuple[int, str, str]]

    def _texts(self, offer: Mapping[str, Any]) -> tuple[str, str]:
        """Normalised (title, title + description), cached per offer (only keyword searches)."""
        offer_id = str(offer.get("id"))
        cached = self._text_cache.get(offer_id)
        if cached is not None and cached[0] == id(offer):
            return cached[1], cached[2]
        title = normalize_text(str(offer.get("intitule") or ""))
        full = title + "\n" + normalize_text(str(offer.get("description") or ""))
        self._text_cache[offer_id] = (id(offer), title, full)
        return title, full

    def _info(self, offer: Mapping[str, Any]) -> OfferInfo:
        """Derived values used by filters and facets, cached per offer (dict identity)."""
        offer_id = str(offer.get("id"))
        cached = self._info_cache.get(offer_id)
        if cached is not None and cached.ident == id(offer):
            return cached
        info = OfferInfo(
            ident=id(offer),
            experience=_experience_bucket(offer),
            qualification=_qualification_bucket(offer),
            nature=_nature_code(offer),
            created=parse_ft_datetime(str(offer.get("dateCreation") or "")),
            departement=self._commune_dept(offer),
        )
        self._info_cache[offer_id] = info
        return info

    def _matches(
        self, offer: Mapping[str, Any], crit: Mapping[str, Any]
    ) -> tuple[bool, float, float]:
        """(matches, relevance, distance)."""
        relevance, distance = 0.0, math.inf
        info = self._info(offer)
        if "rome" in crit and offer.get("romeCode") not in crit["rome"]:
            return False, 0, 0
        if "appellation" in crit and offer.get("appellationlibelle") not in crit["appellation"]:
            return False, 0, 0
        if "types" in crit or "natures" in crit:
            ok = offer.get("typeContrat") in crit.get("types", ()) or (
                info.nature in crit.get("natures", ())
            )
            if not ok:
                return False, 0, 0
        if "exigence" in crit and offer.get("experienceExige") not in crit["exigence"]:
            return False, 0, 0
        if "experience" in crit and info.experience not in crit["experience"]:
            return False, 0, 0
        if "qualification" in crit and info.qualification != crit["qualification"]:
            return False, 0, 0
        if "full_time" in crit:
            # offers that do not say which (some real ones) match neither value
            wanted = "Temps plein" if crit["full_time"] else "Temps partiel"
            if offer.get("dureeTravailLibelleConverti") != wanted:
                return False, 0, 0
        if "min_date" in crit or "max_date" in crit or "since" in crit:
            created = info.created
            if created is None:
                return False, 0, 0
            if "min_date" in crit and created < crit["min_date"]:
                return False, 0, 0
            if "max_date" in crit and created > crit["max_date"]:
                return False, 0, 0
            if "since" in crit and created < crit["since"]:
                return False, 0, 0
        if "departements" in crit or "region" in crit:
            dept = info.departement
            if "departements" in crit and dept not in crit["departements"]:
                return False, 0, 0
            if "region" in crit and dept not in crit["region"]:
                return False, 0, 0
        if "sectors" in crit and offer.get("secteurActivite") not in crit["sectors"]:
            return False, 0, 0
        if "naf" in crit and offer.get("codeNAF") not in crit["naf"]:
            return False, 0, 0
        if "rome_prefix" in crit and not str(offer.get("romeCode") or "").startswith(
            crit["rome_prefix"]
        ):
            return False, 0, 0
        if "origin" in crit and (offer.get("origineOffre") or {}).get("origine") != crit["origin"]:
            return False, 0, 0
        for flag in crit.get("flags", ()):
            if not _flag(offer, flag):
                return False, 0, 0
        if "area" in crit:
            d = crit["area"](offer)
            if d is None:
                return False, 0, 0
            distance = d
        if "keywords" in crit:
            title, text = self._texts(offer)
            for words in crit["keywords"]:
                for word, pattern in words:
                    # substring test first: cheap, and rules out most offers
                    if word not in text or not pattern.search(text):
                        return False, 0, 0
                    relevance += 3.0 if pattern.search(title) else 1.0
        return True, relevance, distance

    def _search_results(self, crit: Mapping[str, Any]) -> list[dict[str, Any]]:
        scored = []
        for offer in self.offers:
            ok, relevance, distance = self._matches(offer, crit)
            if ok:
                scored.append((offer, relevance, distance, str(offer.get("dateCreation") or "")))
        sort = crit.get("sort", 0)
        # Python sorts are stable: apply the keys from the least to the most significant.
        if sort == 1:
            scored.sort(key=lambda t: (-t[1], t[2]))
            scored.sort(key=lambda t: t[3], reverse=True)
        elif sort == 2:
            scored.sort(key=lambda t: t[3], reverse=True)
            scored.sort(key=lambda t: (t[2], -t[1]))
        else:
            scored.sort(key=lambda t: t[3], reverse=True)
            scored.sort(key=lambda t: (-t[1], t[2]))
        return [t[0] for t in scored]

    def _facets(self, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        extractors: tuple[tuple[str, Callable[[Mapping[str, Any]], str | None]], ...] = (
            ("typeContrat", lambda o: o.get("typeContrat")),
            ("experience", lambda o: self._info(o).experience),
            ("qualification", lambda o: self._info(o).qualification),
            ("natureContrat", lambda o: self._info(o).nature),
        )
        facets = []
        for name, extract in extractors:
            counts: collections.Counter[str] = collections.Counter()
            for offer in results:
                value = extract(offer)
                if value:
                    counts[str(value)] += 1
            facets.append(
                {
                    "filtre": name,
                    "agregation": [
                        {"valeurPossible": v, "nbResultats": n} for v, n in sorted(counts.items())
                    ],
                }
            )
        return facets

    async def _search(self, request: web.Request) -> web.Response:
        try:
            crit = self._parse_search(request.query)
        except BadRequest as exc:
            return bad_request(exc.message)
        results = self._search_results(crit)
        total = len(results)
        start, end = crit["range"]
        if total == 0 or start >= total:
            status = 204 if total == 0 else self.config.beyond_total_status
            if status == 204:
                return web.Response(status=204)
            return json_response({"resultats": [], "filtresPossibles": self._facets(results)})
        last = min(end, total - 1)
        body = {"resultats": results[start : last + 1], "filtresPossibles": self._facets(results)}
        headers = {
            "Content-Range": f"offres {start}-{last}/{total}",
            "Accept-Range": str(self.config.max_width),  # as recorded live: "150"
        }
        return json_response(body, status=206 if last < total - 1 else 200, headers=headers)
