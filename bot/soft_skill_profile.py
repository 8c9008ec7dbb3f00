"""The soft skills a person ticked for a métier, kept in their profile data, and the savoir-être
share they add to /match's coverage.

Kept in PTB ``user_data`` (persisted as JSON, exported by /mesdonnees, erased by /supprimer):

    user_data["soft_skills"] = {
        "G1803": {"job": "Serveur / Serveuse en restauration",
                  "ticked": {"soft_skill_04": "Sens de la communication", ...},
                  "share": 0.41, "total": 8},
    }

``share`` is the savoir-être part, computed when the person ticks (so /match needs no France
Travail call to show it): the scores of the ticked soft skills over those of the ones shown.
It is a part of its own, next to the skills coverage (``MatchReport.coverage``), which it never
changes.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.texts import careers as t
from ft_client.models import SoftSkill

USER_DATA_KEY: Final = "soft_skills"
# The soft skills shown for a métier: the API ranks all 23; the best few are what employers
# expect, the tail is noise for a phone screen.
SHOWN: Final = 8


def shown_soft_skills(skills: Sequence[SoftSkill]) -> list[SoftSkill]:
    """The soft skills offered to tick, best score first (the API's order)."""
    return sorted(skills, key=lambda s: (-s.score, s.key))[:SHOWN]


def soft_share(shown: Sequence[SoftSkill], ticked_keys: Iterable[str]) -> float:
    """Scores of the ticked soft skills over those of the shown ones, 0..1 (each counts 1 when
    the API gives no score). Adding a tick never lowers it."""
    keys = set(ticked_keys)
    weights = {s.key: max(s.score, 0.0) or 1.0 for s in shown}
    total = sum(weights.values())
    if not total:
        return 0.0
    return round(min(1.0, sum(w for k, w in weights.items() if k in keys) / total), 4)


def _store(user_data: MutableMapping[str, Any] | None) -> dict[str, Any]:
    if user_data is None:
        return {}
    store = user_data.get(USER_DATA_KEY)
    return store if isinstance(store, dict) else {}


def ticked(user_data: MutableMapping[str, Any] | None, rome_code: str) -> dict[str, str]:
    """key → label of the soft skills the person ticked for ``rome_code``."""
    entry = _store(user_data).get(rome_code)
    found = entry.get("ticked") if isinstance(entry, dict) else None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def toggle(
    user_data: MutableMapping[str, Any],
    rome_code: str,
    job_label: str,
    skill: SoftSkill,
    shown: Sequence[SoftSkill],
) -> bool:
    """Tick or untick ``skill`` for the métier; returns whether it is ticked now."""
    store = _store(user_data)
    current = ticked(user_data, rome_code)
    now_ticked = skill.key not in current
    if now_ticked:
        current[skill.key] = skill.label
    else:
        del current[skill.key]
    if current:
        store[rome_code] = {
            "job": job_label,
            "ticked": current,
            "share": soft_share(shown, current),
            "total": len(shown),
        }
    else:
        store.pop(rome_code, None)
    if store:
        user_data[USER_DATA_KEY] = store
    else:
        user_data.pop(USER_DATA_KEY, None)
    return now_ticked


@dataclass(frozen=True, slots=True)
class MatchCoverage:
    """What /match shows for a métier: the skills coverage, untouched, and the savoir-être part
    (None when the person ticked nothing for it)."""

    skills: float
    soft_skills: float | None
    soft_count: int = 0


def match_coverage(
    skills_coverage: float, user_data: MutableMapping[str, Any] | None, rome_code: str
) -> MatchCoverage:
    """The two parts of /match's coverage for ``rome_code``; ``skills`` is
    ``skills_coverage`` as given, whatever was ticked."""
    entry = _store(user_data).get(rome_code)
    count = len(ticked(user_data, rome_code))
    if not isinstance(entry, dict) or not count:
        return MatchCoverage(skills_coverage, None)
    share = entry.get("share")
    value = float(share) if isinstance(share, int | float) else 0.0
    return MatchCoverage(skills_coverage, max(0.0, min(1.0, value)), count)


def coverage_line(user_data: MutableMapping[str, Any] | None, rome_code: str) -> str | None:
    """The savoir-être line /match shows under its coverage line, or None."""
    part = match_coverage(0.0, user_data, rome_code)
    if part.soft_skills is None:
        return None
    percent = round(part.soft_skills * 100)
    if part.soft_count == 1:
        return t.SOFT_SKILLS_MATCH_LINE_ONE.format(percent=percent)
    return t.SOFT_SKILLS_MATCH_LINE.format(percent=percent, count=part.soft_count)
