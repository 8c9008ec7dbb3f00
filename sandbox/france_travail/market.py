"""Marché du travail v1 (``/stats-offres-demandes-emploi/v1/indicateur/…``): deterministic
figures per ROME code and territory.

``POST …/indicateur/{stat-offres | stat-demandeurs | stat-embauches | stat-perspective-employeur}``
with a JSON body (``codeTypeTerritoire`` NAT/REG/DEP, ``codeTerritoire``, ``codeTypeActivite``
ROME, ``codeActivite``, ``codeTypePeriode``), and ``GET …/salaire-rome-fap/{type}/{code}
?codeRome=``. Figures are drawn from a hash of (ROME, territory), scaled by the territory's size,
so a département always has fewer offers than its région. An unknown territory is a 400, an
unknown ROME code a 204 (no figure). Shapes: see ``ft_client/models/market.py`` (inferred).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from sandbox.france_travail.referentials import Referentials
from sandbox.france_travail.responses import ft_error, json_response

INDICATORS = ("stat-offres", "stat-demandeurs", "stat-demandeurs-entrant", "stat-embauches")
OUTLOOK = "stat-perspective-employeur"
TENSION_LABELS = {
    "PERSPECTIVE": "Tension",
    "INT_EMB": "Intensité d'embauches",
    "COND_TRAVAIL": "Conditions de travail contraignantes",
    "DUR_EMPL": "Non-durabilité de l'emploi",
    "MAIN_OEUVRE": "Manque de main d'oeuvre disponible",
    "SPECIF_FORM_EMPL": "Lien formation-emploi",
    "MISMATCH_GEO": "Inadéquation géographique",
}
_SCALE = {"NAT": 1.0, "REG": 0.12, "DEP": 0.02}


def _unit(*parts: str) -> float:
    digest = hashlib.sha256(":".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 0xFFFFFFFF


def _quarter(now: datetime) -> tuple[str, str]:
    """The last complete quarter: ("2026T3", "3e trimestre 2026")."""
    quarter = (now.month - 1) // 3  # the current one, 0-based; the last complete is one before
    year = now.year if quarter else now.year - 1
    quarter = quarter or 4
    ordinal = "1er" if quarter == 1 else f"{quarter}e"
    return f"{year}T{quarter}", f"{ordinal} trimestre {year}"


class MarketRoutes:
    """Mixed into ``FranceTravailEmulator`` (``_refs``, ``now``, ``config``)."""

    _refs: Referentials
    config: Any
    now: Callable[[], datetime]

    def _territory_label(self, kind: str, code: str) -> str | None:
        if kind == "NAT":
            return "France" if code in ("FR", "FRA", "") else None
        if kind == "REG":
            return self._refs.regions.get(code)
        if kind == "DEP":
            record = self._refs.departements.get(code)
            return record["name"] if record else None
        return None

    def _market_base(self, kind: str, code: str, rome: str) -> dict[str, Any]:
        period, period_label = _quarter(self.now())
        return {
            "codeTypeTerritoire": kind,
            "codeTerritoire": code,
            "libTerritoire": self._territory_label(kind, code),
            "codeTypeActivite": "ROME",
            "codeActivite": rome,
            "libActivite": self._refs.jobs[rome]["label"],
            "codeTypePeriode": "TRIMESTRE",
            "codePeriode": period,
            "libPeriode": period_label,
            "datMaj": self.now().date().isoformat(),
        }

    async def _market_indicator(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in (*INDICATORS, OUTLOOK):
            return web.Response(status=404)
        try:
            body = await request.json(loads=json.loads)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return ft_error(400, "Le corps de la requête doit être un objet JSON.")
        if not isinstance(body, dict):
            return ft_error(400, "Le corps de la requête doit être un objet JSON.")
        kind = str(body.get("codeTypeTerritoire") or "")
        code = str(body.get("codeTerritoire") or "")
        rome = str(body.get("codeActivite") or "")
        if body.get("codeTypeActivite") != "ROME" or not rome:
            return ft_error(400, "codeTypeActivite et codeActivite sont obligatoires.")
        if self._territory_label(kind, code) is None:
            return ft_error(400, f"Territoire inconnu : {kind} {code}.")
        if rome not in self._refs.jobs:
            return web.Response(status=204)
        base = self._market_base(kind, code, rome)
        if name == OUTLOOK:
            return json_response({"listeValeursParPeriode": self._tension(base, rome, kind, code)})
        volume = 200 + 40_000 * _unit(rome, "volume") ** 2
        share = {"stat-offres": 1.0, "stat-embauches": 1.6}.get(name, 3.0)
        number = round(volume * share * _SCALE[kind] * (0.6 + 0.8 * _unit(rome, code, name)))
        entry = {
            **base,
            "codeNomenclature": "CUMUL",
            "libNomenclature": "Total",
            "valeurPrincipaleNombre": number,
            "valeurSecondairePourcentage": round(100 * _unit(rome, code, name, "pct"), 1),
            "listeValeurParCaract": [],
        }
        return json_response({"listeValeursParPeriode": [entry]})

    def _tension(self, base: dict[str, Any], rome: str, kind: str, code: str) -> list[dict]:
        out = []
        for nomenclature, label in TENSION_LABELS.items():
            index = round(_unit(rome, kind, code, nomenclature), 3)
            out.append(
                {
                    **base,
                    "codeTypePeriode": "ANNEE",
                    "codeNomenclature": nomenclature,
                    "libNomenclature": label,
                    "valeurPrincipaleDecimale": index,
                    "valeurPrincipaleRang": 1 + min(4, int(index * 5)),
                }
            )
        return out

    async def _market_salary(self, request: web.Request) -> web.Response:
        kind, code = request.match_info["kind"], request.match_info["code"]
        rome = request.query.get("codeRome", "")
        if self._territory_label(kind, code) is None:
            return ft_error(400, f"Territoire inconnu : {kind} {code}.")
        if not rome:
            return ft_error(400, "Le paramètre codeRome est obligatoire.")
        if rome not in self._refs.jobs:
            return web.Response(status=204)
        median = round(1800 + 1700 * _unit(rome, "salary") + 150 * _unit(rome, kind, code), -1)
        amounts = (("SAL_BAS", 0.85), ("SAL_MED", 1.0), ("SAL_HAUT", 1.3))
        entry = {
            **self._market_base(kind, code, rome),
            "codeTypePeriode": "ANNEE",
            "salaireValeurMontant": [
                {
                    "codeNomenclature": nomenclature,
                    "libNomenclature": label,
                    "valeurPrincipaleMontant": round(median * factor, -1),
                }
                for (nomenclature, factor), label in zip(
                    amounts, ("Salaire bas", "Salaire médian", "Salaire haut"), strict=True
                )
            ],
        }
        return json_response({"listeValeursParPeriode": [entry]})
