"""ROMEO v2 (``POST /romeo/v2/predictionMetiers``): free texts → ROME appellations.

Predictions come from the bot's own offline look-up (``ft_client.referential``'s ``find_jobs``,
the one piece of project code the emulator uses, read-only) with a deterministic noise on the
score, so tests can tell ROMEO's answer from the offline one. ``options.nomAppelant`` is
required (400 ``J072000G`` without it, as reported), ``nbResultats`` 1–25 (default 5), at most
``MAX_TEXTS`` texts per call.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from aiohttp import web

from sandbox.france_travail.referentials import Referentials
from sandbox.france_travail.responses import json_response

MAX_TEXTS = 50
NO_CALLER_CODE = "J072000G"


def _bad(message: str, code: str = "J072000A") -> web.Response:
    return json_response({"message": message, "codeHttp": 400, "codeErreur": code}, status=400)


def _noise(text: str, code: str) -> float:
    digest = hashlib.sha256(f"{text}:{code}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 0xFFFFFFFF


class RomeoRoutes:
    """Mixed into ``FranceTravailEmulator`` (``_refs``)."""

    _refs: Referentials

    async def _romeo_predict(self, request: web.Request) -> web.Response:
        try:
            body = await request.json(loads=json.loads)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _bad("Le corps de la requête doit être un objet JSON.")
        if not isinstance(body, dict):
            return _bad("Le corps de la requête doit être un objet JSON.")
        options = body.get("options") if isinstance(body.get("options"), dict) else {}
        if not str(options.get("nomAppelant") or "").strip():
            return _bad("Le champ options.nomAppelant est obligatoire.", NO_CALLER_CODE)
        texts = body.get("appellations")
        if not isinstance(texts, list) or not texts or len(texts) > MAX_TEXTS:
            return _bad(f"appellations : une liste de 1 à {MAX_TEXTS} intitulés est attendue.")
        results = options.get("nbResultats", 5)
        if not isinstance(results, int) or not 1 <= results <= 25:
            return _bad("options.nbResultats doit être compris entre 1 et 25.")
        threshold = options.get("seuilScorePrediction")
        threshold = float(threshold) if isinstance(threshold, int | float) else 0.0
        answer = []
        for item in texts:
            if not isinstance(item, dict) or not str(item.get("intitule") or "").strip():
                return _bad("Chaque appellation doit avoir un intitulé.")
        # The look-up is CPU work (its first call builds indexes): off the event loop, so the
        # emulator keeps timing other calls right meanwhile.
        predictions = await asyncio.to_thread(
            lambda: [self._predictions(str(i["intitule"]), results, threshold) for i in texts]
        )
        for item, predicted in zip(texts, predictions, strict=True):
            answer.append(
                {
                    "intitule": item["intitule"],
                    "identifiant": item.get("identifiant"),
                    "contexte": item.get("contexte"),
                    "metiersRome": predicted,
                }
            )
        return json_response(answer)

    def _predictions(self, text: str, results: int, threshold: float) -> list[dict[str, Any]]:
        from ft_client.referential import Referential  # the offline look-up ROMEO stands for

        hits = Referential.load().find_jobs(text, limit=results)
        out = []
        for hit in hits:
            score = round(min(0.99, hit.score * (0.85 + 0.15 * _noise(text, hit.rome_code))), 3)
            if score < threshold:
                continue
            appellation = self._refs.appellation_codes.get(hit.matched_title)
            out.append(
                {
                    "codeAppellation": appellation,
                    "libelleAppellation": hit.matched_title,
                    "codeRome": hit.rome_code,
                    "libelleRome": hit.job_label,
                    "scorePrediction": score,
                }
            )
        return out
