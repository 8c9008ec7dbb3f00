"""Match via Soft Skills: the 23 real soft skills with a score derived from the ROME code."""

from __future__ import annotations

import hashlib
import uuid

from aiohttp import web

from sandbox.france_travail.formats import format_ft_datetime
from sandbox.france_travail.referentials import soft_skill_labels
from sandbox.france_travail.responses import ft_error, json_response


class SoftSkillsRoutes:
    """Mixed into ``FranceTravailEmulator`` (which provides ``_job``, ``_not_found``, ``now``)."""

    async def _softskills(self, request: web.Request) -> web.Response:
        code = request.query.get("code")
        if not code:
            form = await request.post()
            value = form.get("code")
            code = value if isinstance(value, str) else None
        if not code:
            return ft_error(400, "Le paramètre « code » est obligatoire.")
        job = self._job(code)
        if job is None:
            return self._not_found("Code ROME")
        skills = {}
        for item in soft_skill_labels():
            digest = hashlib.sha256(f"{code}:{item['key']}".encode()).digest()
            score = int.from_bytes(digest[:4], "big") / 0xFFFFFFFF
            skills[item["key"]] = {
                "score": round(score, 6),
                "summary": item["summary"],
                "details": item["details"],
            }
        ordered = dict(sorted(skills.items(), key=lambda kv: -kv[1]["score"]))
        return json_response(
            {
                "uuid": str(uuid.uuid4()),
                "code": code,
                "create_at": format_ft_datetime(self.now()),
                "skills": ordered,
            }
        )
