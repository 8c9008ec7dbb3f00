"""Explainable matching of a person's own words with ROME jobs and offers.

One room per concern:
- ``skills``: phrase ↔ ROME skill similarity (the explainable lexical matcher, user vocabulary);
- ``scores``: ``match_job`` — coverage of a job's key skills, explanations, what is missing;
- ``suggest``: ``suggest_jobs`` — which métiers a profile points to (lexical matcher fused with a
  BM25 over each fiche's full text);
- ``jobs``: ``find_jobs`` — a typed job title, nickname, acronym or workplace → métiers, with a
  confidence; ``looks_like_place`` tells a town typed where a job was expected;
- ``transversal``: soft and transversal phrases (savoir-être, languages, licences,
  certifications), recognised and shown as such;
- ``offers``: ``rank_offers`` — offers ranked for a profile, with reasons.
"""

from ft_client.matching.jobs import (
    FIND_JOBS_THRESHOLD,
    find_jobs,
    is_alias,
    is_recognised,
    looks_like_place,
    town_or_job,
)
from ft_client.matching.offers import MatchProfile, RankedOffer, SkillFit, rank_offers
from ft_client.matching.scores import MatchReport, MissingSkill, match_job
from ft_client.matching.skills import (
    EXPANSION_FACTOR,
    MATCH_THRESHOLD,
    PhraseMatcher,
    SkillMatch,
    clean_phrases,
    matcher_for,
    use_vocabulary,
)
from ft_client.matching.suggest import MIN_SUGGESTION_SCORE, JobSuggestion, suggest_jobs, warm_up

__all__ = [
    "EXPANSION_FACTOR",
    "FIND_JOBS_THRESHOLD",
    "MATCH_THRESHOLD",
    "MIN_SUGGESTION_SCORE",
    "JobSuggestion",
    "MatchProfile",
    "MatchReport",
    "MissingSkill",
    "PhraseMatcher",
    "RankedOffer",
    "SkillFit",
    "SkillMatch",
    "clean_phrases",
    "find_jobs",
    "is_alias",
    "is_recognised",
    "looks_like_place",
    "match_job",
    "matcher_for",
    "rank_offers",
    "suggest_jobs",
    "town_or_job",
    "use_vocabulary",
    "warm_up",
]
