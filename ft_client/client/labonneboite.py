"""La Bonne Boîte v2: companies likely to hire near a place, for one or more ROME codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from ft_client.client.transport import Transport
from ft_client.models.companies import CompanyPage
from ft_client.query import ROME_CODE_RE

MAX_DISTANCE_KM: Final = 200  # the API answers 422 above
MAX_PAGE_SIZE: Final = 100


class LaBonneBoiteApi(Transport):
    """Search La Bonne Boîte (scope ``api_labonneboitev2``, 2 calls/s)."""

    async def search_companies(
        self,
        rome_codes: Sequence[str],
        *,
        citycode: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        department: str | None = None,
        distance_km: int | None = None,
        page: int = 1,
        page_size: int = 10,
    ) -> CompanyPage:
        """Companies by hiring potential (best first) around a place; cached.

        A place is required (``citycode``, ``latitude`` + ``longitude`` or ``department``): the
        API answers 422 without one, raised as ``FTBadRequest``. An unknown ROME code gives an
        empty page, not an error.
        """
        codes = [code.strip().upper() for code in rome_codes]
        if not codes or any(not ROME_CODE_RE.match(code) for code in codes):
            raise ValueError(f"rome_codes: {list(rome_codes)!r} are not ROME codes")
        if not 1 <= page_size <= MAX_PAGE_SIZE or page < 1:
            raise ValueError(f"need page >= 1 and 1 <= page_size <= {MAX_PAGE_SIZE}")
        params: list[tuple[str, str]] = [("rome", code) for code in codes]  # repeated, not A,B
        if citycode:
            params.append(("citycode", citycode))
        if latitude is not None and longitude is not None:
            params += [("latitude", f"{latitude:.5f}"), ("longitude", f"{longitude:.5f}")]
        if department:
            params.append(("department_number", department))
        if distance_km is not None:
            params.append(("distance", str(max(1, min(MAX_DISTANCE_KM, distance_km)))))
        params += [
            ("page", str(page)),
            ("page_size", str(page_size)),
            ("sort_by", "hiring_potential"),
            ("sort_direction", "desc"),
        ]
        key = "lbb:" + "&".join(f"{k}={v}" for k, v in params)
        return await self._cached(key, lambda: self._fetch_companies(params))

    async def _fetch_companies(self, params: list[tuple[str, str]]) -> CompanyPage:
        endpoint = "labonneboite"
        response = await self._call(
            "labonneboite", endpoint, "GET", "/labonneboite/v2/recherche", params=params
        )
        if response.status_code == 204 or not response.content:
            return CompanyPage(hits=0, items=())
        body = self._json(response, endpoint)
        if not isinstance(body, dict) or not isinstance(body.get("items", []), list):
            raise self._invalid("La Bonne Boîte answer without an items list", response, endpoint)
        return CompanyPage.from_json(body)
