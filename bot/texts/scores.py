"""One vocabulary for the scores users read: /match, /metiers, offer cards and alerts.

The only percentage ever shown is the skill coverage — the share of a job's (or an offer's)
key skills the person's own skills cover, which never goes down when a skill is added
(`MatchReport.coverage`, `JobSuggestion.score`, `RankedOffer.skill_score`). The ranking
relevance (`MatchReport.relevance`, `JobSuggestion.relevance`, `RankedOffer.score`) orders
lists and is never shown as a number. Every sentence says « Vos compétences couvrent … »;
`ft_client.matching.offers` writes offer reasons in the same words (checked by a test).
"""

from __future__ import annotations

from bot.render import percent

COVERS = "Vos compétences couvrent"


def covers_job(score: float) -> str:
    """/match: « Vos compétences couvrent <b>68 %</b> de ce métier »."""
    return f"{COVERS} <b>{percent(score)}</b> de ce métier"


def covers_short(score: float) -> str:
    """A list line (/metiers): « vos compétences couvrent 68 % »."""
    return f"{COVERS[0].lower()}{COVERS[1:]} {percent(score)}"


def covers_offer(score: float) -> str:
    """An alert entry: « Vos compétences couvrent 68 % de l'offre »."""
    return f"{COVERS} {percent(score)} de l'offre"


def covers_requested(covered: int, requested: int) -> str:
    """An offer's listed skills: « Vos compétences couvrent 2 des 4 compétences demandées »."""
    if requested == 1:
        return f"{COVERS} la compétence demandée"
    return f"{COVERS} {covered} des {requested} compétences demandées"


# The /metiers list is sorted by the coverage it shows (ties keep the ranking order): the
# heading says so, so that the first line is read as "the best covered", not "the best guess".
JOBS_SORTED_BY_COVERAGE = "Classés selon la part de leurs compétences clés que vous couvrez."
