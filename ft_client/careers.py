"""Career moves: the métiers the ROME mobility links lead to from a person's target jobs, ranked
by how much of each the person already covers, with the key skills to add.

Pure and offline: the links come from the bundled ROME 4.0 open data
(``unix_rubrique_mobilite_v460_utf8.csv`` → each job's ``mobility``, in the publisher's order)
and the coverage from ``match_job``. No France Travail call happens here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from ft_client.matching import match_job
from ft_client.referential import Referential

MAX_MOVES: Final = 8
# "The 3–5 key skills to add": at most this many of the target's missing skills, core first.
KEY_SKILLS: Final = 5


@dataclass(frozen=True, slots=True)
class CareerMove:
    """A métier one of the person's target jobs leads to."""

    rome_code: str
    label: str
    from_code: str  # the target job whose mobility links name it
    from_label: str
    coverage: float  # match_job(...).coverage of the person's skills for this métier, 0..1
    skills_to_add: tuple[str, ...]  # the key skills the person does not show yet, core first
    link_order: int  # position in the publisher's list (1 = first suggested move)


def career_moves(
    skills: Iterable[str],
    target_codes: Sequence[str],
    referential: Referential,
    *,
    limit: int = MAX_MOVES,
    key_skills: int = KEY_SKILLS,
) -> list[CareerMove]:
    """The moves from ``target_codes`` (unknown codes ignored), best covered first.

    A métier that is already one of the targets is left out; one reached from several targets
    appears once, from the target that lists it first. Ties keep the publisher's order.
    """
    if limit < 1 or key_skills < 1:
        raise ValueError("limit and key_skills must be ≥ 1")
    phrases = [s for s in skills if isinstance(s, str) and s.strip()]
    targets = [code for code in dict.fromkeys(target_codes) if referential.job(code) is not None]
    seen: set[str] = set(targets)
    candidates: list[tuple[str, str, str, int]] = []  # (code, from code, from label, order)
    for target in targets:
        origin = referential.job(target)
        assert origin is not None  # filtered above
        for order, code in enumerate(origin.mobility, start=1):
            if code in seen or referential.job(code) is None:
                continue
            seen.add(code)
            candidates.append((code, origin.code, origin.label, order))

    moves: list[CareerMove] = []
    for code, from_code, from_label, order in candidates:
        job = referential.job(code)
        assert job is not None  # filtered above
        report = match_job(phrases, job, referential=referential, max_missing=key_skills)
        moves.append(
            CareerMove(
                rome_code=code,
                label=job.label,
                from_code=from_code,
                from_label=from_label,
                coverage=report.coverage,
                skills_to_add=tuple(m.label for m in report.missing[:key_skills]),
                link_order=order,
            )
        )
    moves.sort(key=lambda m: (-m.coverage, m.link_order, m.rome_code))
    return moves[:limit]


def moves_from(
    skills: Iterable[str], rome_code: str, referential: Referential, *, limit: int = MAX_MOVES
) -> list[CareerMove]:
    """The moves from one métier (a button under /match or /metiers)."""
    return career_moves(skills, [rome_code], referential, limit=limit)
