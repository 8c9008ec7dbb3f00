"""Marché du travail v1: offers, hires, recruitment tension and salaries per ROME and territory.

One snapshot takes four calls (offers, hires, employer outlook, salaries); each may have no
figure for a small territory, which leaves that part empty rather than failing the rest.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Final

from ft_client.client.rome import _rome_code
from ft_client.client.transport import Transport
from ft_client.models.market import (
    MarketPeriodValue,
    MarketSnapshot,
    count_from,
    period_of,
    salaries_from,
    tension_from,
)

BASE: Final = "/stats-offres-demandes-emploi/v1/indicateur"
TERRITORY_TYPES: Final = frozenset({"NAT", "REG", "DEP"})


def current_quarter(now: datetime | None = None) -> str:
    """``2026T4``: the period the cache keys on (a new quarter asks again)."""
    moment = now or datetime.now(UTC)
    return f"{moment.year}T{(moment.month - 1) // 3 + 1}"


class MarketApi(Transport):
    """Read the job market (scope ``api_stats-offres-demandes-emploiv1 offresetdemandesemploi``)."""

    async def get_market(
        self, rome_code: str, territory_type: str = "NAT", territory_code: str = "FR"
    ) -> MarketSnapshot:
        """The latest figures for a métier in a territory, cached per (métier, territory,
        quarter)."""
        code = _rome_code(rome_code)
        kind = territory_type.upper()
        if kind not in TERRITORY_TYPES:
            raise ValueError(f"territory_type: {territory_type!r} not in {sorted(TERRITORY_TYPES)}")
        key = f"marche:{code}:{kind}:{territory_code}:{current_quarter()}"
        return await self._cached(key, lambda: self._fetch_market(code, kind, territory_code))

    async def _fetch_market(self, code: str, kind: str, territory: str) -> MarketSnapshot:
        body: dict[str, Any] = {
            "codeTypeTerritoire": kind,
            "codeTerritoire": territory,
            "codeTypeActivite": "ROME",
            "codeActivite": code,
            "codeTypePeriode": "TRIMESTRE",
            "dernierePeriode": True,
        }
        offers, hires, outlook, salaries = await asyncio.gather(
            self._indicator("marche_offres", f"{BASE}/stat-offres", body),
            self._indicator("marche_embauches", f"{BASE}/stat-embauches", body),
            self._indicator(
                "marche_tension",
                f"{BASE}/stat-perspective-employeur",
                {**body, "codeTypePeriode": "ANNEE", "codeTypeNomenclature": "TYPE_TENSION"},
            ),
            self._salaries(code, kind, territory),
        )
        tension, factors = tension_from(outlook)
        low, median, high = salaries_from(salaries)
        territory_label, period_label = period_of(offers or hires or outlook)
        return MarketSnapshot(
            rome_code=code,
            territory_type=kind,
            territory_code=territory,
            territory_label=territory_label,
            period_label=period_label,
            tension=tension,
            factors=factors,
            offers=count_from(offers),
            hires=count_from(hires),
            salary_low=low,
            salary_median=median,
            salary_high=high,
        )

    async def _indicator(
        self, endpoint: str, path: str, body: dict[str, Any]
    ) -> list[MarketPeriodValue]:
        response = await self._call(
            "marche", endpoint, "POST", path, json_body=body, accept=(200, 204, 404)
        )
        return self._values(response, endpoint)

    async def _salaries(self, code: str, kind: str, territory: str) -> list[MarketPeriodValue]:
        endpoint = "marche_salaires"
        response = await self._call(
            "marche",
            endpoint,
            "GET",
            f"{BASE}/salaire-rome-fap/{kind}/{territory}",
            params={"codeRome": code},
            accept=(200, 204, 404),
        )
        return self._values(response, endpoint)

    def _values(self, response: Any, endpoint: str) -> list[MarketPeriodValue]:
        if response.status_code != 200 or not response.content:
            return []
        body = self._json(response, endpoint)
        if not isinstance(body, dict):
            raise self._invalid("market answer is not a JSON object", response, endpoint)
        return MarketPeriodValue.list_from_json(body)
