"""How well a person's phrases fit one ROME job: coverage, explanations, what is missing.

Two numbers, named plainly:
- ``coverage``: the share of the job's key skills the person covers, weighted by importance
  (core skills — "cœur de métier" — weigh 70 %, the others 30 %, savoir-être half a skill), each
  part measured against what a profile of a handful of skills can show (``CORE_CAP``,
  ``OTHER_CAP``). It only looks at the job's side, and each job skill keeps its best similarity
  over the person's phrases, so adding a phrase can never lower it. This is what people see.
  With the semantic index loaded, a skill close in meaning to a phrase (``meaning``) counts as
  a weak match (``SEMANTIC_SIMILARITY``, source "sens"); without it, words alone.
- ``relevance``: the ranking key, which also weighs how much of the person's words the job uses
  (a fuller profile may lower it for a given job; that is fine for ordering, never shown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ft_client.matching.meaning import SEMANTIC_SIMILARITY, SOURCE, semantic_matches
from ft_client.matching.semantic import loaded_semantic
from ft_client.matching.skills import (
    KIND_WEIGHTS,
    MATCH_THRESHOLD,
    PhraseMatcher,
    SkillMatch,
    clean_phrases,
    matcher_for,
)
from ft_client.matching.transversal import TransversalPhrase, classify, classify_phrases
from ft_client.referential import Job, Referential

# Job coverage is measured against what a profile of a handful of skills can show.
CORE_CAP = 5.0
OTHER_CAP = 5.0
CORE_WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class MissingSkill:
    label: str
    code: str | None
    importance: str  # "exigée" | "souhaitée" | "cœur de métier" | "complémentaire" | "qualité"
    weight: float


@dataclass(frozen=True, slots=True)
class MatchReport:
    score: float  # = coverage: what "Vos compétences couvrent X %" shows
    matched: tuple[SkillMatch, ...]
    missing: tuple[MissingSkill, ...]
    recommendations: tuple[str, ...]
    user_coverage: float = 0.0  # share of the user's phrases useful for the job
    job_coverage: float = 0.0  # = coverage (kept for existing callers)
    coverage: float = 0.0  # share of the job's key skills covered; never lowered by a phrase
    relevance: float = 0.0  # ranking key: half coverage, half share of the user's words used
    transversal: tuple[TransversalPhrase, ...] = ()  # soft/transversal phrases, shown apart


def _job_coverage(core_sum: float, n_core: int, other_sum: float, other_total: float) -> float:
    """0.7 × core coverage + 0.3 × other coverage, each against what a few skills can show."""
    core_cov = min(1.0, core_sum / min(n_core, CORE_CAP)) if n_core else 0.0
    other_cov = min(1.0, other_sum / min(other_total, OTHER_CAP)) if other_total else 0.0
    return 0.7 * core_cov + 0.3 * other_cov if n_core else other_cov


def job_coverage(
    matcher: PhraseMatcher, by_code: Mapping[str, tuple[float, str]], job_code: str
) -> float:
    """``JobScorer(matcher, phrases).coverage(job_code)`` for non-empty phrases whose
    ``best_by_code`` is ``by_code``, computed for this one job only (``rank_offers`` needs a few
    jobs per user; the scorer sums over every job the phrases touch). The sums run in skill-code
    order, as the scorer's, so the float is bit-identical."""
    weights = matcher.job_weights(job_code)
    core_sum = other_sum = 0.0
    for code in weights.core_by_code:
        hit = by_code.get(code)
        if hit is not None:
            core_sum += hit[0]
    for code, weight in weights.others_by_code:
        hit = by_code.get(code)
        if hit is not None:
            other_sum += weight * hit[0]
    return round(
        _job_coverage(core_sum, len(weights.core), other_sum, weights.other_total),
        4,
    )


class JobScorer:
    """``match_job``'s score for many referential jobs and one list of phrases: the sums are
    accumulated once from the matched skills, so each job then costs a few look-ups."""

    def __init__(
        self,
        matcher: PhraseMatcher,
        phrases: Sequence[str],
        meaning: Sequence[Mapping[str, float]] | None = None,
    ) -> None:
        self.matcher = matcher
        self.phrases = list(phrases)
        self.by_code = matcher.best_by_code(self.phrases)
        # Skills close in meaning to a phrase (``meaning.semantic_matches``, one map per
        # phrase): weak matches, kept only where words found nothing better.
        meaning_jobs: list[set[str]] = [set() for _ in self.phrases]
        if meaning is not None:
            skill_jobs_all = matcher.skill_jobs()
            for i, (phrase, close) in enumerate(zip(self.phrases, meaning, strict=True)):
                for code in close:
                    if self.by_code.get(code, (0.0, ""))[0] < SEMANTIC_SIMILARITY:
                        self.by_code[code] = (SEMANTIC_SIMILARITY, phrase)
                    meaning_jobs[i].update(skill_jobs_all.get(code, ()))
        weights = [matcher.phrase_weight(p) for p in self.phrases]
        transversal = [classify(p) is not None for p in self.phrases]
        # An unused transversal phrase ("permis B") is left out of the user's share.
        self.total_weight = sum(w for w, t in zip(weights, transversal, strict=True) if not t)
        self.useful: dict[str, float] = {}
        self.useful_transversal: dict[str, float] = {}
        for i, (phrase, weight, is_transversal) in enumerate(
            zip(self.phrases, weights, transversal, strict=True)
        ):
            jobs = matcher.phrase_jobs(phrase)
            for job_code in jobs | meaning_jobs[i] if meaning_jobs[i] else jobs:
                self.useful[job_code] = self.useful.get(job_code, 0.0) + weight
                if is_transversal:
                    self.useful_transversal[job_code] = (
                        self.useful_transversal.get(job_code, 0.0) + weight
                    )
        self._coverage: dict[str, float] = {}
        self.core_sums: dict[str, float] = {}
        self.other_sums: dict[str, float] = {}
        skill_jobs = matcher.skill_jobs_core()
        for code in sorted(self.by_code):
            sim = self.by_code[code][0]
            for job_code, core in skill_jobs.get(code, ()):
                if core:
                    self.core_sums[job_code] = self.core_sums.get(job_code, 0.0) + sim
                else:
                    weight = KIND_WEIGHTS[matcher.referential.skill_kind(code) or "savoir"]
                    self.other_sums[job_code] = self.other_sums.get(job_code, 0.0) + weight * sim

    @property
    def candidates(self) -> set[str]:
        return set(self.useful)

    def coverage(self, job_code: str) -> float:
        """``match_job(...).coverage`` for a referential job (kept: ``suggest_jobs`` asks it
        for each candidate in the relevance, then again for the shown percentage)."""
        cached = self._coverage.get(job_code)
        if cached is None:
            cached = self._coverage[job_code] = self._compute_coverage(job_code)
        return cached

    def _compute_coverage(self, job_code: str) -> float:
        if not self.phrases:
            return 0.0
        weights = self.matcher.job_weights(job_code)
        return round(
            _job_coverage(
                self.core_sums.get(job_code, 0.0),
                len(weights.core),
                self.other_sums.get(job_code, 0.0),
                weights.other_total,
            ),
            4,
        )

    def relevance(self, job_code: str) -> float:
        """``match_job(...).relevance``: half coverage, half share of the user's words used."""
        denominator = self.total_weight + self.useful_transversal.get(job_code, 0.0)
        if not self.phrases or not denominator:
            return 0.0
        user_coverage = self.useful.get(job_code, 0.0) / denominator
        return round(0.5 * user_coverage + 0.5 * self.coverage(job_code), 4)


def _skill_weight(kind: str, core: bool) -> float:
    return CORE_WEIGHT if core else KIND_WEIGHTS.get(kind, 0.0)


def _importance(kind: str, core: bool) -> str:
    if core:
        return "cœur de métier"
    return "qualité" if kind == "savoir-etre" else "complémentaire"


def _job_recommendation(missing: MissingSkill, kind: str) -> str:
    if missing.importance == "cœur de métier":
        return f"Compétence clé du métier à acquérir ou à mettre en avant : {missing.label}."
    if kind == "savoir":
        return f"Connaissance utile à renforcer (formation courte) : {missing.label}."
    if kind == "savoir-etre":
        return f"Qualité appréciée à illustrer par un exemple : {missing.label}."
    return f"Compétence complémentaire à valoriser si vous l'avez : {missing.label}."


def match_job(
    user_skills: Iterable[str] | str,
    job: Job,
    *,
    referential: Referential | None = None,
    max_missing: int = 10,
) -> MatchReport:
    """How well the user's skills (their own words) fit a ROME job, and what is missing."""
    if not isinstance(job, Job):
        raise ValueError("job must be a Job from the referential")
    matcher = matcher_for(referential)
    phrases = clean_phrases(user_skills)
    phrase_maps = [matcher.phrase_to_skills(p) for p in phrases]
    meaning = semantic_matches(matcher, loaded_semantic(matcher.referential), phrases) or [
        {} for _ in phrases
    ]
    skills = [s for s in job.skills if _skill_weight(s.kind, s.core) > 0]

    best: dict[str, tuple[float, int]] = {}  # skill code → (similarity, phrase index)
    by_meaning: set[str] = set()  # skills whose best match is one by meaning
    useful_phrases: set[int] = set()
    for skill in skills:
        for i, mapping in enumerate(phrase_maps):
            sim = mapping.get(skill.code)
            if sim is None and skill.code not in matcher.referential.skill_codes_set:
                sim = matcher.text_similarity(phrases[i], skill.label)
                sim = sim if sim >= MATCH_THRESHOLD else None
            close = sim is None and skill.code in meaning[i]
            if close:
                sim = SEMANTIC_SIMILARITY
            if sim is None:
                continue
            useful_phrases.add(i)
            if sim > best.get(skill.code, (0.0, -1))[0]:
                best[skill.code] = (sim, i)
                if close:
                    by_meaning.add(skill.code)
                else:
                    by_meaning.discard(skill.code)

    phrase_weights = [matcher.phrase_weight(p) for p in phrases]
    # An unused transversal phrase ("permis B") is left out of the user's share.
    counted = [
        w
        for i, w in enumerate(phrase_weights)
        if i in useful_phrases or classify(phrases[i]) is None
    ]
    user_coverage = (
        sum(phrase_weights[i] for i in useful_phrases) / sum(counted) if sum(counted) else 0.0
    )
    others = [s for s in skills if not s.core]
    job_coverage = _job_coverage(
        sum(best[s.code][0] for s in skills if s.core and s.code in best),
        sum(1 for s in skills if s.core),
        sum(KIND_WEIGHTS[s.kind] * best[s.code][0] for s in others if s.code in best),
        sum(KIND_WEIGHTS[s.kind] for s in others),
    )
    coverage = round(job_coverage, 4) if phrases else 0.0
    relevance = round(0.5 * user_coverage + 0.5 * job_coverage, 4) if phrases else 0.0

    matched = tuple(
        sorted(
            (
                SkillMatch(
                    phrases[i],
                    skill.label,
                    skill.code,
                    sim,
                    SOURCE if skill.code in by_meaning else "métier",
                )
                for skill in skills
                if skill.code in best
                for sim, i in [best[skill.code]]
            ),
            key=lambda m: (phrases.index(m.user_skill), -m.similarity, m.skill_code or ""),
        )
    )
    kinds = {s.code: s.kind for s in skills}
    missing_all = sorted(
        (
            MissingSkill(
                s.label, s.code, _importance(s.kind, s.core), _skill_weight(s.kind, s.core)
            )
            for s in skills
            if s.code not in best
        ),
        key=lambda m: (-m.weight, _KIND_ORDER.get(kinds[m.code or ""], 9)),
    )
    missing = tuple(missing_all[:max_missing])
    recommendations = tuple(_job_recommendation(m, kinds[m.code or ""]) for m in missing[:3])
    return MatchReport(
        score=coverage,
        matched=matched,
        missing=missing,
        recommendations=recommendations,
        user_coverage=round(user_coverage, 4),
        job_coverage=coverage,
        coverage=coverage,
        relevance=relevance,
        transversal=classify_phrases(phrases),
    )


_KIND_ORDER = {"savoir-faire": 0, "savoir": 1, "savoir-etre": 2}
