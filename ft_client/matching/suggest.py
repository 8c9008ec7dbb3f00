"""Which métiers a person's phrases point to, best first."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass

from ft_client.matching.scores import JobScorer
from ft_client.matching.skills import PhraseMatcher, clean_phrases, matcher_for
from ft_client.referential import Referential
from ft_client.textnorm import skill_stems

# Weight of the user-words signal in suggest_jobs ranking (chosen on the benchmark sets).
WORDS_WEIGHT = 0.5
MIN_SUGGESTION_SCORE = 0.005
FRESHNESS_HALF_LIFE_DAYS = 7.0


@dataclass(frozen=True, slots=True)
class JobSuggestion:
    rome_code: str
    job_label: str
    score: float  # match_job's score for this job
    matched_count: int  # job skills matched by the user's phrases
    relevance: float = 0.0  # the ranking key: score + a share for the user's words in the job


def warm_up(referential: Referential | None = None, *, freeze_gc: bool = True) -> PhraseMatcher:
    """Build every index matching needs now (bot start-up, in a thread), not on a user's call.

    With ``freeze_gc`` the objects built so far (millions, all long-lived and immutable) are moved
    out of the cyclic garbage collector's reach (``gc.freeze``): otherwise every full collection
    walks them, a pause of several hundred milliseconds in the middle of a ranking."""
    matcher = matcher_for(referential)
    matcher.referential.warm_up()
    matcher.skill_jobs_core()
    _ = matcher.job_stems
    suggest_jobs(["accueil des clients"], matcher.referential)
    if freeze_gc:
        gc.collect()
        gc.freeze()
    return matcher


def suggest_jobs(
    user_skills: Iterable[str] | str, ref: Referential | None = None, limit: int = 5
) -> list[JobSuggestion]:
    """The métiers whose skills the user's phrases cover best, best first."""
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError("limit must be a positive integer")
    matcher = matcher_for(ref)
    phrases = clean_phrases(user_skills)
    if not phrases:
        return []
    skill_jobs = matcher.skill_jobs()
    candidates: set[str] = set()
    for phrase in phrases:
        for code in matcher.phrase_to_skills(phrase):
            candidates.update(skill_jobs.get(code, ()))
    # Jobs sharing a telling word with the user (in a title or a skill) are candidates too.
    job_stems, idf = matcher.job_stems
    user_words = {w for p in phrases for w in skill_stems(p) if idf.get(w, 0.0) >= 2.0}
    if user_words:
        candidates.update(code for code, words in job_stems.items() if user_words & words)
    scorer = JobScorer(matcher, phrases)
    by_code = scorer.by_code
    suggestions = []
    for job_code in sorted(candidates):
        score = scorer.score(job_code)
        words = matcher.words_fit(phrases, job_code)
        if score > 0 or words > 0:
            matched = sum(
                1 for c, _core in matcher.referential.job_skill_codes(job_code) if c in by_code
            )
            label = matcher.referential.job(job_code).label  # type: ignore[union-attr]
            relevance = round(score + WORDS_WEIGHT * words, 4)
            suggestions.append(JobSuggestion(job_code, label, score, matched, relevance))
    # A job the user would read as "0 %" is never shown above, nor next to, a job with real
    # coverage; it is only offered (ranked by the user's words) when no job has any.
    scored = [s for s in suggestions if s.score >= MIN_SUGGESTION_SCORE]
    if scored:
        suggestions = scored
    suggestions.sort(key=lambda s: (-s.relevance, -s.score, s.rome_code))
    return suggestions[: min(limit, 50)]
