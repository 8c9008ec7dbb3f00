"""The job inside a longer answer: « je cherche un poste de serveur », « cariste caces 3 »,
« infirmier de nuit », « vendeuse expérimentée en CDI ».

ROME titles are matched on every word of a query, so words around the job name (a preamble,
a contract, a qualification, a shift, a town) pull the title score down, often under the
recognition threshold, and sometimes onto a title that happens to contain the extra word. Here
the query is also read as each of its contiguous word spans that start with a word some ROME
title starts with (« serveur », « cariste », « infirmier »); a span's title hits keep their
score times a penalty for each content word left out:

- a filler (« poste », « cdi », « h/f », « junior »…, ``jobs._FILLERS``) or a stop word: free;
- a word no ROME title uses (« cherche », « caces », « mcdo »): ``OTHER_WORD_PENALTY``;
- a word ROME titles use (« nuit », « terrain », « restaurant »): it may name the specialty
  the person means, so ``TITLE_WORD_PENALTY``.

General by construction: the heads and the title vocabulary come from the bundled referential,
no list of jobs or phrases. A span must start with a title head, so a sentence with no job
word in it (« la recette des crêpes », « je suis fatigué ») gains nothing.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace

from ft_client.matching.fulltext import fulltext_for, text_terms
from ft_client.referential import JobHit, Referential
from ft_client.textnorm import MAX_QUERY_CHARS, normalize, tokens

# Chosen on dev queries wrapped in sentences (template group X), read on other wordings (Y),
# with the 46 negatives: docs/matching-measurements.md, seventh pass.
OTHER_WORD_PENALTY = 0.95
TITLE_WORD_PENALTY = 0.9
ABSENT_WORD_PENALTY = 0.8
# A job read on part of the words is less sure than a whole title: span scores above
# ``SQUEEZE_FROM`` are squeezed linearly into [SQUEEZE_FROM, SPAN_CAP], order kept, just under
# the 0.9 at which ``suggest_jobs`` takes a short phrase for a job name
# (``suggest.TITLE_CONFIDENCE``: span hits reaching it moved the synthetic profiles under
# their floor and dev set 2's down; a hard cap at 0.89 tied them and lost their order).
SPAN_CAP = 0.89
SQUEEZE_FROM = 0.8
# Spans are tried only for queries of at most this many content words (a pasted paragraph is no
# job title; it keeps the whole-query reading).
MAX_WORDS = 8
# A clipped word (« kiné », « anim », « manut », « prépa ») of this many letters or more may
# start a span when a title head begins with it; the title look-up reads it as a prefix.
CLIPPED_MIN = 4
CLIPPED_MIN_DROPPED = 2
# At most this many content words may be left out (« je souhaite travailler comme serveur »).
MAX_DROPPED = 4


class TitleWords:
    """The canonical words ROME titles use, and those a title starts with (masculine and
    feminine forms, label and appellations), for one referential."""

    def __init__(self, referential: Referential) -> None:
        heads: dict[str, set[str]] = {}
        words: set[str] = set()
        for job in referential.jobs():
            for title in (job.label, *job.titles):
                for variant in title.split(" / "):
                    found = tokens(variant)
                    if found:
                        heads.setdefault(found[0], set()).add(job.code)
                        words.update(found)
        self.heads = frozenset(heads)
        # How many fiches have a title starting with each head (« ouvrier » 77, « boucher » 2).
        self.head_fiches = {head: len(codes) for head, codes in heads.items()}
        self.words = frozenset(words)
        self._sorted_heads = sorted(heads)

    def starts_title(self, word: str) -> bool:
        """Whether some ROME title starts with ``word`` or, clipped (« kiné », « anim »,
        « manut »: ``CLIPPED_MIN`` letters or more, no title word itself), with a word it
        begins."""
        if word in self.heads:
            return True
        if len(word) < CLIPPED_MIN or word.isdigit() or word in self.words:
            # A whole title word (« magasin ») is no clipped « magasinier ».
            return False
        # A clip drops a syllable or more: « script » is no clipped « scripte » (one letter is
        # a gender or a typo, read elsewhere), so a head must be at least 2 letters longer.
        at = bisect_left(self._sorted_heads, word)
        while at < len(self._sorted_heads) and self._sorted_heads[at].startswith(word):
            if len(self._sorted_heads[at]) >= len(word) + CLIPPED_MIN_DROPPED:
                return True
            at += 1
        return False


_title_words: dict[int, TitleWords] = {}


def title_words(referential: Referential) -> TitleWords:
    cached = _title_words.get(id(referential))
    if cached is None:
        cached = _title_words[id(referential)] = TitleWords(referential)
    return cached


def squeeze(score: float) -> float:
    """``score`` above ``SQUEEZE_FROM`` mapped linearly onto [SQUEEZE_FROM, SPAN_CAP]."""
    if score <= SQUEEZE_FROM:
        return score
    return SQUEEZE_FROM + (score - SQUEEZE_FROM) * (SPAN_CAP - SQUEEZE_FROM) / (1 - SQUEEZE_FROM)


_fiches_using: dict[tuple[int, str], frozenset[str]] = {}


def fiches_using(referential: Referential, word: str) -> frozenset[str]:
    """The fiches whose full text (titles, skills, savoirs, contexts) has every term of
    ``word``; cached per word (bounded)."""
    key = (id(referential), word)
    found = _fiches_using.get(key)
    if found is None:
        index = fulltext_for(referential)
        codes: set[str] | None = None
        for term in text_terms(word):
            using = {index.codes[doc] for doc, _weight in index.postings.get(term, ())}
            codes = using if codes is None else codes & using
        found = frozenset(codes or ())
        if len(_fiches_using) >= 20_000:
            _fiches_using.clear()
        _fiches_using[key] = found
    return found


def content_words(query: str, fillers: frozenset[str]) -> tuple[list[str], list[bool]]:
    """The query's canonical words in order (stop words out) and, for each, whether it is a
    filler (free to leave out)."""
    words: list[str] = []
    free: list[bool] = []
    for raw in normalize(query, MAX_QUERY_CHARS).split():
        for word in tokens(raw):  # abbreviations expanded (« dev »), stop words out
            words.append(word)
            free.append(raw in fillers or word in fillers)
    return words, free


def span_hits(
    query: str,
    referential: Referential,
    limit: int,
    fillers: frozenset[str],
    cap: float = 1.0,
) -> dict[str, JobHit]:
    """Best title hit per code over the query's spans that start with a title head (the whole
    query excluded), each hit's score times the penalty of the words left out, at most
    ``cap``."""
    words, free = content_words(query, fillers)
    if not 2 <= len(words) <= MAX_WORDS:
        return {}
    known = title_words(referential)
    best: dict[str, JobHit] = {}
    for start, word in enumerate(words):
        if free[start] or not known.starts_title(word):
            continue
        for end in range(len(words), start, -1):
            if end - start == len(words):
                continue  # the whole query: read as it is by the caller
            left_out = [
                words[i]
                for i in [*range(start), *range(end, len(words))]
                if not free[i] and not words[i].isdigit()
            ]
            if len(left_out) > MAX_DROPPED:
                continue
            factor = OTHER_WORD_PENALTY ** sum(w not in known.words for w in left_out)
            specifics = [w for w in left_out if w in known.words]
            for hit in referential.find_jobs(" ".join(words[start:end]), limit):
                score = hit.score * factor
                for left in specifics:
                    # « infirmier de nuit »: nights are in the nurse's fiche, a mild penalty;
                    # « manager de magasin » → Yield manager: no shop there, a strong one.
                    inside = hit.rome_code in fiches_using(referential, left)
                    score *= TITLE_WORD_PENALTY if inside else ABSENT_WORD_PENALTY
                score = round(min(squeeze(score), cap), 4)
                current = best.get(hit.rome_code)
                if current is None or score > current.score:
                    best[hit.rome_code] = replace(hit, score=score)
    return best


def merge_spans(hits: list[JobHit], spans: dict[str, JobHit], limit: int) -> list[JobHit]:
    """The whole query's title hits and the spans', best score per code, best first (ties:
    the whole query's order, then code)."""
    merged: dict[str, tuple[JobHit, int]] = {h.rome_code: (h, i) for i, h in enumerate(hits)}
    for code, hit in spans.items():
        current = merged.get(code)
        if current is None or hit.score > current[0].score:
            merged[code] = (hit, current[1] if current else len(hits))
    ranked = sorted(merged.values(), key=lambda item: (-item[0].score, item[1], item[0].rome_code))
    return [hit for hit, _order in ranked[:limit]]
