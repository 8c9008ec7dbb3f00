"""ROME 4.0 métiers with their fiche's skills, and Match via Soft Skills v1 (scope
``api_matchviasoftskillsv1``, 1 call/s, optional like every service but the offers), cached."""

from __future__ import annotations

from ft_client.client.transport import Transport
from ft_client.models import RomeJob, SoftSkill
from ft_client.query import ROME_CODE_RE


class RomeApi(Transport):
    """Read ROME métiers and their soft skills."""

    async def get_job(self, code: str) -> RomeJob | None:
        """A ROME 4.0 métier with its fiche's skills (cached); ``None`` for an unknown code."""
        code = _rome_code(code)
        return await self._cached(f"rome:{code}", lambda: self._fetch_job(code))

    async def _fetch_job(self, code: str) -> RomeJob | None:
        metier_response = await self._call(
            "rome",
            "rome_metier",
            "GET",
            f"/rome-metiers/v1/metiers/metier/{code}",
            accept=(200, 204, 404),
        )
        if metier_response.status_code != 200 or not metier_response.content:
            return None
        metier = self._json(metier_response, "rome_metier")
        fiche_response = await self._call(
            "rome",
            "rome_fiche",
            "GET",
            f"/rome-fiches-metiers/v1/fiches-rome/fiche-metier/{code}",
            accept=(200, 204, 404),
        )
        fiche = None
        if fiche_response.status_code == 200 and fiche_response.content:
            fiche = self._json(fiche_response, "rome_fiche")
        job = RomeJob.from_json(metier, fiche)
        if job is None:
            raise self._invalid("ROME métier without a code", metier_response, "rome_metier")
        return job

    async def get_soft_skills(self, code: str) -> list[SoftSkill]:
        """Match via Soft Skills for a ROME code, best score first (cached); [] if unknown."""
        code = _rome_code(code)
        skills = await self._cached(f"softskills:{code}", lambda: self._fetch_soft_skills(code))
        return list(skills)

    async def _fetch_soft_skills(self, code: str) -> tuple[SoftSkill, ...]:
        endpoint = "softskills"
        response = await self._call(
            "softskills",
            endpoint,
            "POST",
            f"/matchviasoftskills/v1/professions/job_skills?code={code}",
            accept=(200, 201, 204, 404),
        )
        if response.status_code in (204, 404) or not response.content:
            return ()
        body = self._json(response, endpoint)
        if not isinstance(body, dict):
            raise self._invalid("soft skills answer is not a JSON object", response, endpoint)
        skills = SoftSkill.list_from_json(body)
        # A 2025 client reports occasional all-zero scores: that is "no data", not 23 zeros.
        if all(skill.score <= 0 for skill in skills):
            return ()
        return tuple(skills)


def _rome_code(code: str) -> str:
    if not isinstance(code, str) or not ROME_CODE_RE.match(code.strip().upper()):
        raise ValueError(f"code: {code!r} is not a ROME code (a letter A–N and 4 digits)")
    return code.strip().upper()
