"""Phrase ↔ ROME skill similarity: the explainable lexical matcher and its caches.

Similarity of a user phrase with a skill label works on light stems (``textnorm.skill_stems``)
weighted by their rarity among the ROME skill labels (IDF): how much of the phrase is found in
the label (precision, most of the weight) and how much of the label the phrase says (recall).
A phrase matches a skill at ``MATCH_THRESHOLD`` and above.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ft_client.referential import Referential
from ft_client.textnorm import (
    MAX_PHRASE_CHARS,
    LengthBands,
    normalize,
    skill_stems,
    stem,
    tokens,
)
from ft_client.vocabulary import UserVocabulary, default_vocabulary

MATCH_THRESHOLD = 0.6
MAX_PHRASES = 40
# Job coverage weights by kind of skill (work contexts weigh nothing).
KIND_WEIGHTS = {"savoir-faire": 1.0, "savoir": 1.0, "savoir-etre": 0.5}
# A skill reached through the user vocabulary (a rewriting of the user's phrase in ROME wording)
# scores a little below the same skill reached by the user's own words.
EXPANSION_FACTOR = 0.9
# A word the referential does not know ("bouclanger", "soigante") is read as its closest known
# word at this rapidfuzz ratio and above, when it has at least TYPO_MIN_CHARS letters.
TYPO_CUTOFF = 85
TYPO_MIN_CHARS = 5


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """One user phrase ↔ one referential or offer skill."""

    user_skill: str
    skill_label: str
    skill_code: str | None
    similarity: float
    # "métier" (ROME skill of the job) | "sens" (a ROME skill of the job close in meaning,
    # ``meaning.py``) | "offre" (offer competence) | "qualité"
    source: str


class GenerationCache:
    """A bounded cache that keeps what is used: entries go to a young generation; when it holds
    half the bound it becomes the old one (the previous old one is dropped) and a hit there
    moves the entry back to the young one. At most ``limit`` entries, no per-hit bookkeeping
    (unlike an LRU), and unlike an insert-only cache it follows a national cycle's moving
    working set. Values are floats, never None."""

    __slots__ = ("_half", "_old", "_young")

    def __init__(self, limit: int) -> None:
        self._half = max(1, limit // 2)
        self._young: dict[tuple[str, str], float] = {}
        self._old: dict[tuple[str, str], float] = {}

    def get(self, key: tuple[str, str]) -> float | None:
        value = self._young.get(key)
        if value is None:
            value = self._old.get(key)
            if value is not None:
                self.put(key, value)
        return value

    def put(self, key: tuple[str, str], value: float) -> None:
        young = self._young
        young[key] = value
        if len(young) >= self._half:
            self._old, self._young = young, {}

    def __len__(self) -> int:
        return len(self._young) + len(self._old)


# Bound of the phrase × label cache (entries; about 150 bytes each with their key tuple).
LABEL_PAIR_CACHE_SIZE = 400_000


# --------------------------------------------------------------------------- phrase similarity
class PhraseMatcher:
    """Phrase ↔ skill similarity over one referential, with per-phrase caches."""

    def __init__(self, referential: Referential, vocabulary: UserVocabulary | None = None) -> None:
        self.referential = referential
        self.vocabulary = vocabulary if vocabulary is not None else default_vocabulary()
        self._stems_cache: dict[tuple[str, ...], dict[str, float]] = {}
        self.index, self.codes, self.idf = referential.skill_index
        self.max_idf = max(self.idf.values(), default=1.0)
        self._phrase_cache: dict[str, dict[str, float]] = {}
        self._label_cache = GenerationCache(LABEL_PAIR_CACHE_SIZE)
        self._skill_jobs: dict[str, list[str]] | None = None
        self._phrase_jobs: dict[str, frozenset[str]] = {}
        self._job_weights: dict[str, _JobWeights] = {}
        self._phrase_weight: dict[str, float] = {}
        self._skill_jobs_core: dict[str, list[tuple[str, bool]]] | None = None
        self._job_stems: tuple[dict[str, frozenset[str]], dict[str, float]] | None = None
        self._known_words: list[str] | None = None
        self._known_set: frozenset[str] = frozenset()
        self._known_bands = LengthBands(())
        self._typo_cache: dict[str, str] = {}
        self._phrase_stems: dict[str, tuple[str, ...]] = {}
        self._stem_jobs: dict[str, tuple[str, ...]] | None = None

    @staticmethod
    def _stem_sim(a: str, b: str) -> float:
        # Computed, not cached: a C ``fuzz.ratio`` on two short stems costs less than a look-up
        # keyed on the ordered pair, and a pair cache grew with every stem a cycle met.
        if a == b:
            return 1.0
        if len(a) < 4 or len(b) < 4 or a.isdigit() or b.isdigit():
            return 0.0
        if a.startswith(b) or b.startswith(a):
            return 0.85
        ratio = fuzz.ratio(a, b)
        return 0.9 * ratio / 100 if ratio >= 80 else 0.0

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
            self._label_cache.put(key, cached)
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

    @property
    def known_words(self) -> list[str]:
        """Every canonical word of the ROME titles and skill labels (the typo step's targets)."""
        if self._known_words is None:
            # From the raw ROME data: each shared label once, each distinct word canonicalised
            # once (no Job objects built).
            rome = self.referential.rome_data
            texts = {raw["label"] for raw in rome["jobs"]}
            texts.update(title[1] for raw in rome["jobs"] for title in raw["titles"])
            texts.update(entry[0] for entry in rome["skills"].values())
            raw_words = {w for text in texts for w in normalize(text, MAX_PHRASE_CHARS).split()}
            words = {t for w in raw_words for t in tokens(w, MAX_PHRASE_CHARS)}
            known = sorted(w for w in words if len(w) >= TYPO_MIN_CHARS - 1)
            self._known_set = frozenset(words)
            self._known_bands = LengthBands(known)
            self._known_words = known  # last: another thread reads the two above once it is set
        return self._known_words

    def known_word(self, word: str) -> str:
        """The word itself when a ROME title or skill label uses it, else the closest word one
        uses (a typo: "bouclanger" → "boulanger", "soigante" → "soignante"), else the word
        unchanged (a word ROME lacks: "django"). Whole words, not stems: a typo's stem is often
        another word's ("bouclanger" and "bouclage" share "boucla")."""
        _ = self.known_words  # built on first use, with its set and length bands
        if word in self._known_set or len(word) < TYPO_MIN_CHARS or not word.isalpha():
            return word
        cached = self._typo_cache.get(word)
        if cached is None:
            choices = self._known_bands.within(len(word), TYPO_CUTOFF)
            hit = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
            cached = hit[0] if hit else word
            if len(self._typo_cache) < 50_000:
                self._typo_cache[word] = cached
        return cached

    def phrase_stems(self, phrase: str) -> tuple[str, ...]:
        """``skill_stems(phrase)`` after the typo-tolerant token step (``known_word``): what
        every lexical signal starts from."""
        cached = self._phrase_stems.get(phrase)
        if cached is None:
            words = (self.known_word(t) for t in tokens(phrase, MAX_PHRASE_CHARS) if len(t) >= 2)
            cached = tuple(dict.fromkeys(stem(w) for w in words))
            if len(self._phrase_stems) < 20_000:
                self._phrase_stems[phrase] = cached
        return cached

    def phrase_to_skills(self, phrase: str) -> dict[str, float]:
        """Referential skill code → similarity, for every skill the phrase matches, by its own
        words or through the user vocabulary (a rewriting in ROME wording, scored at
        ``EXPANSION_FACTOR``): either way the match is the phrase's, once per skill."""
        cached = self._phrase_cache.get(phrase)
        if cached is not None:
            return cached
        user_stems = self.phrase_stems(phrase)
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
        return self.words_fits(phrases, [job_code])[job_code]

    def words_fits(self, phrases: Sequence[str], job_codes: Iterable[str]) -> dict[str, float]:
        """``words_fit`` for many jobs: the user's words and their total are read once per
        profile, and each word adds its weight to the jobs using it (``stem_jobs``) rather
        than each candidate job testing every word (this was ~70 % of a warm call's CPU)."""
        _stems, idf = self.job_stems
        stem_jobs = self.stem_jobs
        # The user's own words only: vocabulary rewritings already count in the skill matches,
        # and adding their words here too lowered recall on the original benchmark profiles.
        # Sorted: summing floats in a fixed order keeps results identical across processes
        # (and each job's sum is the one the former per-job ``sum`` gave, term by term).
        user_words = sorted({w for p in phrases for w in self.phrase_stems(p) if w in idf})
        total = sum(idf[w] for w in user_words)
        found: dict[str, float] = {}
        for word in user_words:
            weight = idf[word]
            for job_code in stem_jobs.get(word, ()):
                found[job_code] = found.get(job_code, 0) + weight
        return {code: found.get(code, 0) / total if total else 0.0 for code in job_codes}

    @property
    def stem_jobs(self) -> dict[str, tuple[str, ...]]:
        """Stem → the job codes whose titles or skills use it (``job_stems`` inverted)."""
        if self._stem_jobs is None:
            inverted: dict[str, list[str]] = {}
            for code, words in self.job_stems[0].items():
                for word in words:
                    inverted.setdefault(word, []).append(code)
            self._stem_jobs = {word: tuple(codes) for word, codes in inverted.items()}
        return self._stem_jobs

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
            cached = _JobWeights(
                tuple(core),
                tuple(others),
                sum(w for _, w in others),
                tuple(sorted(core)),
                tuple(sorted(others, key=lambda item: item[0])),
            )
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
    # The same, in skill-code order (stable): ``scores.job_coverage`` sums in that order, as
    # ``JobScorer`` does, so that both give bit-identical floats.
    core_by_code: tuple[str, ...] = ()
    others_by_code: tuple[tuple[str, float], ...] = ()


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
