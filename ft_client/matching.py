"""Explainable matching of a user's skills (their own words) with ROME jobs and offers.

Similarity of a user phrase with a skill label works on light stems (``textnorm.skill_stems``)
weighted by their rarity among the ROME skill labels (IDF): how much of the phrase is found in
the label (precision, most of the weight) and how much of the label the phrase says (recall).
A phrase matches a skill at ``MATCH_THRESHOLD`` and above.

Scores are plain fractions a user can read:
- ``match_job``: half "share of your skills that are useful in this job", half "share of the job's
  key skills you cover" (core skills first; each job skill counts once, however many phrases
  match it, so nothing is counted twice);
- ``rank_offers``: a weighted mean of skill fit, job fit, nearness and freshness, over the parts
  that can be known for that profile and offer.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rapidfuzz import fuzz

from ft_client.models import Competence, Offer
from ft_client.referential import Job, Referential, haversine_km
from ft_client.textnorm import MAX_PHRASE_CHARS, normalize, skill_stems
from ft_client.vocabulary import UserVocabulary, default_vocabulary

MATCH_THRESHOLD = 0.6
MAX_PHRASES = 40
# Job coverage is measured against what a profile of a handful of skills can show.
CORE_CAP = 5.0
OTHER_CAP = 5.0
KIND_WEIGHTS = {"savoir-faire": 1.0, "savoir": 1.0, "savoir-etre": 0.5}
CORE_WEIGHT = 3.0
OFFER_REQUIRED_WEIGHT = 2.0
OFFER_DESIRED_WEIGHT = 1.0
QUALITY_WEIGHT = 0.5
RANK_WEIGHTS = {"skills": 0.45, "job": 0.25, "place": 0.2, "freshness": 0.1}
DEFAULT_RADIUS_KM = 30.0
# Weight of the user-words signal in suggest_jobs ranking (chosen on the benchmark sets).
WORDS_WEIGHT = 0.5
# A skill reached through the user vocabulary (a rewriting of the user's phrase in ROME wording)
# scores a little below the same skill reached by the user's own words.
EXPANSION_FACTOR = 0.9
# suggest_jobs: a job whose score would be shown as 0 % is only suggested when no job does better.
MIN_SUGGESTION_SCORE = 0.005
FRESHNESS_HALF_LIFE_DAYS = 7.0


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """One user phrase ↔ one referential or offer skill."""

    user_skill: str
    skill_label: str
    skill_code: str | None
    similarity: float
    source: str  # "métier" (ROME skill of the job) | "offre" (offer competence) | "qualité"


@dataclass(frozen=True, slots=True)
class MissingSkill:
    label: str
    code: str | None
    importance: str  # "exigée" | "souhaitée" | "cœur de métier" | "complémentaire" | "qualité"
    weight: float


@dataclass(frozen=True, slots=True)
class MatchReport:
    score: float
    matched: tuple[SkillMatch, ...]
    missing: tuple[MissingSkill, ...]
    recommendations: tuple[str, ...]
    user_coverage: float = 0.0  # share of the user's phrases useful for the job
    job_coverage: float = 0.0  # share of the job's key skills the user covers


@dataclass(frozen=True, slots=True)
class JobSuggestion:
    rome_code: str
    job_label: str
    score: float  # match_job's score for this job
    matched_count: int  # job skills matched by the user's phrases
    relevance: float = 0.0  # the ranking key: score + a share for the user's words in the job


@dataclass(frozen=True, slots=True)
class MatchProfile:
    """What ranking needs to know about a user (the bot converts its stored profile)."""

    skills: Sequence[str]
    target_rome_codes: Sequence[str] = ()
    latitude: float | None = None
    longitude: float | None = None
    commune: str | None = None  # INSEE code as chosen (may be an arrondissement)
    departement: str | None = None
    radius_km: float | None = None


@dataclass(frozen=True, slots=True)
class RankedOffer:
    offer: Offer
    score: float
    matched: tuple[SkillMatch, ...]
    missing: tuple[MissingSkill, ...]
    reasons: tuple[str, ...]
    skill_score: float | None = None
    job_score: float | None = None
    place_score: float | None = None
    freshness_score: float | None = None
    distance_km: float | None = None


# --------------------------------------------------------------------------- phrase similarity
class PhraseMatcher:
    """Phrase ↔ skill similarity over one referential, with per-phrase caches."""

    def __init__(self, referential: Referential, vocabulary: UserVocabulary | None = None) -> None:
        self.referential = referential
        self.vocabulary = vocabulary if vocabulary is not None else default_vocabulary()
        self._stems_cache: dict[tuple[str, ...], dict[str, float]] = {}
        self.index, self.codes, self.idf = referential.skill_index
        self.max_idf = max(self.idf.values(), default=1.0)
        self._pair_cache: dict[tuple[str, str], float] = {}
        self._phrase_cache: dict[str, dict[str, float]] = {}
        self._label_cache: dict[tuple[str, str], float] = {}
        self._skill_jobs: dict[str, list[str]] | None = None
        self._phrase_jobs: dict[str, frozenset[str]] = {}
        self._job_weights: dict[str, _JobWeights] = {}
        self._phrase_weight: dict[str, float] = {}
        self._skill_jobs_core: dict[str, list[tuple[str, bool]]] | None = None
        self._job_stems: tuple[dict[str, frozenset[str]], dict[str, float]] | None = None

    def _stem_sim(self, a: str, b: str) -> float:
        if a == b:
            return 1.0
        key = (a, b) if a < b else (b, a)
        cached = self._pair_cache.get(key)
        if cached is None:
            cached = 0.0
            if min(len(a), len(b)) >= 4 and not (a.isdigit() or b.isdigit()):
                if a.startswith(b) or b.startswith(a):
                    cached = 0.85
                else:
                    ratio = fuzz.ratio(a, b)
                    cached = 0.9 * ratio / 100 if ratio >= 80 else 0.0
            self._pair_cache[key] = cached
        return cached

    def similarity(self, user_stems: tuple[str, ...], label_stems: tuple[str, ...]) -> float:
        """precision × (0.55 + 0.45 × recall), IDF-weighted; 0 when either side is empty."""
        if not user_stems or not label_stems:
            return 0.0
        idf = self.idf
        default = self.max_idf
        best_for_label = dict.fromkeys(label_stems, 0.0)
        precision_num = precision_den = 0.0
        for u in user_stems:
            weight = idf.get(u, default)
            best = 0.0
            for s in label_stems:
                sim = self._stem_sim(u, s)
                if sim > best:
                    best = sim
                if sim > best_for_label[s]:
                    best_for_label[s] = sim
            precision_num += weight * best
            precision_den += weight
        recall_num = recall_den = 0.0
        for s, best in best_for_label.items():
            weight = idf.get(s, default)
            recall_num += weight * best
            recall_den += weight
        precision = precision_num / precision_den
        recall = recall_num / recall_den
        return round(precision * (0.55 + 0.45 * recall), 4)

    def text_similarity(self, phrase: str, label: str) -> float:
        """Similarity of a phrase with a free-text label (offer competence, quality, title):
        the user's words, or a vocabulary rewriting of them at ``EXPANSION_FACTOR``."""
        key = (phrase, label)
        cached = self._label_cache.get(key)
        if cached is None:
            user_stems = skill_stems(phrase)
            label_stems = skill_stems(label)
            cached = self.similarity(user_stems, label_stems)
            expansions = self.vocabulary.expansions(phrase)
            if expansions:
                heads = {s[:4] for s in label_stems}
                for expanded in expansions:
                    if not self._may_reach(expanded, heads, cached):
                        continue
                    sim = round(EXPANSION_FACTOR * self.similarity(expanded, label_stems), 4)
                    if sim > cached:
                        cached = sim
            if len(self._label_cache) < 200_000:
                self._label_cache[key] = cached
        return cached

    def _may_reach(self, stems: tuple[str, ...], label_heads: set[str], floor: float) -> bool:
        """Cheap bound before the full similarity of a rewriting with a label: the share (IDF)
        of its stems whose first letters occur in the label bounds the precision, hence the
        similarity. Rewritings are ROME wording, so exact and prefix matches are what count."""
        idf = self.idf
        default = self.max_idf
        found = total = 0.0
        for s in stems:
            weight = idf.get(s, default)
            total += weight
            if s[:4] in label_heads:
                found += weight
        bound = EXPANSION_FACTOR * found / total if total else 0.0
        return bound >= MATCH_THRESHOLD and bound > floor

    def phrase_to_skills(self, phrase: str) -> dict[str, float]:
        """Referential skill code → similarity, for every skill the phrase matches, by its own
        words or through the user vocabulary (a rewriting in ROME wording, scored at
        ``EXPANSION_FACTOR``): either way the match is the phrase's, once per skill."""
        cached = self._phrase_cache.get(phrase)
        if cached is not None:
            return cached
        user_stems = skill_stems(phrase)
        result = dict(self.stems_to_skills(user_stems))
        for expanded in self.vocabulary.expansions(phrase):
            for code, sim in self.stems_to_skills(expanded).items():
                sim = round(EXPANSION_FACTOR * sim, 4)
                if sim >= MATCH_THRESHOLD and sim > result.get(code, 0.0):
                    result[code] = sim
        if len(self._phrase_cache) < 20_000:
            self._phrase_cache[phrase] = result
        return result

    def stems_to_skills(self, user_stems: tuple[str, ...]) -> dict[str, float]:
        """Referential skill code → similarity for a stem sequence (cached)."""
        cached = self._stems_cache.get(user_stems)
        if cached is not None:
            return cached
        result: dict[str, float] = {}
        if user_stems:
            weights = [self.idf.get(u, self.max_idf) for u in user_stems]
            total_weight = sum(weights)
            partial: dict[int, float] = {}
            for u, weight in zip(user_stems, weights, strict=True):
                best: dict[int, float] = {}
                for candidate, sim in self.index.token_matches(u):
                    sim = max(sim, self._stem_sim(u, candidate))
                    for doc_id in self.index.postings[candidate]:
                        if sim > best.get(doc_id, 0.0):
                            best[doc_id] = sim
                for doc_id, sim in best.items():
                    partial[doc_id] = partial.get(doc_id, 0.0) + weight * sim
            # Precision bounds the final similarity: only promising labels get the full formula.
            for doc_id, weighted in partial.items():
                if weighted / total_weight < MATCH_THRESHOLD:
                    continue
                sim = self.similarity(user_stems, self.index.docs[doc_id])
                if sim >= MATCH_THRESHOLD:
                    result[self.codes[doc_id]] = sim
        if len(self._stems_cache) < 40_000:
            self._stems_cache[user_stems] = result
        return result

    def skill_jobs(self) -> dict[str, list[str]]:
        """Skill code → the job codes it belongs to (built on first use)."""
        if self._skill_jobs is None:
            mapping: dict[str, list[str]] = {}
            for job_code in self.referential.job_codes():
                for skill_code, _core in self.referential.job_skill_codes(job_code):
                    mapping.setdefault(skill_code, []).append(job_code)
            self._skill_jobs = mapping
        return self._skill_jobs

    def phrase_jobs(self, phrase: str) -> frozenset[str]:
        """Codes of the jobs having at least one skill the phrase matches."""
        cached = self._phrase_jobs.get(phrase)
        if cached is None:
            skill_jobs = self.skill_jobs()
            cached = frozenset(
                job for code in self.phrase_to_skills(phrase) for job in skill_jobs.get(code, ())
            )
            if len(self._phrase_jobs) < 20_000:
                self._phrase_jobs[phrase] = cached
        return cached

    def phrase_weight(self, phrase: str) -> float:
        """How telling a phrase is: 1 for a phrase found in a single job's skills, down to 0.2
        for one found in nearly every job ("vente", "hygiène"); unmatched phrases weigh 1."""
        cached = self._phrase_weight.get(phrase)
        if cached is None:
            n_jobs = len(self.phrase_jobs(phrase))
            total = max(2, len(self.referential.job_codes()))
            cached = (
                1.0 if n_jobs <= 1 else max(0.2, 1.0 - 0.8 * math.log(n_jobs) / math.log(total))
            )
            self._phrase_weight[phrase] = cached
        return cached

    @property
    def job_stems(self) -> tuple[dict[str, frozenset[str]], dict[str, float]]:
        """Job code → stems of its titles and skills, and each stem's IDF over jobs."""
        if self._job_stems is None:
            ref = self.referential
            stems: dict[str, frozenset[str]] = {}
            df: dict[str, int] = {}
            for code in ref.job_codes():
                job = ref.job(code)
                if job is None:
                    continue
                words: set[str] = set(skill_stems(job.label))
                for title in job.titles:
                    words.update(skill_stems(title))
                for skill in job.skills:
                    if skill.kind != "contexte":
                        words.update(skill_stems(skill.label))
                stems[code] = frozenset(words)
                for word in words:
                    df[word] = df.get(word, 0) + 1
            n = len(stems)
            self._job_stems = (stems, {w: math.log(n / d) for w, d in df.items()})
        return self._job_stems

    def words_fit(self, phrases: Sequence[str], job_code: str) -> float:
        """IDF-weighted share of the user's words found anywhere in the job's titles and skills:
        a recall aid for words no single skill label carries ("vaisselle", "patients")."""
        stems, idf = self.job_stems
        job_words = stems.get(job_code, frozenset())
        # The user's own words only: vocabulary rewritings already count in the skill matches,
        # and adding their words here too lowered recall on the original benchmark profiles.
        # Sorted: summing floats in a fixed order keeps results identical across processes.
        user_words = sorted({w for p in phrases for w in skill_stems(p) if w in idf})
        total = sum(idf[w] for w in user_words)
        return sum(idf[w] for w in user_words if w in job_words) / total if total else 0.0

    def job_weights(self, job_code: str) -> _JobWeights:
        cached = self._job_weights.get(job_code)
        if cached is None:
            core: list[str] = []
            others: list[tuple[str, float]] = []
            for skill_code, is_core in self.referential.job_skill_codes(job_code):
                kind = self.referential.skill_kind(skill_code) or "contexte"
                if is_core and kind != "contexte":
                    core.append(skill_code)
                elif KIND_WEIGHTS.get(kind, 0.0) > 0:
                    others.append((skill_code, KIND_WEIGHTS[kind]))
            cached = _JobWeights(tuple(core), tuple(others), sum(w for _, w in others))
            self._job_weights[job_code] = cached
        return cached

    def skill_jobs_core(self) -> dict[str, list[tuple[str, bool]]]:
        """Skill code → [(job code, core?)] for the weighted (non-context) skills."""
        if self._skill_jobs_core is None:
            mapping: dict[str, list[tuple[str, bool]]] = {}
            for job_code in self.referential.job_codes():
                weights = self.job_weights(job_code)
                for code in weights.core:
                    mapping.setdefault(code, []).append((job_code, True))
                for code, _w in weights.others:
                    mapping.setdefault(code, []).append((job_code, False))
            self._skill_jobs_core = mapping
        return self._skill_jobs_core

    def scorer(self, phrases: Sequence[str]) -> JobScorer:
        return JobScorer(self, phrases)

    def best_by_code(self, phrases: Sequence[str]) -> dict[str, tuple[float, str]]:
        """Referential skill code → (best similarity, phrase) over the user's phrases."""
        by_code: dict[str, tuple[float, str]] = {}
        for phrase in phrases:
            for code, sim in self.phrase_to_skills(phrase).items():
                if sim > by_code.get(code, (0.0, ""))[0]:
                    by_code[code] = (sim, phrase)
        return by_code


@dataclass(frozen=True, slots=True)
class _JobWeights:
    core: tuple[str, ...]
    others: tuple[tuple[str, float], ...]
    other_total: float


def _job_coverage(core_sum: float, n_core: int, other_sum: float, other_total: float) -> float:
    """0.7 × core coverage + 0.3 × other coverage, each against what a few skills can show."""
    core_cov = min(1.0, core_sum / min(n_core, CORE_CAP)) if n_core else 0.0
    other_cov = min(1.0, other_sum / min(other_total, OTHER_CAP)) if other_total else 0.0
    return 0.7 * core_cov + 0.3 * other_cov if n_core else other_cov


class JobScorer:
    """``match_job``'s score for many referential jobs and one list of phrases: the sums are
    accumulated once from the matched skills, so each job then costs a few look-ups."""

    def __init__(self, matcher: PhraseMatcher, phrases: Sequence[str]) -> None:
        self.matcher = matcher
        self.phrases = list(phrases)
        self.by_code = matcher.best_by_code(self.phrases)
        weights = [matcher.phrase_weight(p) for p in self.phrases]
        self.total_weight = sum(weights)
        self.useful: dict[str, float] = {}
        for phrase, weight in zip(self.phrases, weights, strict=True):
            for job_code in matcher.phrase_jobs(phrase):
                self.useful[job_code] = self.useful.get(job_code, 0.0) + weight
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

    def score(self, job_code: str) -> float:
        if not self.phrases or not self.total_weight:
            return 0.0
        user_coverage = self.useful.get(job_code, 0.0) / self.total_weight
        weights = self.matcher.job_weights(job_code)
        job_coverage = _job_coverage(
            self.core_sums.get(job_code, 0.0),
            len(weights.core),
            self.other_sums.get(job_code, 0.0),
            weights.other_total,
        )
        return round(0.5 * user_coverage + 0.5 * job_coverage, 4)


_matchers: dict[int, PhraseMatcher] = {}


def matcher_for(referential: Referential | None = None) -> PhraseMatcher:
    """The cached matcher of a referential (default: the bundled one)."""
    ref = referential if referential is not None else Referential.load()
    matcher = _matchers.get(id(ref))
    if matcher is None or matcher.referential is not ref:
        matcher = PhraseMatcher(ref)
        _matchers[id(ref)] = matcher
    return matcher


def use_vocabulary(
    vocabulary: UserVocabulary | None, referential: Referential | None = None
) -> PhraseMatcher:
    """Match with another user vocabulary from now on (benchmarks, ablations); ``None`` puts the
    bundled one back. Every cache of the previous matcher is dropped with it."""
    ref = referential if referential is not None else Referential.load()
    matcher = PhraseMatcher(ref, vocabulary)
    _matchers[id(ref)] = matcher
    return matcher


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


def clean_phrases(user_skills: Iterable[str] | str | None) -> list[str]:
    """User skills as a list of distinct, bounded phrases (a single string may hold several,
    separated by commas, semicolons or new lines)."""
    if user_skills is None:
        return []
    if isinstance(user_skills, str):
        user_skills = [user_skills]
    phrases: list[str] = []
    seen: set[str] = set()
    for item in user_skills:
        if not isinstance(item, str):
            continue
        for part in item.replace(";", ",").replace("\n", ",").split(","):
            phrase = " ".join(part.split())[:MAX_PHRASE_CHARS]
            key = normalize(phrase, MAX_PHRASE_CHARS)
            if key and key not in seen and skill_stems(phrase):
                seen.add(key)
                phrases.append(phrase)
            if len(phrases) >= MAX_PHRASES:
                return phrases
    return phrases


# --------------------------------------------------------------------------- jobs
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
    skills = [s for s in job.skills if _skill_weight(s.kind, s.core) > 0]

    best: dict[str, tuple[float, int]] = {}  # skill code → (similarity, phrase index)
    useful_phrases: set[int] = set()
    for skill in skills:
        for i, mapping in enumerate(phrase_maps):
            sim = mapping.get(skill.code)
            if sim is None and skill.code not in matcher.referential.skill_codes_set:
                sim = matcher.text_similarity(phrases[i], skill.label)
                sim = sim if sim >= MATCH_THRESHOLD else None
            if sim is None:
                continue
            useful_phrases.add(i)
            if sim > best.get(skill.code, (0.0, -1))[0]:
                best[skill.code] = (sim, i)

    phrase_weights = [matcher.phrase_weight(p) for p in phrases]
    user_coverage = (
        sum(phrase_weights[i] for i in useful_phrases) / sum(phrase_weights) if phrases else 0.0
    )
    others = [s for s in skills if not s.core]
    job_coverage = _job_coverage(
        sum(best[s.code][0] for s in skills if s.core and s.code in best),
        sum(1 for s in skills if s.core),
        sum(KIND_WEIGHTS[s.kind] * best[s.code][0] for s in others if s.code in best),
        sum(KIND_WEIGHTS[s.kind] for s in others),
    )
    score = round(0.5 * user_coverage + 0.5 * job_coverage, 4) if phrases else 0.0

    matched = tuple(
        sorted(
            (
                SkillMatch(phrases[i], skill.label, skill.code, sim, "métier")
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
        score=score,
        matched=matched,
        missing=missing,
        recommendations=recommendations,
        user_coverage=round(user_coverage, 4),
        job_coverage=round(job_coverage, 4),
    )


_KIND_ORDER = {"savoir-faire": 0, "savoir": 1, "savoir-etre": 2}


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
    scorer = matcher.scorer(phrases)
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


# --------------------------------------------------------------------------- offers
def _freshness(offer: Offer, now: datetime) -> tuple[float | None, str | None]:
    created = offer.created_at or offer.updated_at
    if created is None:
        return None, None
    age_days = max(0.0, (now - created).total_seconds() / 86400)
    score = 0.5 ** (age_days / FRESHNESS_HALF_LIFE_DAYS)
    days = int(age_days)
    if days == 0:
        reason = "Publiée aujourd'hui"
    elif days == 1:
        reason = "Publiée hier"
    else:
        reason = f"Publiée il y a {days} jours"
    return score, reason


def _valid_point(latitude: object, longitude: object) -> tuple[float, float] | None:
    if isinstance(latitude, bool) or isinstance(longitude, bool):
        return None
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if abs(latitude) > 90 or abs(longitude) > 180:
        return None
    return float(latitude), float(longitude)


def _place_fit(
    profile: MatchProfile, offer: Offer, ref: Referential
) -> tuple[float | None, float | None, str | None]:
    """(score, distance in km, reason) — distance when both have a point, else same
    commune / city / département."""
    place = offer.place
    radius = DEFAULT_RADIUS_KM
    if isinstance(profile.radius_km, int | float) and 0 < profile.radius_km < 20_000:
        radius = float(profile.radius_km)
    user_point = _valid_point(profile.latitude, profile.longitude)
    offer_point = _valid_point(place.latitude, place.longitude)
    if user_point and offer_point:
        distance = haversine_km(*user_point, *offer_point)
        if distance <= radius:
            score = 1.0 - 0.5 * distance / radius
            reason = (
                "Tout près de chez vous" if distance < 1 else f"À {distance:.0f} km de chez vous"
            )
        else:
            score = 0.5 * math.exp(-(distance - radius) / radius)
            reason = f"À {distance:.0f} km, au-delà de votre rayon de {radius:.0f} km"
        return score, distance, reason
    user_commune = profile.commune
    if user_commune and place.commune:
        if place.commune == user_commune:
            return 1.0, None, "Dans votre commune"
        user_city = _city_code(user_commune, ref)
        if user_city == _city_code(place.commune, ref):
            return 0.9, None, "Dans votre ville"
    user_dept = profile.departement or (
        ref.place(user_commune).departement if user_commune and ref.place(user_commune) else None
    )
    offer_dept = place.departement
    if user_dept and offer_dept:
        if user_dept == offer_dept:
            return 0.6, None, f"Dans votre département ({offer_dept})"
        return 0.1, None, f"Hors de votre département ({offer_dept})"
    return None, None, None


def _city_code(code: str, ref: Referential) -> str:
    place = ref.place(code)
    return ref.query_commune(place) if place else code


@dataclass(frozen=True, slots=True)
class _Targets:
    codes: frozenset[str]
    mobility: frozenset[str]
    domains: frozenset[str]
    letters: frozenset[str]

    @classmethod
    def of(cls, codes: Sequence[str], ref: Referential) -> _Targets:
        clean = frozenset(c.strip().upper() for c in codes if isinstance(c, str) and c.strip())
        jobs = [j for j in (ref.job(c) for c in clean) if j is not None]
        return cls(
            codes=clean,
            mobility=frozenset(m for j in jobs for m in j.mobility),
            domains=frozenset(c[:3] for c in clean),
            letters=frozenset(c[:1] for c in clean),
        )


def _job_fit(offer: Offer, targets: _Targets, ref: Referential) -> tuple[float | None, str | None]:
    """1 for a target job, 0.6 for a move ROME suggests from one, 0.4 same domain."""
    if not targets.codes:
        return None, None
    code = (offer.rome_code or "").upper()
    if not code:
        return 0.0, None
    if code in targets.codes:
        score, template = 1.0, "Votre métier visé : {}"
    elif code in targets.mobility:
        score, template = 0.6, "Métier proche de votre cible : {}"
    elif code[:3] in targets.domains:
        score, template = 0.4, "Même domaine que votre métier visé : {}"
    else:
        return (0.15 if code[:1] in targets.letters else 0.0), None
    job = ref.job(code)
    label = offer.rome_label or (job.label if job else code)
    return score, template.format(label)


def rank_offers(
    profile: MatchProfile,
    offers: Iterable[Offer],
    *,
    referential: Referential | None = None,
    now: datetime | None = None,
) -> list[RankedOffer]:
    """Offers ranked for a profile, best first, each with the reasons in French."""
    matcher = matcher_for(referential)
    ref = matcher.referential
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    phrases = clean_phrases(profile.skills)
    targets = _Targets.of(profile.target_rome_codes, ref)
    # Code path: each referential skill code → the best (similarity, phrase) over all phrases.
    scorer = matcher.scorer(phrases)
    by_code = scorer.by_code
    text_cache: dict[str, tuple[float, str]] = {}

    def text_match(label: str) -> tuple[float, str]:
        cached = text_cache.get(label)
        if cached is None:
            cached = (0.0, "")
            for phrase in phrases:
                sim = matcher.text_similarity(phrase, label)
                if sim >= MATCH_THRESHOLD and sim > cached[0]:
                    cached = (sim, phrase)
            text_cache[label] = cached
        return cached

    job_cache: dict[str, float | None] = {}

    def job_fit_of_skills(code: str | None) -> float | None:
        """match_job's score of the offer's ROME job (cached: offers share jobs)."""
        if not code or not phrases:
            return None
        code = code.upper()
        if code not in job_cache:
            known = ref.job_skill_codes(code)
            job_cache[code] = scorer.score(code) if known else None
        return job_cache[code]

    job_details_cache: dict[str, tuple[tuple[SkillMatch, ...], tuple[MissingSkill, ...]]] = {}

    def job_details(code: str) -> tuple[tuple[SkillMatch, ...], tuple[MissingSkill, ...]]:
        """Matched and missing core skills of a ROME job, for offers that list no competences."""
        cached = job_details_cache.get(code)
        if cached is None:
            matched_job: list[SkillMatch] = []
            missing_job: list[MissingSkill] = []
            for skill_code, core in ref.job_skill_codes(code):
                skill = ref.skill(skill_code)
                if skill is None or skill.kind == "contexte":
                    continue
                if skill_code in by_code:
                    sim, phrase = by_code[skill_code]
                    matched_job.append(SkillMatch(phrase, skill.label, skill_code, sim, "métier"))
                elif core:
                    missing_job.append(
                        MissingSkill(skill.label, skill_code, "cœur de métier", CORE_WEIGHT)
                    )
            cached = (tuple(matched_job[:8]), tuple(missing_job[:5]))
            job_details_cache[code] = cached
        return cached

    # Offers share competences and qualities: each is matched and explained once per call.
    competence_cache: dict[tuple[str, str | None], tuple[float, float, SkillMatch | MissingSkill]]
    competence_cache = {}

    def competence_fit(competence: Competence) -> tuple[float, float, SkillMatch | MissingSkill]:
        # Keyed on strings (hashes cached by Python), not on the dataclass (hashed field by field).
        key = (competence.code or competence.label, competence.requirement)
        cached = competence_cache.get(key)
        if cached is None:
            weight = OFFER_REQUIRED_WEIGHT if competence.required else OFFER_DESIRED_WEIGHT
            hit = by_code.get(competence.code) if competence.code else None
            if hit is None:
                hit = text_match(competence.label)
            if hit[0] >= MATCH_THRESHOLD:
                item: SkillMatch | MissingSkill = SkillMatch(
                    hit[1], competence.label, competence.code, hit[0], "offre"
                )
                cached = (weight, hit[0], item)
            else:
                importance = "exigée" if competence.required else "souhaitée"
                item = MissingSkill(competence.label, competence.code, importance, weight)
                cached = (weight, 0.0, item)
            competence_cache[key] = cached
        return cached

    quality_cache: dict[str, tuple[float, SkillMatch | MissingSkill]] = {}

    def quality_fit(label: str) -> tuple[float, SkillMatch | MissingSkill]:
        cached = quality_cache.get(label)
        if cached is None:
            hit = text_match(label)
            if hit[0] >= MATCH_THRESHOLD:
                cached = (hit[0], SkillMatch(hit[1], label, None, hit[0], "qualité"))
            else:
                cached = (0.0, MissingSkill(label, None, "qualité", QUALITY_WEIGHT))
            quality_cache[label] = cached
        return cached

    ranked: list[RankedOffer] = []
    for offer in offers:
        if not isinstance(offer, Offer):
            continue
        matched: list[SkillMatch] = []
        missing: list[MissingSkill] = []
        reasons: list[str] = []
        skill_score: float | None = None
        if phrases:
            total_weight = covered = 0.0
            n_items = n_hit = 0
            for competence in offer.competences:
                weight, sim, item = competence_fit(competence)
                total_weight += weight
                n_items += 1
                if sim:
                    covered += weight * sim
                    n_hit += 1
                    matched.append(item)  # type: ignore[arg-type]
                else:
                    missing.append(item)  # type: ignore[arg-type]
            for quality in offer.qualities:
                sim, item = quality_fit(quality.label)
                total_weight += QUALITY_WEIGHT
                if sim:
                    covered += QUALITY_WEIGHT * sim
                    matched.append(item)  # type: ignore[arg-type]
                else:
                    missing.append(item)  # type: ignore[arg-type]
            rome_fit = job_fit_of_skills(offer.rome_code)
            offer_fit = covered / total_weight if total_weight else None
            if offer_fit is not None and rome_fit is not None:
                skill_score = 0.6 * offer_fit + 0.4 * rome_fit
            elif offer_fit is not None:
                skill_score = offer_fit
            elif rome_fit is not None:
                skill_score = rome_fit
                job_matched, job_missing = job_details((offer.rome_code or "").upper())
                matched.extend(job_matched)
                missing.extend(job_missing)
            else:
                title_hit = text_match(offer.title)
                skill_score = title_hit[0]
            if n_items:
                if n_hit:
                    reasons.append(
                        f"{n_hit} compétence{'s' if n_hit > 1 else ''} demandée"
                        f"{'s' if n_hit > 1 else ''} sur {n_items} dans votre profil"
                    )
                else:
                    reasons.append("Aucune des compétences demandées n'est dans votre profil")
            elif rome_fit:
                reasons.append(f"Vos compétences couvrent {round(rome_fit * 100)} % du métier")
        job_score, job_reason = _job_fit(offer, targets, ref)
        if job_reason:
            reasons.insert(0, job_reason)
        place_score, distance, place_reason = _place_fit(profile, offer, ref)
        if place_reason:
            reasons.append(place_reason)
        freshness, fresh_reason = _freshness(offer, now)
        if fresh_reason:
            reasons.append(fresh_reason)

        weight_sum = total = 0.0
        for part, value in (
            ("skills", skill_score),
            ("job", job_score),
            ("place", place_score),
            ("freshness", freshness),
        ):
            if value is not None:
                weight_sum += RANK_WEIGHTS[part]
                total += RANK_WEIGHTS[part] * value
        score = total / weight_sum if weight_sum else 0.0
        missing.sort(key=lambda m: -m.weight)
        ranked.append(
            RankedOffer(
                offer=offer,
                score=round(min(1.0, max(0.0, score)), 4),
                matched=tuple(matched),
                missing=tuple(missing),
                reasons=tuple(reasons),
                skill_score=None if skill_score is None else round(skill_score, 4),
                job_score=job_score,
                place_score=None if place_score is None else round(place_score, 4),
                freshness_score=None if freshness is None else round(freshness, 4),
                distance_km=None if distance is None else round(distance, 1),
            )
        )
    ranked.sort(key=lambda r: (-r.score, r.offer.id))
    return ranked
