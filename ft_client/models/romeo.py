"""ROMEO v2: free text → ROME appellations with a prediction score.

Shape from La bonne alternance's client and fixture (not checked against the live service):
one entry per text sent, ``{"intitule", "identifiant", "metiersRome": [{codeAppellation,
libelleAppellation, codeRome, libelleRome, scorePrediction}]}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ft_client.models.parsing import _dict, _float, _list_of_dicts, _str


@dataclass(frozen=True, slots=True)
class RomeoMatch:
    """One appellation ROMEO predicts for a text, with its score (0..1)."""

    appellation_code: str | None
    appellation_label: str | None
    rome_code: str
    rome_label: str | None
    score: float

    @classmethod
    def from_json(cls, data: Any) -> RomeoMatch | None:
        d = _dict(data)
        rome = _str(d.get("codeRome"))
        if not rome:
            return None
        return cls(
            appellation_code=_str(d.get("codeAppellation")),
            appellation_label=_str(d.get("libelleAppellation")),
            rome_code=rome,
            rome_label=_str(d.get("libelleRome")),
            score=_float(d.get("scorePrediction")) or 0.0,
        )


def predictions_by_id(data: Any) -> dict[str, tuple[RomeoMatch, ...]]:
    """``identifiant`` → its matches, best first, from a ``predictionMetiers`` answer."""
    entries = data if isinstance(data, list) else _list_of_dicts(_dict(data).get("resultats"))
    out: dict[str, tuple[RomeoMatch, ...]] = {}
    for entry in _list_of_dicts(entries):
        key = _str(entry.get("identifiant"))
        if key is None:
            continue
        matches = [
            match
            for match in (RomeoMatch.from_json(m) for m in _list_of_dicts(entry.get("metiersRome")))
            if match is not None
        ]
        matches.sort(key=lambda m: -m.score)
        out[key] = tuple(matches)
    return out
