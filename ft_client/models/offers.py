"""Offres d'emploi v2: an offer and its parts (company, place, salary, skills, contact…),
and a page of search results with its facets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ft_client.models.parsing import (
    _bool,
    _dict,
    _float,
    _int,
    _list_of_dicts,
    _str,
    _str_tuple,
    parse_datetime,
)

OFFER_PAGE_URL = "https://candidat.francetravail.fr/offres/recherche/detail/{id}"


@dataclass(frozen=True, slots=True)
class Company:
    name: str | None = None
    description: str | None = None
    logo_url: str | None = None
    url: str | None = None
    adapted: bool | None = None  # entreprise adaptée
    siret: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> Company:
        d = _dict(data)
        return cls(
            name=_str(d.get("nom")),
            description=_str(d.get("description")),
            logo_url=_str(d.get("logo")),
            url=_str(d.get("url")),
            adapted=_bool(d.get("entrepriseAdaptee")),
            siret=_str(d.get("siret")),
        )


@dataclass(frozen=True, slots=True)
class WorkPlace:
    label: str | None = None  # "75 - Paris 12e Arrondissement"
    latitude: float | None = None
    longitude: float | None = None
    postal_code: str | None = None
    commune: str | None = None  # INSEE code

    @property
    def departement(self) -> str | None:
        """The département code, from the INSEE code, else the postal code, else the label."""
        for code in (self.commune, self.postal_code):
            if code and len(code) == 5:
                return code[:3] if code.startswith("97") else code[:2]
        if self.label and " - " in self.label:
            head = self.label.split(" - ", 1)[0].strip()
            if 1 <= len(head) <= 3:
                return head
        return None

    @classmethod
    def from_json(cls, data: Any) -> WorkPlace:
        d = _dict(data)
        return cls(
            label=_str(d.get("libelle")),
            latitude=_float(d.get("latitude")),
            longitude=_float(d.get("longitude")),
            postal_code=_str(d.get("codePostal")),
            commune=_str(d.get("commune")),
        )


@dataclass(frozen=True, slots=True)
class Salary:
    label: str | None = None
    comment: str | None = None
    complement1: str | None = None
    complement2: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> Salary | None:
        d = _dict(data)
        salary = cls(
            label=_str(d.get("libelle")),
            comment=_str(d.get("commentaire")),
            complement1=_str(d.get("complement1")),
            complement2=_str(d.get("complement2")),
        )
        return salary if any((salary.label, salary.comment, salary.complement1)) else None


@dataclass(frozen=True, slots=True)
class Competence:
    """A skill an offer asks for. ``code`` is the ROME 4.0 OGR skill code (e.g. "483320")."""

    code: str | None
    label: str
    requirement: str | None = None  # "E" exigée, "S" souhaitée

    @property
    def required(self) -> bool:
        return self.requirement == "E"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Competence | None:
        label = _str(data.get("libelle"))
        if not label:
            return None
        return cls(code=_str(data.get("code")), label=label, requirement=_str(data.get("exigence")))


@dataclass(frozen=True, slots=True)
class ProfessionalQuality:
    label: str
    description: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProfessionalQuality | None:
        label = _str(data.get("libelle"))
        return cls(label=label, description=_str(data.get("description"))) if label else None


@dataclass(frozen=True, slots=True)
class Requirement:
    """A training, language or driving licence line: label + E/S requirement."""

    label: str
    requirement: str | None = None
    level: str | None = None
    domain: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Requirement | None:
        label = _str(data.get("libelle")) or _str(data.get("niveauLibelle"))
        domain = _str(data.get("domaineLibelle"))
        if not label and not domain:
            return None
        return cls(
            label=label or domain or "",
            requirement=_str(data.get("exigence")),
            level=_str(data.get("niveauLibelle")),
            domain=domain,
        )


@dataclass(frozen=True, slots=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    lines: tuple[str, ...] = ()
    recruiter_url: str | None = None
    apply_url: str | None = None
    comment: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> Contact | None:
        d = _dict(data)
        if not d:
            return None
        return cls(
            name=_str(d.get("nom")),
            phone=_str(d.get("telephone")),
            email=_str(d.get("courriel")),
            lines=tuple(
                line
                for key in ("coordonnees1", "coordonnees2", "coordonnees3")
                if (line := _str(d.get(key)))
            ),
            recruiter_url=_str(d.get("urlRecruteur")),
            apply_url=_str(d.get("urlPostulation")),
            comment=_str(d.get("commentaire")),
        )


@dataclass(frozen=True, slots=True)
class Partner:
    name: str | None = None
    url: str | None = None
    logo: str | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    origin: str | None = None  # "1" France Travail, "2" partner
    url: str | None = None
    partners: tuple[Partner, ...] = ()

    @classmethod
    def from_json(cls, data: Any) -> Origin | None:
        d = _dict(data)
        if not d:
            return None
        return cls(
            origin=_str(d.get("origine")),
            url=_str(d.get("urlOrigine")),
            partners=tuple(
                Partner(name=_str(p.get("nom")), url=_str(p.get("url")), logo=_str(p.get("logo")))
                for p in _list_of_dicts(d.get("partenaires"))
            ),
        )


@dataclass(frozen=True, slots=True)
class Offer:
    """One job offer (an element of ``resultats``, identical to ``GET /offres/{id}``)."""

    id: str
    title: str
    description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    place: WorkPlace = field(default_factory=WorkPlace)
    rome_code: str | None = None
    rome_label: str | None = None
    appellation_label: str | None = None
    company: Company = field(default_factory=Company)
    contract_type: str | None = None  # CDI, CDD, MIS…
    contract_type_label: str | None = None
    contract_nature: str | None = None  # a label here ("Contrat travail"), not the E1/E2 code
    experience_requirement: str | None = None  # D débutant accepté, S souhaitée, E exigée
    experience_label: str | None = None
    experience_comment: str | None = None
    trainings: tuple[Requirement, ...] = ()
    languages: tuple[Requirement, ...] = ()
    licences: tuple[Requirement, ...] = ()
    office_tools: tuple[str, ...] = ()
    competences: tuple[Competence, ...] = ()
    qualities: tuple[ProfessionalQuality, ...] = ()
    salary: Salary | None = None
    working_hours_label: str | None = None
    working_hours_converted: str | None = None  # "Temps plein" / "Temps partiel"
    schedule: tuple[str, ...] = ()  # contexteTravail.horaires (string or list in the wild)
    alternance: bool | None = None
    contact: Contact | None = None
    positions: int | None = None
    accessible_disabled: bool | None = None
    qualification_code: str | None = None
    qualification_label: str | None = None
    naf_code: str | None = None
    sector_code: str | None = None
    sector_label: str | None = None
    company_size: str | None = None
    origin: Origin | None = None
    lacks_candidates: bool | None = None

    @property
    def page_url(self) -> str:
        """The offer's page on France Travail's site."""
        return OFFER_PAGE_URL.format(id=self.id)

    @property
    def origin_url(self) -> str | None:
        return self.origin.url if self.origin else None

    @property
    def required_competences(self) -> tuple[Competence, ...]:
        return tuple(c for c in self.competences if c.required)

    @classmethod
    def from_json(cls, data: Any) -> Offer | None:
        """Parse one offer; ``None`` only when it has no id (nothing to refer to)."""
        d = _dict(data)
        offer_id = _str(d.get("id"))
        if not offer_id:
            return None
        context = _dict(d.get("contexteTravail"))
        return cls(
            id=offer_id,
            title=_str(d.get("intitule")) or "Offre sans intitulé",
            description=_str(d.get("description")),
            created_at=parse_datetime(d.get("dateCreation")),
            updated_at=parse_datetime(d.get("dateActualisation")),
            place=WorkPlace.from_json(d.get("lieuTravail")),
            rome_code=_str(d.get("romeCode")),
            rome_label=_str(d.get("romeLibelle")),
            appellation_label=_str(d.get("appellationlibelle")),
            company=Company.from_json(d.get("entreprise")),
            contract_type=_str(d.get("typeContrat")),
            contract_type_label=_str(d.get("typeContratLibelle")),
            contract_nature=_str(d.get("natureContrat")),
            experience_requirement=_str(d.get("experienceExige")),
            experience_label=_str(d.get("experienceLibelle")),
            experience_comment=_str(d.get("experienceCommentaire")),
            trainings=_requirements(d.get("formations")),
            languages=_requirements(d.get("langues")),
            licences=_requirements(d.get("permis")),
            office_tools=_office_tools(d.get("outilsBureautiques")),
            competences=tuple(
                competence
                for item in _list_of_dicts(d.get("competences"))
                if (competence := Competence.from_json(item))
            ),
            qualities=tuple(
                q
                for q in (
                    ProfessionalQuality.from_json(x)
                    for x in _list_of_dicts(d.get("qualitesProfessionnelles"))
                )
                if q
            ),
            salary=Salary.from_json(d.get("salaire")),
            working_hours_label=_str(d.get("dureeTravailLibelle")),
            working_hours_converted=_str(d.get("dureeTravailLibelleConverti")),
            schedule=_str_tuple(context.get("horaires")),
            alternance=_bool(d.get("alternance")),
            contact=Contact.from_json(d.get("contact")),
            positions=_int(d.get("nombrePostes")),
            accessible_disabled=_bool(d.get("accessibleTH")),
            qualification_code=_str(d.get("qualificationCode")),
            qualification_label=_str(d.get("qualificationLibelle")),
            naf_code=_str(d.get("codeNAF")),
            sector_code=_str(d.get("secteurActivite")),
            sector_label=_str(d.get("secteurActiviteLibelle")),
            company_size=_str(d.get("trancheEffectifEtab")),
            origin=Origin.from_json(d.get("origineOffre")),
            lacks_candidates=_bool(d.get("offresManqueCandidats")),
        )


def _requirements(value: Any) -> tuple[Requirement, ...]:
    return tuple(r for r in (Requirement.from_json(x) for x in _list_of_dicts(value)) if r)


def _office_tools(value: Any) -> tuple[str, ...]:
    # The schema says array of strings, the doc example sends one string; objects seen too.
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            if isinstance(item, dict):
                label = _str(item.get("libelle"))
                if label:
                    out.append(label)
            elif (text := _str(item)) is not None:
                out.append(text)
        return tuple(out)
    return _str_tuple(value)


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class Facet:
    """One ``filtresPossibles`` entry; counts cover the whole result set, not the page."""

    name: str
    values: tuple[FacetValue, ...]

    @classmethod
    def from_json(cls, data: Any) -> Facet | None:
        d = _dict(data)
        name = _str(d.get("filtre"))
        if not name:
            return None
        values = tuple(
            FacetValue(value=v, count=_int(a.get("nbResultats")) or 0)
            for a in _list_of_dicts(d.get("agregation"))
            if (v := _str(a.get("valeurPossible"))) is not None
        )
        return cls(name=name, values=values)


@dataclass(frozen=True, slots=True)
class OfferPage:
    offers: tuple[Offer, ...]
    total: int
    facets: tuple[Facet, ...] = ()
    start: int = 0

    @classmethod
    def empty(cls, start: int = 0) -> OfferPage:
        return cls(offers=(), total=0, facets=(), start=start)
