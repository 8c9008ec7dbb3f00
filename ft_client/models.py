"""Typed, frozen models of France Travail "Offres d'emploi v2" objects.

Parsing is tolerant on purpose: the real API omits fields, sends ``null`` or ``[]`` where an
object is expected, and sends some fields either as a string or a list of strings. Every
``from_json`` here accepts what the real samples show and never raises on a real response:
missing fields become ``None`` (or an empty tuple for lists), unknown fields are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

OFFER_PAGE_URL = "https://candidat.francetravail.fr/offres/recherche/detail/{id}"


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", "."))
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list_of_dicts(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _str_tuple(value: Any) -> tuple[str, ...]:
    """A field seen both as a string and as a list of strings."""
    if isinstance(value, str):
        text = value.strip()
        return (text,) if text else ()
    if isinstance(value, list):
        return tuple(s for s in (_str(v) for v in value) if s)
    return ()


def parse_datetime(value: Any) -> datetime | None:
    """ISO-8601 as France Travail sends it (``Z``, with or without millis) → aware UTC datetime."""
    text = _str(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_ft_datetime(value: datetime) -> str:
    """The API's date format for ``minCreationDate``/``maxCreationDate``: UTC, no millis."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


# --- ROME 4.0, Match via Soft Skills and referentials --------------------------------------


@dataclass(frozen=True, slots=True)
class RomeAppellation:
    """A job title ("appellation") of a ROME 4.0 métier."""

    code: str
    label: str
    short_label: str | None = None
    classification: str | None = None  # "PRINCIPALE" / "SYNONYME"

    @classmethod
    def from_json(cls, data: Any) -> RomeAppellation | None:
        d = _dict(data)
        code, label = _str(d.get("code")), _str(d.get("libelle"))
        if not code or not label:
            return None
        return cls(
            code=code,
            label=label,
            short_label=_str(d.get("libelleCourt")),
            classification=_str(d.get("classification")),
        )


@dataclass(frozen=True, slots=True)
class RomeSkill:
    """A competence or a knowledge item of a ROME 4.0 fiche métier."""

    code: str | None
    label: str
    kind: str | None = (
        None  # "COMPETENCE-DETAILLEE", "MACRO-SAVOIR-FAIRE", "SAVOIR", "SAVOIR-ETRE"…
    )
    group: str | None = None  # enjeu (competences) or catégorie de savoirs (savoirs)

    @property
    def is_soft_skill(self) -> bool:
        return bool(self.kind and "SAVOIR-ETRE" in self.kind)

    @property
    def is_knowledge(self) -> bool:
        return self.kind == "SAVOIR"

    @classmethod
    def from_json(cls, data: Any, group: str | None = None) -> RomeSkill | None:
        d = _dict(data)
        label = _str(d.get("libelle"))
        if not label:
            return None
        return cls(code=_str(d.get("code")), label=label, kind=_str(d.get("type")), group=group)


@dataclass(frozen=True, slots=True)
class RomeJob:
    """A ROME 4.0 métier (rome-metiers API) with the skills of its fiche (rome-fiches-metiers)."""

    code: str
    label: str
    definition: str | None = None
    access: str | None = None  # accesEmploi
    domain_code: str | None = None
    domain_label: str | None = None
    broad_domain_code: str | None = None
    broad_domain_label: str | None = None
    appellations: tuple[RomeAppellation, ...] = ()
    skills: tuple[RomeSkill, ...] = ()  # groupesCompetencesMobilisees, in the fiche's order
    knowledge: tuple[RomeSkill, ...] = ()  # groupesSavoirs
    obsolete: bool | None = None

    @property
    def soft_skills(self) -> tuple[RomeSkill, ...]:
        return tuple(s for s in self.skills if s.is_soft_skill)

    @classmethod
    def from_json(cls, metier: Any, fiche: Any = None) -> RomeJob | None:
        """Combine a métier and (optionally) its fiche; ``None`` when neither has a code."""
        m, f = _dict(metier), _dict(fiche)
        f_metier = _dict(f.get("metier"))
        code = _str(m.get("code")) or _str(f.get("code")) or _str(f_metier.get("code"))
        if not code:
            return None
        domain = _dict(m.get("domaineProfessionnel"))
        broad = _dict(domain.get("grandDomaine"))
        skills: list[RomeSkill] = []
        for group in _list_of_dicts(f.get("groupesCompetencesMobilisees")):
            enjeu = _str(_dict(group.get("enjeu")).get("libelle"))
            for item in _list_of_dicts(group.get("competences")):
                if skill := RomeSkill.from_json(item, enjeu):
                    skills.append(skill)
        knowledge: list[RomeSkill] = []
        for group in _list_of_dicts(f.get("groupesSavoirs")):
            category = _str(_dict(group.get("categorieSavoirs")).get("libelle"))
            for item in _list_of_dicts(group.get("savoirs")):
                if skill := RomeSkill.from_json(item, category):
                    knowledge.append(skill)
        return cls(
            code=code,
            label=_str(m.get("libelle")) or _str(f_metier.get("libelle")) or code,
            definition=_str(m.get("definition")),
            access=_str(m.get("accesEmploi")),
            domain_code=_str(domain.get("code")),
            domain_label=_str(domain.get("libelle")),
            broad_domain_code=_str(broad.get("code")),
            broad_domain_label=_str(broad.get("libelle")),
            appellations=tuple(
                a
                for item in _list_of_dicts(m.get("appellations"))
                if (a := RomeAppellation.from_json(item))
            ),
            skills=tuple(skills),
            knowledge=tuple(knowledge),
            obsolete=_bool(m.get("obsolete")) if "obsolete" in m else _bool(f.get("obsolete")),
        )


@dataclass(frozen=True, slots=True)
class SoftSkill:
    """One of the 23 soft skills of Match via Soft Skills, with its score for a ROME code."""

    key: str  # "soft_skill_01"
    label: str  # summary
    description: str | None  # details
    score: float  # 0..1

    @classmethod
    def list_from_json(cls, data: Any) -> list[SoftSkill]:
        """Parse a whole answer (``{"skills": {...}}``) or its ``skills`` object; best first."""
        d = _dict(data)
        skills_map = _dict(d.get("skills")) if "skills" in d else d
        out = [
            cls(
                key=key,
                label=label,
                description=_str(item.get("details")),
                score=_float(item.get("score")) or 0.0,
            )
            for key, item in skills_map.items()
            if isinstance(item, dict) and (label := _str(item.get("summary")))
        ]
        out.sort(key=lambda s: (-s.score, s.key))
        return out


@dataclass(frozen=True, slots=True)
class ReferentialEntry:
    """One ``{code, libelle}`` item of a ``/referentiel/{name}`` list (``raw`` keeps the rest)."""

    code: str
    label: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> ReferentialEntry | None:
        d = _dict(data)
        code = _str(d.get("code"))
        if not code:
            return None
        return cls(code=code, label=_str(d.get("libelle")) or code, raw=d)


@dataclass(frozen=True, slots=True)
class CommuneEntry:
    """One item of ``/referentiel/communes`` (names are upper-case, "ST MARTIN DU BEC")."""

    code: str  # INSEE
    label: str
    postal_code: str | None = None
    departement: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> CommuneEntry | None:
        d = _dict(data)
        code, label = _str(d.get("code")), _str(d.get("libelle"))
        if not code or not label:
            return None
        return cls(
            code=code,
            label=label,
            postal_code=_str(d.get("codePostal")),
            departement=_str(d.get("codeDepartement")),
        )
