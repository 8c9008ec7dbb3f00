"""ROMEO v2: what ROME appellations free texts name ("aide soignante ehpad" → J1501)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from ft_client.client.transport import Transport
from ft_client.models.romeo import RomeoMatch, predictions_by_id

MAX_TEXTS_PER_CALL: Final = 20  # what La bonne alternance sends; keeps each call small
MAX_TEXT_LENGTH: Final = 300
DEFAULT_CALLER_NAME: Final = "ft-job-bot"  # options.nomAppelant: without it the API answers 400


class RomeoApi(Transport):
    """Predict ROME appellations (scope ``api_romeov2``, 2 calls/s)."""

    async def predict_jobs(
        self,
        texts: Sequence[str],
        *,
        results: int = 5,
        min_score: float | None = None,
        caller_name: str = DEFAULT_CALLER_NAME,
    ) -> list[tuple[RomeoMatch, ...]]:
        """One tuple of matches (best first) per text, in order; () for a blank text.

        Texts go in batches of at most ``MAX_TEXTS_PER_CALL`` per call; each batch is cached
        (a person retyping the same job costs nothing).
        """
        if not 1 <= results <= 25:
            raise ValueError("results must be in 1..25")
        cleaned = [" ".join(str(text).split())[:MAX_TEXT_LENGTH] for text in texts]
        wanted = [text for text in dict.fromkeys(cleaned) if text]
        found: dict[str, tuple[RomeoMatch, ...]] = {}
        for start in range(0, len(wanted), MAX_TEXTS_PER_CALL):
            batch = tuple(wanted[start : start + MAX_TEXTS_PER_CALL])
            key = f"romeo:{results}:{min_score}:{caller_name}:" + "\x1f".join(batch)
            predicted = await self._cached(
                key, lambda b=batch: self._predict(b, results, min_score, caller_name)
            )
            found.update(zip(batch, predicted, strict=True))
        return [found.get(text, ()) for text in cleaned]

    async def _predict(
        self, batch: tuple[str, ...], results: int, min_score: float | None, caller_name: str
    ) -> tuple[tuple[RomeoMatch, ...], ...]:
        endpoint = "romeo"
        options: dict[str, Any] = {"nomAppelant": caller_name, "nbResultats": results}
        if min_score is not None:
            options["seuilScorePrediction"] = min_score
        body = {
            "appellations": [
                {"intitule": text, "identifiant": str(index)} for index, text in enumerate(batch)
            ],
            "options": options,
        }
        response = await self._call(
            "romeo", endpoint, "POST", "/romeo/v2/predictionMetiers", json_body=body
        )
        if response.status_code == 204 or not response.content:
            return tuple(() for _ in batch)
        answer = self._json(response, endpoint)
        if not isinstance(answer, list | dict):
            raise self._invalid("ROMEO answer is not a JSON list", response, endpoint)
        by_id = predictions_by_id(answer)
        return tuple(by_id.get(str(index), ()) for index in range(len(batch)))
