"""ROME 4.0 Métiers (métiers, appellations, appellation search) and Fiches métiers routes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from aiohttp import web

from sandbox.france_travail.formats import normalize_text
from sandbox.france_travail.referentials import Referentials
from sandbox.france_travail.responses import ft_error, json_response


class RomeRoutes:
    """Mixed into ``FranceTravailEmulator``: answers built from the ROME 4.0 referential."""

    _refs: Referentials
    _appellation_index: list[tuple[str, str, str, str, str]] | None

    _TYPE_BY_KIND: ClassVar[dict[str, str]] = {
        "savoir-faire": "COMPETENCE-DETAILLEE",
        "savoir-etre": "SAVOIR-ETRE-PROFESSIONNEL",
        "savoir": "SAVOIR",
        "contexte": "CONTEXTE-TRAVAIL",
    }

    def _job(self, code: str) -> dict[str, Any] | None:
        return self._refs.jobs.get(code)

    def _skill_item(self, code: str) -> dict[str, Any] | None:
        skill = self._refs.skills.get(code)
        if skill is None:
            return None
        return {
            "type": self._TYPE_BY_KIND.get(skill[1], skill[1].upper()),
            "code": code,
            "libelle": skill[0],
        }

    def _domain(self, job: Mapping[str, Any]) -> dict[str, Any]:
        domain = str(job.get("domain") or job["code"][:3])
        return {
            "code": domain,
            "libelle": self._refs.rome["domains"].get(domain),
            "grandDomaine": {
                "code": domain[0],
                "libelle": self._refs.rome["domains"].get(domain[0]),
            },
        }

    def _appellation_obj(
        self, code: str, label: str, kind: str, job: Mapping[str, Any]
    ) -> dict[str, Any]:
        return {
            "code": code,
            "libelle": label,
            "libelleCourt": label,
            "classification": "PRINCIPALE" if kind == "P" else "SYNONYME",
            "metier": {"code": job["code"], "libelle": job["label"]},
        }

    def _metier(self, job: Mapping[str, Any]) -> dict[str, Any]:
        skills = [(c, core) for c, core in job["skills"] if c in self._refs.skills]
        items = [self._skill_item(c) for c, _ in skills]
        core = [self._skill_item(c) for c, is_core in skills if is_core]
        contexts = [i for i in items if i and i["type"] == "CONTEXTE-TRAVAIL"]
        return {
            "code": job["code"],
            "libelle": job["label"],
            "appellations": [
                self._appellation_obj(c, label, kind, job) for c, label, kind in job["titles"]
            ],
            "domaineProfessionnel": self._domain(job),
            "competencesMobilisees": [i for i in items if i and i["type"] != "CONTEXTE-TRAVAIL"],
            "competencesMobiliseesPrincipales": [i for i in core if i],
            "contextesTravail": contexts,
            "mobilites": [
                {"metierCible": {"code": c, "libelle": self._refs.jobs[c]["label"]}}
                for c in job.get("mobility", [])
                if c in self._refs.jobs
            ],
            "obsolete": False,
        }

    @staticmethod
    def _not_found(what: str) -> web.Response:
        return json_response({"message": f"{what} introuvable", "codeHttp": 404}, status=404)

    async def _rome_metiers(self, request: web.Request) -> web.Response:
        return json_response(
            [{"code": j["code"], "libelle": j["label"]} for j in self._refs.rome["jobs"]]
        )

    async def _rome_metier(self, request: web.Request) -> web.Response:
        job = self._job(request.match_info["code"])
        if job is None:
            return self._not_found("Métier")
        return json_response(self._metier(job))

    async def _rome_appellations(self, request: web.Request) -> web.Response:
        return json_response(
            [
                {"code": c, "libelle": label, "metier": {"code": rome}}
                for c, (label, rome, _) in sorted(self._refs.appellations.items())
            ]
        )

    async def _rome_appellation(self, request: web.Request) -> web.Response:
        code = request.match_info["code"]
        found = self._refs.appellations.get(code)
        if found is None:
            return self._not_found("Appellation")
        label, rome, kind = found
        return json_response(self._appellation_obj(code, label, kind, self._refs.jobs[rome]))

    async def _rome_appellation_search(self, request: web.Request) -> web.Response:
        q = request.query.get("q", "").strip()
        if not q:
            return ft_error(400, "Le paramètre « q » est obligatoire.")
        words = [w for w in re.split(r"[\s\-'/]+", normalize_text(q)) if w]
        patterns = [re.compile(r"\b" + re.escape(w)) for w in words]
        if self._appellation_index is None:
            self._appellation_index = [
                (code, label, rome, kind, normalize_text(label))
                for code, (label, rome, kind) in sorted(self._refs.appellations.items())
            ]
        results = []
        for code, label, rome, kind, norm in self._appellation_index:
            if all(w in norm for w in words) and all(p.search(norm) for p in patterns):
                results.append((kind != "P", len(label), code, label, rome, kind))
        results.sort()
        return json_response(
            {
                "totalResultats": len(results),
                "requete": q,
                "resultats": [
                    self._appellation_obj(code, label, kind, self._refs.jobs[rome])
                    for _, _, code, label, rome, kind in results[:20]
                ],
            }
        )

    def _fiche(self, job: Mapping[str, Any]) -> dict[str, Any]:
        groups: dict[str, list[dict[str, Any]]] = {"core": [], "other": [], "etre": []}
        savoirs: list[dict[str, Any]] = []
        for code, core in job["skills"]:
            item = self._skill_item(code)
            if item is None:
                continue
            kind = self._refs.skills[code][1]
            if kind == "savoir-faire":
                groups["core" if core else "other"].append(item)
            elif kind == "savoir-etre":
                groups["etre"].append({**item, "type": "MACRO-SAVOIR-ETRE-PROFESSIONNEL"})
            elif kind == "savoir":
                savoirs.append(item)
        enjeux = (
            ("core", "ENJ-CORE", "Compétences cœur de métier"),
            ("other", "ENJ-OTHER", "Autres compétences mobilisées"),
            ("etre", "ENJ-SAVOIR-ETRE", "Savoir-être professionnels"),
        )
        return {
            "code": job["code"],
            "metier": {"code": job["code"], "libelle": job["label"]},
            "groupesCompetencesMobilisees": [
                {"enjeu": {"code": code, "libelle": label}, "competences": groups[key]}
                for key, code, label in enjeux
                if groups[key]
            ],
            "groupesSavoirs": (
                [
                    {
                        "categorieSavoirs": {"code": "CAT-SAVOIRS", "libelle": "Savoirs"},
                        "savoirs": savoirs,
                    }
                ]
                if savoirs
                else []
            ),
            "obsolete": False,
        }

    async def _rome_fiches(self, request: web.Request) -> web.Response:
        return json_response(
            [
                {"code": j["code"], "metier": {"code": j["code"], "libelle": j["label"]}}
                for j in self._refs.rome["jobs"]
            ]
        )

    async def _rome_fiche(self, request: web.Request) -> web.Response:
        job = self._job(request.match_info["code"])
        if job is None:
            return self._not_found("Fiche métier")
        return json_response(self._fiche(job))
