"""La Bonne Boîte v2: companies likely to hire (for spontaneous applications).

Shape from third-party probe notes (no real sample is known): ``{hits, items[], params,
resolved_params}``, each item with ``siret, company_name, office_name, naf, naf_label,
headcount_min, headcount_max, location{lat,lon}, city, citycode, postcode, department_number,
hiring_potential, is_high_potential, rome, email ("yes"/"no")``. Parsing is tolerant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ft_client.models.parsing import _bool, _dict, _float, _int, _list_of_dicts, _str


@dataclass(frozen=True, slots=True)
class HiringCompany:
    """One establishment La Bonne Boîte predicts will hire for the asked ROME code(s)."""

    siret: str
    name: str
    naf: str | None
    naf_label: str | None
    headcount_min: int | None
    headcount_max: int | None
    latitude: float | None
    longitude: float | None
    city: str | None
    citycode: str | None
    postcode: str | None
    department_number: str | None
    rome: str | None
    hiring_potential: float | None
    is_high_potential: bool
    email_available: bool | None  # the API says whether it has an e-mail ("yes"/"no"), not which
    website: str | None  # not in the known shape; read when present

    @classmethod
    def from_json(cls, data: Any) -> HiringCompany | None:
        d = _dict(data)
        siret = _str(d.get("siret"))
        name = _str(d.get("office_name")) or _str(d.get("company_name"))
        if not siret or not name:
            return None
        location = _dict(d.get("location"))
        email = d.get("email")
        email_available = (
            email.strip().lower() == "yes" if isinstance(email, str) and email.strip() else None
        )
        if isinstance(email, bool):
            email_available = email
        return cls(
            siret=siret,
            name=name,
            naf=_str(d.get("naf")),
            naf_label=_str(d.get("naf_label")),
            headcount_min=_int(d.get("headcount_min")),
            headcount_max=_int(d.get("headcount_max")),
            latitude=_float(location.get("lat")),
            longitude=_float(location.get("lon")),
            city=_str(d.get("city")),
            citycode=_str(d.get("citycode")),
            postcode=_str(d.get("postcode")),
            department_number=_str(d.get("department_number")),
            rome=_str(d.get("rome")),
            hiring_potential=_float(d.get("hiring_potential")),
            is_high_potential=bool(_bool(d.get("is_high_potential"))),
            email_available=email_available,
            website=_str(d.get("website")),
        )


@dataclass(frozen=True, slots=True)
class CompanyPage:
    """One page of a La Bonne Boîte search: ``hits`` in all, ``items`` on this page."""

    hits: int
    items: tuple[HiringCompany, ...]

    @classmethod
    def from_json(cls, data: Any) -> CompanyPage:
        d = _dict(data)
        parsed = (HiringCompany.from_json(item) for item in _list_of_dicts(d.get("items")))
        items = tuple(company for company in parsed if company is not None)
        hits = _int(d.get("hits"))
        return cls(hits=max(hits if hits is not None else len(items), len(items)), items=items)
