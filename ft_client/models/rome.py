"""ROME 4.0 (métiers, appellations, fiche skills) and Match via Soft Skills answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ft_client.models.parsing import _bool, _dict, _float, _list_of_dicts, _str


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
