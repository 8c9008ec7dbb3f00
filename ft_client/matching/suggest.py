"""Which métiers a person's phrases point to, best first."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass

from ft_client.matching import fusion
from ft_client.matching.breadth import breadth_prior
from ft_client.matching.fulltext import fulltext_for
from ft_client.matching.fusion import FusionInputs, fused_relevance
from ft_client.matching.jobs import READING_PREFIXES, find_jobs
from ft_client.matching.meaning import semantic_matches
from ft_client.matching.scores import JobScorer
from ft_client.matching.semantic import (
    SemanticIndex,
    loaded_semantic,
    semantic_for,
    start_scores,
)
from ft_client.matching.skills import PhraseMatcher, clean_phrases, matcher_for
from ft_client.referential import Referential

# Weight of the user-words signal in the lexical relevance (chosen on the benchmark sets).
WORDS_WEIGHT = 0.5
# Weight of the BM25 full-text signal (top fiche = 1) added to the lexical relevance on the
# lexical path, of the vocabulary rewritings in the BM25 query, and how many BM25 fiches join
# the candidates (chosen on the dev and synthetic sets only; see docs/matching-measurements.md).
# With the semantic index loaded, every signal's weight is in ``fusion.FUSION_WEIGHTS``
# (fitted across six writers' sets, ninth pass).
FULLTEXT_WEIGHT = 0.5
REWRITING_WEIGHT = 0.5
FULLTEXT_CANDIDATES = 30
# The semantic (embeddings) signal is min-max scaled over its SEMANTIC_CANDIDATES best fiches
# (best = 1, the last = 0), which join the candidates (third pass).
SEMANTIC_CANDIDATES = 100
MIN_SUGGESTION_SCORE = 0.005
# A short phrase that names a job (« auxiliaire de vie », « cariste », « ATSEM »: an alias or a
# ROME title ``find_jobs`` recognises at TITLE_CONFIDENCE or more) adds its confidence, with this
# weight on the lexical path (``fusion.FUSION_WEIGHTS["title"]`` next to meaning), to that
# fiche's relevance. Longer phrases are skill descriptions, whose title-like words pulled
# ROME-worded profiles astray. Chosen on dev set 2's halves under the synthetic floor (0.4 broke
# it, and so did a confidence of 0.75 once find_jobs told ties apart by the fiches' text); see
# docs/matching-measurements.md, fifth pass. How broad each fiche is (``breadth.py``) counts
# next to the semantic signal only (``fusion.FUSION_WEIGHTS["breadth"]``, sixth pass).
TITLE_WEIGHT = 0.3
TITLE_CONFIDENCE = 0.9
TITLE_MAX_WORDS = 4
# Each phrase's job names are kept (find_jobs reads 30 titles and may run BM25): a person's
# second /metiers pays nothing for them. Dropped whole when full (a few bytes an entry).
TITLE_CACHE_SIZE = 20_000
# Every hit of ``find_jobs`` down to LOW_TITLE_CONFIDENCE is kept (one call per phrase): the
# readings ``find_jobs`` caps under 0.9 (trade nouns, everyday heads, English, slips by ear,
# the job inside the words) feed the fusion's ``title_low`` features when they are weighted.
LOW_TITLE_CONFIDENCE = 0.5
# A phrase whose best skill similarity reaches this reads as ROME wording (``rome_likeness``).
ROME_WORDED = 0.9
_title_cache: dict[tuple[int, str], tuple[tuple[str, float, bool], ...]] = {}


@dataclass(frozen=True, slots=True)
class JobSuggestion:
    rome_code: str
    job_label: str
    score: float  # = match_job's coverage for this job: what is shown
    matched_count: int  # job skills matched by the user's phrases
    relevance: float = 0.0  # the ranking key (lexical matcher fused with BM25); never shown


def warm_up(referential: Referential | None = None, *, freeze_gc: bool = True) -> PhraseMatcher:
    """Build every index matching needs now (bot start-up, in a thread), not on a user's call.

    With ``freeze_gc`` the objects built so far (millions, all long-lived and immutable) are moved
    out of the cyclic garbage collector's reach (``gc.freeze``): otherwise every full collection
    walks them, a pause of several hundred milliseconds in the middle of a ranking."""
    matcher = matcher_for(referential)
    matcher.referential.warm_up()
    matcher.skill_jobs_core()
    _ = matcher.stem_jobs
    fulltext_for(matcher.referential)
    semantic = semantic_for(matcher.referential)
    if semantic is not None:
        semantic.scores(["accueil des clients"])  # loads the model, maps its weights
    suggest_jobs(["accueil des clients"], matcher.referential)
    if freeze_gc:
        gc.collect()
        gc.freeze()
    return matcher


def suggest_jobs(
    user_skills: Iterable[str] | str, ref: Referential | None = None, limit: int = 5
) -> list[JobSuggestion]:
    """The métiers the user's phrases point to, best first (by relevance), each with its
    coverage (what is shown) and how many of its skills the phrases matched."""
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError("limit must be a positive integer")
    matcher = matcher_for(ref)
    phrases = clean_phrases(user_skills)
    if not phrases:
        return []
    index = loaded_semantic(matcher.referential)
    pending = start_scores(index, phrases) if index is not None else None
    # While the model embeds new phrases (worker thread), every signal that does not need it:
    # the fuzzy skill look-up (cached per phrase), BM25, the lexical relevance and the job
    # names. A profile of new phrases then waits for the longer of the two, not the sum.
    matcher.best_by_code(phrases)
    fulltext = fulltext_relevance(matcher, phrases)
    scorer = JobScorer(matcher, phrases)
    lexical = lexical_relevance(matcher, scorer, phrases)
    titles = title_relevance(matcher.referential, phrases)
    unplaced = unplaced_share(matcher, phrases)
    gated = fusion.uses_gate(fusion.FUSION_WEIGHTS) and pending is not None
    likeness, rome_share = rome_likeness(matcher, phrases) if gated else (0.0, 0.0)
    cosines = pending.result() if pending is not None else {}
    semantic = top_scaled(cosines, SEMANTIC_CANDIDATES)
    # Skills close in meaning count in the coverage shown (a weak match), hence in the « no
    # 0 % suggestion » rule, not in the ranking: in the relevance they lifted neighbouring
    # fiches of ROME-worded profiles (synthetic set 0.947 → 0.907). The phrases' vectors are
    # cached by now; only their product with the skill rows is left (cached per phrase too).
    meaning = semantic_matches(matcher, index, phrases) if pending else None
    shown_scorer = JobScorer(matcher, phrases, meaning) if meaning and any(meaning) else scorer
    by_code = shown_scorer.by_code
    low = fusion.uses_low_titles(fusion.FUSION_WEIGHTS) and pending is not None
    titles_low = low_title_relevance(matcher.referential, phrases) if low else {}
    titles_read = (
        low_title_relevance(matcher.referential, phrases, readings_only=True) if low else {}
    )
    candidates = sorted(
        set(lexical) | set(fulltext) | set(semantic) | set(titles) | set(titles_low)
    )
    coverage = {job_code: shown_scorer.coverage(job_code) for job_code in candidates}
    if pending is not None and index is not None:
        # With meaning: the fusion fitted across writers (fusion.py, ninth pass).
        inputs = FusionInputs(
            lexical, fulltext, semantic, cosines, phrase_best(index, phrases), titles,
            breadth_prior(matcher.referential), coverage, unplaced, len(phrases), titles_low,
            titles_read, likeness, rome_share,
        )  # fmt: skip
        relevance = fused_relevance(inputs, candidates, fusion.FUSION_WEIGHTS)
    else:
        relevance = lexical_fusion(lexical, fulltext, titles, candidates)
    # A job the user would read as "0 %" is never shown above, nor next to, a job with real
    # coverage; it is only offered (ranked by relevance) when no job has any.
    shown = [code for code, value in coverage.items() if value >= MIN_SUGGESTION_SCORE]
    if not shown:
        shown = list(coverage)
    shown.sort(key=lambda code: (-relevance[code], -coverage[code], code))
    # Labels and matched counts for the few suggestions returned only (hundreds of candidates).
    result = []
    for job_code in shown[: min(limit, 50)]:
        matched = sum(
            1 for c, _core in matcher.referential.job_skill_codes(job_code) if c in by_code
        )
        label = matcher.referential.job(job_code).label  # type: ignore[union-attr]
        result.append(
            JobSuggestion(job_code, label, coverage[job_code], matched, relevance[job_code])
        )
    return result


def lexical_fusion(
    lexical: dict[str, float],
    fulltext: dict[str, float],
    titles: dict[str, float],
    candidates: list[str],
) -> dict[str, float]:
    """Relevance without the semantic index (``FT_SEMANTIC=0``, a process that never warmed
    up): the lexical relevance scaled so that its best fiche scores 1, BM25 and the job names,
    hand-weighted (a weighted sum beat reciprocal rank fusion on the dev, original and
    synthetic sets)."""
    best_lexical = max(lexical.values(), default=0.0) or 1.0
    return {
        job_code: round(
            1.0 * lexical.get(job_code, 0.0) / best_lexical
            + FULLTEXT_WEIGHT * fulltext.get(job_code, 0.0)
            + TITLE_WEIGHT * titles.get(job_code, 0.0),
            4,
        )
        for job_code in candidates
    }


def phrase_best(index: SemanticIndex, phrases: list[str]) -> dict[str, float]:
    """Fiche code → the best single phrase's cosine with it (the phrases' rows are cached by
    the time the semantic scores are in: a stack and a max)."""
    return dict(zip(index.codes, index.fiche_rows(phrases).max(axis=0).tolist(), strict=True))


def lexical_relevance(
    matcher: PhraseMatcher, scorer: JobScorer, phrases: list[str]
) -> dict[str, float]:
    """Job code → the explainable matcher's relevance: coverage and share of the user's words
    used (``JobScorer.relevance``) plus a share for the user's words found in the fiche."""
    skill_jobs = matcher.skill_jobs()
    candidates: set[str] = set()
    for phrase in phrases:
        for code in matcher.phrase_to_skills(phrase):
            candidates.update(skill_jobs.get(code, ()))
    # Jobs sharing a telling word with the user (in a title or a skill) are candidates too.
    _job_stems, idf = matcher.job_stems
    stem_jobs = matcher.stem_jobs
    for word in {w for p in phrases for w in matcher.phrase_stems(p) if idf.get(w, 0.0) >= 2.0}:
        candidates.update(stem_jobs.get(word, ()))
    result: dict[str, float] = {}
    fits = matcher.words_fits(phrases, sorted(candidates))
    for job_code, words in fits.items():
        relevance = scorer.relevance(job_code)
        if relevance > 0 or words > 0:
            result[job_code] = relevance + WORDS_WEIGHT * words
    return result


def unplaced_share(matcher: PhraseMatcher, phrases: list[str]) -> float:
    """The share of phrases whose words reach no ROME skill (cached per phrase by the
    matcher), 0 for an empty profile."""
    if not phrases:
        return 0.0
    return sum(1 for phrase in phrases if not matcher.phrase_to_skills(phrase)) / len(phrases)


def rome_likeness(matcher: PhraseMatcher, phrases: list[str]) -> tuple[float, float]:
    """How ROME-worded the phrases are: the mean of each phrase's best skill similarity (0
    when it reaches none), and the share of phrases at ``ROME_WORDED`` or more (both cached
    per phrase by the matcher), (0, 0) for an empty profile."""
    if not phrases:
        return 0.0, 0.0
    best = [max(matcher.phrase_to_skills(phrase).values(), default=0.0) for phrase in phrases]
    return sum(best) / len(best), sum(1 for b in best if b >= ROME_WORDED) / len(best)


def fulltext_relevance(matcher: PhraseMatcher, phrases: list[str]) -> dict[str, float]:
    """Job code → BM25 score over the fiche's full text, divided by the best one (top = 1), for
    the ``FULLTEXT_CANDIDATES`` best fiches."""
    index = fulltext_for(matcher.referential)
    rewritings = [t for p in phrases for t in matcher.vocabulary.target_texts(p)]
    scores = index.scores(index.query_terms(phrases, rewritings, REWRITING_WEIGHT))
    top = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:FULLTEXT_CANDIDATES]
    if not top or top[0][1] <= 0:
        return {}
    best = top[0][1]
    return {code: score / best for code, score in top}


def top_scaled(scores: dict[str, float], count: int) -> dict[str, float]:
    """The ``count`` best fiches, min-max scaled (best 1, the ``count``-th 0): cosines of a
    multilingual model sit in a narrow band (0.80-0.90), only their order and gaps tell."""
    top = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:count]
    if len(top) < 2 or top[0][1] <= top[-1][1]:
        return {}
    high, low = top[0][1], top[-1][1]
    return {code: (score - low) / (high - low) for code, score in top}


def title_relevance(ref: Referential, phrases: list[str]) -> dict[str, float]:
    """Job code → the best confidence of a short phrase naming it (``find_jobs``: aliases and
    ROME titles) at ``TITLE_CONFIDENCE`` or more."""
    return _short_titles(ref, phrases, TITLE_CONFIDENCE, readings_only=False)


def low_title_relevance(
    ref: Referential, phrases: list[str], *, readings_only: bool = False
) -> dict[str, float]:
    """``title_relevance`` down to ``LOW_TITLE_CONFIDENCE`` (top 3 hits a phrase), or only the
    hits of a reading (a trade noun, an everyday head, English, a slip by ear)."""
    return _short_titles(ref, phrases, LOW_TITLE_CONFIDENCE, readings_only=readings_only)


def _short_titles(
    ref: Referential, phrases: list[str], floor: float, *, readings_only: bool
) -> dict[str, float]:
    found: dict[str, float] = {}
    for phrase in phrases:
        if len(phrase.split()) > TITLE_MAX_WORDS:
            continue
        for code, score, reading in _phrase_titles(ref, phrase):
            if score >= floor and (reading or not readings_only):
                found[code] = max(found.get(code, 0.0), score)
    return found


def _phrase_titles(ref: Referential, phrase: str) -> tuple[tuple[str, float, bool], ...]:
    key = (id(ref), phrase)
    cached = _title_cache.get(key)
    if cached is None:
        hits = find_jobs(phrase, ref, limit=3)
        cached = tuple(
            (h.rome_code, h.score, h.why.startswith(READING_PREFIXES))
            for h in hits
            if h.score >= LOW_TITLE_CONFIDENCE
        )
        if len(_title_cache) >= TITLE_CACHE_SIZE:
            _title_cache.clear()
        _title_cache[key] = cached
    return cached
