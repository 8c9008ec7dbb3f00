"""Job look-up people can rely on: what a person types for a job → ROME métiers, with a
confidence and the reason of each hit.

Three sources, in this order of trust:
1. the curated alias table ``ft_client/data/job_aliases.json`` — workplaces ("ehpad"),
   nicknames ("nounou", "plonge"), acronyms ("AESH", "VTC", "DRH") and everyday or English titles
   ("femme de ménage", "night auditor") that ROME titles do not carry or carry ambiguously
   ("plongeur" is first a dishwasher in job seekers' words, not a diver); each entry says why;
   also read with typos ("nounnou", ``JobAliases.close``), a little less sure;
2. ROME titles: the label and ~13 000 appellations with their feminine forms
   (``Referential.find_jobs``, typo-tolerant), confidence = title similarity; of the whole
   query and of the job inside a longer answer ("je cherche un poste de serveur",
   ``job_spans``); a one-word query in capitals also as titles' initials ("EJE",
   ``acronyms``, close matches only);
3. the BM25 full text of each fiche (skills, savoirs, work contexts), for words that are no title
   ("vaisselle"), offered as close matches only: their confidence stays under the threshold.

When no title reads the words exactly, other readings of them go through the same steps at a
small discount, squeezed under 0.9 like the spans: English translated (``english``), a trade's
activity noun read as its worker (``sectors``), everyday heads read as ROME's (``synonyms``),
slips by ear respelt (``spelling``). A workplace alias inside the query (``workplaces``) says
where: under a specific job word its trades are close matches, under a generic head they lead.

``FIND_JOBS_THRESHOLD``: below it a hit is not a recognised job — the caller says so, and may
offer the hits as close matches or ask for a rephrase; it must not act on them (e.g. add them to
a profile). ``looks_like_place`` tells a town typed where a job was expected ("Paris").

A bare town name is no recognised job even when it is close to a ROME title ("Tours" reads
"Régleur sur tour" at 0.9, "Agen" "Agenceur" at 0.8): those title hits are close matches only,
and ``town_or_job`` names the town so the caller can ask « Tours : la ville ou un métier ? ».
An exact title ("Marin", also a commune) or a curated alias stays a job.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from ft_client.matching.acronyms import acronym_hits
from ft_client.matching.english import english_reader
from ft_client.matching.fulltext import fulltext_for, text_terms
from ft_client.matching.job_spans import merge_spans, span_hits, squeeze, title_words
from ft_client.matching.sectors import worker_reading
from ft_client.matching.spelling import respelt
from ft_client.matching.synonyms import synonym_readings
from ft_client.matching.workplaces import agreement, is_workplace, workplace_in, workplace_why
from ft_client.referential import JobHit, Place, Referential
from ft_client.textnorm import MAX_QUERY_CHARS, STOPWORDS, canonical_word, normalize

ALIASES_PATH = Path(__file__).resolve().parent.parent / "data" / "job_aliases.json"
# A hit at or above this confidence is a recognised job; below, only a close match. Title hits
# of 0.6-0.7 are typically fuzzy nonsense ("Paris" → "Poseur de façade vitrée" 0.71), true ones
# score 0.85 and above on the dev set (typos and feminine forms included).
FIND_JOBS_THRESHOLD = 0.75
# The highest confidence of a close match (not recognised).
CLOSE_ONLY = FIND_JOBS_THRESHOLD - 0.01
# Alias hits: the first code of an exact alias, then a small step down for the next ones.
ALIAS_CONFIDENCE = 0.97
ALIAS_STEP = 0.03
# An alias found inside a longer query ("serveuse en ehpad"): still recognised, less sure.
PARTIAL_ALIAS_CONFIDENCE = 0.8
# Full-text hits are close matches: the best one gets this, the others proportionally less.
FULLTEXT_CONFIDENCE = 0.7
# A word found in this share of the fiches' full text or more ("gestion" 82 %, "équipe" 90 %,
# "client" 48 %, "qualité" 58 %) names no métier by itself unless ROME titles start with it
# ("opérateur", "animateur"): a query made of such words only gets close matches, never a hit.
GENERIC_SHARE = 0.4
# Words that say nothing about the job itself ("dev junior", "serveuse H/F en CDI").
_FILLER_WORDS = (
    "junior senior debutant debutante confirme confirmee experimente experimentee h f hf "
    "cdi cdd interim stage stagiaire apprenti apprentie alternance alternant alternante "
    "temps partiel plein job poste emploi travail metier"
)
_FILLERS = frozenset(_FILLER_WORDS.split())
TITLE_HITS = 30
# Read the job inside a longer answer too (``job_spans``); a switch for measurements.
SPANS = True
ACRONYMS = True
# An alias typed with typos: words of this many letters or more, at this ``fuzz.ratio`` or more
# (the matcher's own typo step, ``PhraseMatcher.known_word``); the confidence is the alias's
# times the lowest word ratio (« plongeus » → 0.97 × 0.94).
TYPO_ALIASES = True
TYPO_MIN_LETTERS = 5
TYPO_RATIO = 85
# English titles read in French (``english``), at this share of the French words' confidence.
ENGLISH = True
ENGLISH_FACTOR = 0.95
# Activity nouns read as the trade's worker (``sectors``), at this share of the confidence.
SECTORS = True
SECTOR_FACTOR = 0.95
# Everyday title heads read as ROME's (``synonyms``), at this share of the confidence.
SYNONYMS = True
SYNONYM_FACTOR = 0.95
# Slips by ear on the words (``spelling``) rewritten, at this share of the confidence.
SPELLING = True
SPELLING_FACTOR = 0.95
# How a hit read through another reading starts its ``why`` (« <reading> — <hit's why> »);
# ``suggest`` tells such hits apart by these prefixes.
ENGLISH_WHY = "traduit de l'anglais"
SECTOR_WHY = "métier de « {query} »"
SPELLING_WHY = "orthographe corrigée"
SYNONYM_WHY = "intitulé courant pour le même poste"
READING_PREFIXES = (ENGLISH_WHY, SECTOR_WHY.split("{")[0], SPELLING_WHY, SYNONYM_WHY)
_ROME_CODE = re.compile(r"^\s*[A-Na-n]\s*-?\s*\d{4}\s*$")


def alias_key(text: str) -> tuple[str, ...]:
    """The words on which aliases are compared: normalised, no stop words nor fillers,
    plural and feminine folded ("Serveuses H/F" → ("serveur",))."""
    words = normalize(text, MAX_QUERY_CHARS).split()
    return tuple(canonical_word(w) for w in words if w not in STOPWORDS and w not in _FILLERS and w)


class JobAliases:
    """Alias key → (ROME codes best first, why)."""

    def __init__(self, aliases: dict[str, dict[str, object]]) -> None:
        self.by_key: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
        for text, entry in aliases.items():
            key = alias_key(text)
            codes = tuple(str(c) for c in entry["codes"])  # type: ignore[attr-defined]
            if key and key not in self.by_key:
                self.by_key[key] = (codes, str(entry.get("why", "")))
        self.max_len = max((len(k) for k in self.by_key), default=0)

    @classmethod
    def load(cls, path: Path | str | None = None) -> JobAliases:
        data = json.loads(Path(path or ALIASES_PATH).read_text(encoding="utf-8"))
        return cls(data["aliases"])

    def exact(self, key: tuple[str, ...]) -> tuple[tuple[str, ...], str] | None:
        return self.by_key.get(key)

    def close(self, key: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], str], float] | None:
        """The alias a key reads with typos (« plongeus », « caissiere » mistyped), and how
        close: same number of words, each equal or, both of at least ``TYPO_MIN_LETTERS``
        letters, at ``fuzz.ratio`` ≥ ``TYPO_RATIO`` (the matcher's typo step); the closest
        (the lowest word ratio, highest) wins, the table's order on ties."""
        best: tuple[tuple[tuple[str, ...], str], float] | None = None
        for alias, entry in self.by_key.items():
            if len(alias) != len(key) or alias == key:
                continue
            ratio = 1.0
            for typed, known in zip(key, alias, strict=True):
                if typed == known:
                    continue
                if min(len(typed), len(known)) < TYPO_MIN_LETTERS:
                    ratio = 0.0
                    break
                ratio = min(ratio, fuzz.ratio(typed, known) / 100)
                if ratio * 100 < TYPO_RATIO:
                    break
            if ratio * 100 >= TYPO_RATIO and (best is None or ratio > best[1]):
                best = (entry, ratio)
        return best

    def inside(self, key: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
        """Aliases found as whole words inside a longer key, longest first."""
        return [entry for _words, entry in self.inside_keys(key)]

    def inside_keys(
        self, key: tuple[str, ...]
    ) -> list[tuple[tuple[str, ...], tuple[tuple[str, ...], str]]]:
        """(alias words, entry) of the aliases found inside a longer key, longest first."""
        found: list[tuple[tuple[str, ...], tuple[tuple[str, ...], str]]] = []
        seen: list[tuple[tuple[str, ...], str]] = []
        for length in range(min(self.max_len, len(key) - 1), 0, -1):
            for start in range(len(key) - length + 1):
                words = key[start : start + length]
                hit = self.by_key.get(words)
                if hit is not None and hit not in seen:
                    seen.append(hit)
                    found.append((words, hit))
        return found


@lru_cache(maxsize=1)
def default_aliases() -> JobAliases:
    return JobAliases.load()


def find_jobs(
    query: str,
    referential: Referential | None = None,
    limit: int = 5,
    *,
    aliases: JobAliases | None = None,
) -> list[JobHit]:
    """Métiers for what a person typed, best first, one hit per code; ``score`` is the hit's
    confidence in [0, 1] (recognised at ``FIND_JOBS_THRESHOLD`` and above) and ``why`` says
    where it comes from. Raises ValueError on a non-text query or a bad limit, like
    ``Referential.find_jobs``."""
    ref = referential if referential is not None else Referential.load()
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError("limit must be a positive integer")
    hits = _find_jobs(query, ref, limit, aliases)
    if hits and hits[0].score >= 1.0:
        return hits
    known = title_words(ref)
    readings = []
    if ENGLISH:
        # « kitchen porter », « farm worker »: the French words, as titles and aliases.
        french = english_reader(known.words).translate(query)
        if french is not None:
            readings.append((french, ENGLISH_FACTOR, ENGLISH_WHY))
    if SECTORS and not generic_only(alias_key(query), ref):
        # « carrosserie tôlerie », « coiffure »: the trade's worker (« carrossier »).
        worker = worker_reading(query, known)
        if worker is not None:
            said = SECTOR_WHY.format(query=query.strip()[:60])
            readings.append((worker, SECTOR_FACTOR, said))
    if SPELLING:
        # « serveuze », « conductrise de bus »: a slip by ear on the word's ending.
        text = respelt(query, known.words)
        if text is not None:
            readings.append((text, SPELLING_FACTOR, SPELLING_WHY))
    if SYNONYMS:
        # « conseillère de vente électroménager », « manageur de boutique »: ROME's head.
        for text in synonym_readings(query):
            readings.append((text, SYNONYM_FACTOR, SYNONYM_WHY))
    if not readings:
        return hits
    # Each reading a little less sure than the same words typed; best confidence per code.
    merged = {h.rome_code: h for h in hits}
    for text, factor, said in readings:
        for hit in _find_jobs(text, ref, limit, aliases):
            # Squeezed under 0.9 like the spans: a reading names a job for ``find_jobs``, never
            # the job-name signal of ``suggest_jobs`` (« équilibrage » reads « Équilibriste »).
            score = round(squeeze(hit.score * factor), 4)
            current = merged.get(hit.rome_code)
            if current is None or score > current.score:
                merged[hit.rome_code] = replace(hit, score=score, why=f"{said} — {hit.why}")
    ranked = sorted(merged.values(), key=lambda h: -h.score)  # stable: each list's order kept
    return ranked[:limit]


def _find_jobs(
    query: str, ref: Referential, limit: int, aliases: JobAliases | None
) -> list[JobHit]:
    """``find_jobs`` on the words as typed (no translation)."""
    # More title hits than shown: equal confidences are re-ordered below.
    title_hits = ref.find_jobs(query, limit=max(limit, TITLE_HITS))  # validates the query
    if isinstance(query, str) and _ROME_CODE.match(query):
        return title_hits[:limit]
    table = aliases if aliases is not None else default_aliases()
    key = alias_key(query)
    exact = table.exact(key) if key else None
    sure = 1.0  # how close the query is to the alias found (1: the same words)
    if exact is None and key and TYPO_ALIASES and not (title_hits and title_hits[0].score >= 1.0):
        # « plongeus », « aide soignnate »: the curated words, mistyped.
        typo = table.close(key)
        if typo is not None:
            exact, sure = typo
    inside = table.inside_keys(key) if exact is None and key else []
    place = workplace_in(inside, key, title_words(ref)) if inside else None
    if SPANS and exact is None and not (title_hits and title_hits[0].score >= 1.0):
        # « je cherche un poste de serveur », « cariste caces 3 »: the job inside the words.
        # A curated alias inside the query (« infirmier de nuit », « dev python ») says what
        # people mean by its words better than a title read on part of them: spans go under.
        # A workplace (« cuisinière en ehpad ») says where: its trades go under a specific
        # job word (``workplaces``), the spans under a generic one (« ouvrier d'usine »).
        jobs_inside = [e for _w, e in inside if not is_workplace(e)]
        under = jobs_inside or (place is not None and not place.job_word)
        cap = PARTIAL_ALIAS_CONFIDENCE - 0.01 if under else 1.0
        spans = span_hits(query, ref, max(limit, TITLE_HITS), _FILLERS, cap)
        title_hits = merge_spans(title_hits, spans, max(limit, TITLE_HITS))
    hits: dict[str, JobHit] = {}

    def add(code: str, confidence: float, matched: str, why: str) -> None:
        job = ref.job(code)
        if job is not None and code not in hits:
            hits[code] = JobHit(code, job.label, matched, round(confidence, 4), why)

    if exact is not None:
        codes, why = exact
        for i, code in enumerate(codes):
            add(code, (ALIAS_CONFIDENCE - ALIAS_STEP * i) * sure, query.strip(), why)
    # ROME titles. Next to an exact alias, a title the query is only part of is a close match
    # ("serveuse" → "Administrateur de serveurs", "plongeur" → "Scaphandrier"): the alias says
    # what people mean by the word. Otherwise a strong title hit stays above a partial alias.
    titles = [
        (hit, hit.score if exact is None or hit.score >= 1.0 else min(hit.score, CLOSE_ONLY))
        for hit in title_hits
    ]
    if exact is None and _bare_town(query, ref) is not None:
        # "Tours" is first the town: a fuzzy title hit is a question, not an answer.
        titles = [(hit, c if c >= 1.0 else min(c, CLOSE_ONLY)) for hit, c in titles]
    if exact is None and (generic_only(key, ref) or vague(key)):
        # "gestion", "équipe", "client": words of most fiches, the title hits are a guess; so
        # are they for a query of fillers only ("travail", "un emploi", "cdi") or one short
        # word matched inside a longer title ("non" → "non-conformité").
        titles = [(hit, c if c >= 1.0 and key else min(c, CLOSE_ONLY)) for hit, c in titles]
    for hit, confidence in titles:
        if confidence >= PARTIAL_ALIAS_CONFIDENCE:
            add(hit.rome_code, confidence, hit.matched_title, f"titre ROME : {hit.matched_title}")
    aside = place is not None and place.job_word  # the workplace's trades: close matches
    for _words, (codes, why) in inside:
        if not (aside and is_workplace((codes, why))):
            for i, code in enumerate(codes):
                add(code, PARTIAL_ALIAS_CONFIDENCE - ALIAS_STEP * i, query.strip(), why)
    for hit, confidence in titles:
        if hits:  # below the sure hits: a weaker title hit is at most a close match
            confidence = min(confidence, min(h.score for h in hits.values()) - 0.01)
        add(hit.rome_code, confidence, hit.matched_title, f"titre ROME : {hit.matched_title}")
    if aside and place is not None:
        where = workplace_why(inside)
        floor = min((h.score for h in hits.values()), default=1.0)  # under the job read
        for i, code in enumerate(place.codes):
            add(code, min(CLOSE_ONLY, floor - 0.01) - ALIAS_STEP * i, query.strip(), where)
    if (
        ACRONYMS
        and exact is None
        and not any(h.score >= FIND_JOBS_THRESHOLD for h in hits.values())
    ):
        # « EJE », « ELS »: a title's initials, as close matches (initials are often ambiguous).
        for code, confidence, title in acronym_hits(query, ref, _FILLERS, limit):
            add(code, confidence, title, f"sigle : initiales de « {title} »")
    if not any(h.score >= FIND_JOBS_THRESHOLD for h in hits.values()):
        for code, confidence in _fulltext_hits(ref, query, limit):
            add(code, confidence, query.strip(), "mots présents dans la fiche métier")
    # Equal confidences (several titles read the same: « gestionnaire de stock » is a title
    # of the accountant and of the storekeeper at 0.93) are told apart by the fiches' full
    # text (BM25 of the query), then by code.
    agreed = agreement(place, inside, [(h.rome_code, h.score) for h in title_hits])
    if agreed & hits.keys():
        # « équipier mcdo », « vendeuse supermarché »: a job the words read that the workplace
        # also names is the one meant — it joins the best confidence and wins its ties.
        top = max(h.score for h in hits.values())
        for code in agreed & hits.keys():
            hits[code] = replace(hits[code], score=max(hits[code].score, top))
    text = _text_scores(ref, query) if _has_ties(hits.values()) else {}
    ranked = sorted(
        hits.values(),
        key=lambda h: (
            -h.score,
            h.rome_code not in agreed,
            -text.get(h.rome_code, 0.0),
            h.rome_code,
        ),
    )
    return [replace(h, score=max(0.0, h.score)) for h in ranked[:limit]]


# A one-word query this short names a job only as an alias ("AS", "IDE") or a whole title.
SHORT_WORD = 3


def vague(key: tuple[str, ...]) -> bool:
    """Whether a query's alias key names nothing by itself: empty once fillers and stop words
    are gone, or one word of at most ``SHORT_WORD`` letters."""
    return not key or (len(key) == 1 and len(key[0]) <= SHORT_WORD)


_title_heads: dict[int, frozenset[str]] = {}


def generic_only(key: tuple[str, ...], ref: Referential) -> bool:
    """Whether every word of an alias key is generic: used in at least ``GENERIC_SHARE`` of the
    fiches' full text and no ROME title starts with it ("gestion d'équipe", "client")."""
    if not key:
        return False
    heads = _title_heads.get(id(ref))
    if heads is None:
        heads = frozenset(
            words[0]
            for job in ref.jobs()
            for title in (job.label, *job.titles)
            if (words := alias_key(title))
        )
        _title_heads[id(ref)] = heads
    index = fulltext_for(ref)
    floor = GENERIC_SHARE * len(index.codes)
    for word in key:
        terms = text_terms(word)
        if word in heads or not terms:
            return False
        if any(len(index.postings.get(term, ())) < floor for term in terms):
            return False
    return True


def _has_ties(hits: Iterable[JobHit]) -> bool:
    scores = [h.score for h in hits]
    return len(scores) != len(set(scores))


def _text_scores(ref: Referential, query: str) -> dict[str, float]:
    terms = text_terms(query[: MAX_QUERY_CHARS * 2])
    return fulltext_for(ref).scores((t, 1.0) for t in terms) if terms else {}


def _fulltext_hits(ref: Referential, query: str, limit: int) -> list[tuple[str, float]]:
    terms = text_terms(query[: MAX_QUERY_CHARS * 2])
    if not terms:
        return []
    index = fulltext_for(ref)
    scores = index.scores((t, 1.0) for t in terms)
    top = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    if not top or top[0][1] <= 0:
        return []
    best = top[0][1]
    return [(code, FULLTEXT_CONFIDENCE * score / best) for code, score in top]


def is_alias(query: str) -> bool:
    """Whether the curated alias table knows these words exactly ("plongeur", "ehpad"): then
    ``find_jobs`` says what job seekers mean by them, better than any title look-alike."""
    if not isinstance(query, str):
        return False
    key = alias_key(query)
    return bool(key) and default_aliases().exact(key) is not None


def is_recognised(hits: list[JobHit]) -> bool:
    """Whether the best hit is a recognised job (else: say so, offer close matches)."""
    return bool(hits) and hits[0].score >= FIND_JOBS_THRESHOLD


def _bare_town(query: str, ref: Referential) -> Place | None:
    """The commune whose name the query is, exactly (accents and case aside), else None."""
    text = normalize(query, MAX_QUERY_CHARS)
    # The exact-name set first: the fuzzy place search only ever confirms a name in it, and
    # it runs for every short phrase of a profile (~2 ms a new word).
    if not text or text.isdigit() or not ref.has_place_named(text):
        return None
    places = ref.find_places(query[: MAX_QUERY_CHARS * 2], limit=1)
    if not places or normalize(places[0].name, MAX_QUERY_CHARS) != text:
        return None
    return places[0]


def town_or_job(query: str, referential: Referential | None = None) -> Place | None:
    """The town a bare town name designates when the name also reads as a ROME title closely
    enough to be taken for a job ("Tours" → Régleur sur tour, 0.9): the caller asks which one
    the person means. None for anything else — a town that reads as no job ("Paris": just a
    place, see ``looks_like_place``), an exact title ("Marin"), an alias, a non-town."""
    if not isinstance(query, str):
        return None
    ref = referential if referential is not None else Referential.load()
    if default_aliases().exact(alias_key(query)) is not None:
        return None
    town = _bare_town(query, ref)
    if town is None:
        return None
    try:
        titles = ref.find_jobs(query, limit=1)
    except ValueError:
        return None
    if not titles or not FIND_JOBS_THRESHOLD <= titles[0].score < 1.0:
        return None
    return town


def looks_like_place(query: str, referential: Referential | None = None) -> Place | None:
    """The commune a job-step answer names ("Paris", "lyon 3e", "13001"), or None when it is no
    place or also a recognised job title (a job wins: "Vendeuse" stays a job)."""
    if not isinstance(query, str):
        return None
    text = normalize(query, MAX_QUERY_CHARS)
    if not text:
        return None
    ref = referential if referential is not None else Referential.load()
    places = ref.find_places(query[: MAX_QUERY_CHARS * 2], limit=1)
    if not places:
        return None
    place = places[0]
    by_code = text.isdigit() and len(text) == 5
    if not by_code and normalize(place.name, MAX_QUERY_CHARS) != text:
        return None
    if not by_code:
        jobs = find_jobs(query, ref, limit=1)
        if jobs and jobs[0].score >= 0.9:
            return None
    return place
