"""The person's search criteria, one definition for /match, /recherche, /metiers and alerts.

`criteria_for(profile, ...)` starts from the stored profile (target jobs, place, radius,
contract types) and applies what a search typed on top ("en CDI", "à Rennes 20 km",
"débutant"). `Criteria.query(ref)` is the France Travail query; `Criteria.summary()` is what a
search states it applied ("CDI · Paris + 10 km · débutant"). Criteria survive in ``user_data``
(paging and "Élargir" buttons) through `to_dict` / `from_dict`: plain JSON values only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ft_client import OfferQuery

if TYPE_CHECKING:
    from ft_client.referential import Referential
    from storage import Profile

DEFAULT_RADIUS_KM: Final = 10
# storage.models working_time values → Criteria.part_time (absent: either).
PART_TIME_OF: Final = {"temps_partiel": True, "temps_plein": False}
WIDE_RADIUS_KM: Final = 50
# France Travail natureContrat codes of work-study contracts (apprenticeship, professionalisation).
ALTERNANCE_NATURES: Final = ("E2", "FS")
CONTRACT_SHORT_LABELS: Final = {
    "CDI": "CDI",
    "CDD": "CDD",
    "MIS": "intérim",
    "SAI": "saisonnier",
    "LIB": "libéral",
    "FRA": "franchise",
    "CCE": "profession commerciale",
    "DDI": "CDD d'insertion",
    "DIN": "CDI intérimaire",
    "TTI": "intérim d'insertion",
}


@dataclass(frozen=True, slots=True)
class Criteria:
    """What to search: job (ROME codes or keywords), where, and the filters."""

    rome_codes: tuple[str, ...] = ()
    keywords: str | None = None
    commune_code: str | None = None  # INSEE code of the place (also the distance origin)
    place_label: str | None = None  # "Paris", "Rhône (département 69)", "Bretagne"
    radius_km: int | None = None  # with a commune only
    departement: str | None = None
    region: str | None = None
    contract_types: tuple[str, ...] = ()
    alternance: bool = False
    part_time: bool | None = None
    beginner: bool = False

    @property
    def has_place(self) -> bool:
        return bool(self.commune_code or self.departement or self.region)

    @property
    def has_contract_filter(self) -> bool:
        return bool(self.contract_types or self.alternance)

    def query(self, ref: Referential) -> OfferQuery:
        """The France Travail query; ValueError for a commune the referential does not know."""
        commune = ref.query_commune(self.commune_code) if self.commune_code else None
        return OfferQuery(
            keywords=self.keywords or None,
            rome_codes=self.rome_codes,
            commune=commune,
            distance_km=self.radius_km if commune else None,
            departements=(self.departement,) if self.departement and not commune else (),
            region=self.region if not (commune or self.departement) else None,
            contract_types=self.contract_types,
            contract_natures=ALTERNANCE_NATURES if self.alternance else (),
            full_time=None if self.part_time is None else not self.part_time,
            experience_requirement="D" if self.beginner else None,
        )

    def summary(self) -> str:
        """Plain text (not escaped): "CDI, CDD · Paris + 10 km · débutant"."""
        parts: list[str] = []
        contracts = [CONTRACT_SHORT_LABELS.get(c, c) for c in self.contract_types]
        if self.alternance:
            contracts.append("alternance")
        parts.append(", ".join(contracts) if contracts else "tous contrats")
        if self.commune_code and self.place_label:
            radius = f" + {self.radius_km}\u00a0km" if self.radius_km else ""
            parts.append(f"{self.place_label}{radius}")
        elif self.place_label and self.has_place:
            parts.append(self.place_label)
        else:
            parts.append("toute la France")
        if self.part_time is not None:
            parts.append("temps partiel" if self.part_time else "temps plein")
        if self.beginner:
            parts.append("débutant")
        return " · ".join(parts)

    def widened(self, radius_km: int = WIDE_RADIUS_KM) -> Criteria:
        return dataclasses.replace(self, radius_km=radius_km)

    def everywhere(self) -> Criteria:
        return dataclasses.replace(
            self,
            commune_code=None,
            place_label=None,
            radius_km=None,
            departement=None,
            region=None,
        )

    def any_contract(self) -> Criteria:
        return dataclasses.replace(self, contract_types=(), alternance=False)

    def to_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["rome_codes"] = list(self.rome_codes)
        values["contract_types"] = list(self.contract_types)
        return values

    @classmethod
    def from_dict(cls, data: object) -> Criteria | None:
        """The criteria stored by `to_dict`; None for anything else (old or damaged data)."""
        if not isinstance(data, dict):
            return None
        try:
            values = {f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data}
            values["rome_codes"] = tuple(str(c) for c in values.get("rome_codes", ()))
            values["contract_types"] = tuple(str(c) for c in values.get("contract_types", ()))
            return cls(**values)
        except (TypeError, KeyError):
            return None


def criteria_for(
    profile: Profile | None,
    ref: Referential | None = None,
    **overrides: Any,
) -> Criteria:
    """The profile's criteria (jobs, place, radius, contract types, working time, beginner),
    then ``overrides``.

    With ``ref``, a stored place the referential no longer knows is dropped (the search then
    covers France) instead of failing the query. Overriding any place field replaces the whole
    place: pass ``commune_code``/``departement``/``region`` (None for all = everywhere).
    """
    base = Criteria()
    if profile is not None:
        place_known = bool(profile.place_code) and (
            ref is None or ref.place(profile.place_code or "") is not None
        )
        base = Criteria(
            rome_codes=tuple(job.code for job in profile.target_jobs),
            commune_code=profile.place_code if place_known else None,
            place_label=profile.place_label if place_known else None,
            radius_km=profile.radius_km if place_known else None,
            contract_types=tuple(sorted(set(profile.contract_types))),
            # The profile's own wishes: working time, and a beginner asks for offers that
            # accept beginners (the « Débutant accepté » filter juniors miss most).
            part_time=PART_TIME_OF.get(profile.working_time or ""),
            beginner=profile.experience == "debutant",
        )
    place_fields = {"commune_code", "departement", "region"}
    if place_fields & overrides.keys():
        base = base.everywhere()
    return dataclasses.replace(base, **overrides)


def origin_of(ref: Referential, commune_code: str | None) -> tuple[float, float] | None:
    """The (latitude, longitude) of a commune, the origin of the offers' distances."""
    place = ref.place(commune_code) if commune_code else None
    if place is None or place.latitude is None or place.longitude is None:
        return None
    return (place.latitude, place.longitude)
