"""``offresdemploi/v2/referentiel/{name}``: métiers, communes, départements, contract types…"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from sandbox.france_travail.formats import normalize_text
from sandbox.france_travail.referentials import Referentials, sandbox_referentials
from sandbox.france_travail.responses import ft_error


class ReferentielRoutes:
    """Mixed into ``FranceTravailEmulator``: the referentials, built and encoded once each."""

    _refs: Referentials
    _referentiel_cache: dict[str, tuple[bytes, int]]

    def _referentiel_items(self, name: str) -> list[dict[str, Any]] | None:
        refs = self._refs
        extra = sandbox_referentials()
        if name == "metiers":
            return [{"code": j["code"], "libelle": j["label"]} for j in refs.rome["jobs"]]
        if name == "appellations":
            return [{"code": c, "libelle": v[0]} for c, v in sorted(refs.appellations.items())]
        if name == "communes":
            out = []
            for c in refs.communes.values():
                if c.get("kind") not in {"commune", "arrondissement"}:
                    continue
                out.append(
                    {
                        "code": c["insee"],
                        "libelle": _ft_commune_label(c),
                        "codePostal": c["postal_codes"][0] if c["postal_codes"] else None,
                        "codeDepartement": c["departement"],
                    }
                )
            return out
        if name == "departements":
            return [
                {
                    "code": code,
                    "libelle": d["name"],
                    "region": {"code": d["region"], "libelle": refs.regions.get(d["region"])},
                }
                for code, d in sorted(refs.departements.items())
            ]
        if name == "regions":
            return [{"code": c, "libelle": v} for c, v in sorted(refs.regions.items())]
        if name == "typesContrats":
            return list(extra["typesContrats"])
        if name == "naturesContrats":
            return list(extra["naturesContrats"])
        if name == "domaines":
            return [
                {"code": c, "libelle": v}
                for c, v in sorted(refs.rome["domains"].items())
                if len(c) == 3
            ]
        return None

    async def _referentiel(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        cached = self._referentiel_cache.get(name)
        if cached is None:
            items = self._referentiel_items(name)
            if items is None:
                return ft_error(404, f"Le référentiel « {name} » n'existe pas.")
            cached = (json.dumps(items, ensure_ascii=False).encode("utf-8"), len(items))
            self._referentiel_cache[name] = cached  # static data: build and encode once
        body, count = cached
        return web.Response(
            body=body,
            content_type="application/json",
            charset="utf-8",
            headers={"Content-Range": f"{name} */{count}"},
        )


def _ft_commune_label(commune: Mapping[str, Any]) -> str:
    """``PARIS 01``, ``ST MARTIN DU BEC``: the upper-case style of ``referentiel/communes``."""
    name = str(commune["name"])
    arr = re.match(r"^(Paris|Lyon|Marseille) (\d+)(?:er|e) Arrondissement$", name)
    if arr:
        return f"{arr.group(1).upper()} {int(arr.group(2)):02d}"
    text = normalize_text(name).upper().replace("-", " ").replace("'", " ")
    text = re.sub(r"\bSAINTE\b", "STE", text)
    text = re.sub(r"\bSAINT\b", "ST", text)
    return re.sub(r"\s+", " ", text).strip()
