"""ROME skills close in meaning to a person's phrase: a weak match the coverage counts.

People name their work in words no ROME skill label shares (« vitrerie grande hauteur »,
« le chaud », « nounou »): the lexical matcher finds no skill, the job's coverage is 0 % and
``suggest_jobs`` leaves the job out (the bot shows no métier at 0 %), even when the full text
and the semantic signal both rank it first. With the semantic index loaded (``warm_up``), for
a phrase whose words reach no ROME skill, a skill of one of the ``NEAREST_FICHES`` fiches
closest to it whose label embedding has a cosine of at least ``SKILL_COSINE`` with the phrase
counts as matched by that phrase, at ``SEMANTIC_SIMILARITY`` — the lowest similarity a
lexical match may have, so a match by meaning never weighs more than a weak match by words.
It is explainable like the others: which phrase met which ROME skill (``SkillMatch.source`` "sens").
It changes the coverage shown (``match_job``, ``suggest_jobs``' score) and so which fiches the
« no 0 % suggestion » rule lets through, not the ranking (``suggest_jobs``' relevance) nor the
offers' skill fit (``rank_offers`` stays on words: no model call in the alert cycles).

The skill rows are those of the shipped semantic index (titles first, then every skill label,
in skill-code order: ``semantic.passages``); the layer switches itself off if the index does
not line up with the referential. Per phrase, the close skills are cached like the semantic
rows (least recently used dropped first); the product runs on at least two rows, padded when
alone, so a cached entry is what a fresh call gives (see ``SemanticIndex.fiche_rows``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ft_client.matching.semantic import PHRASE_CACHE_SIZE, LruCache, SemanticIndex
from ft_client.matching.skills import MATCH_THRESHOLD, PhraseMatcher
from ft_client.referential import Referential

if TYPE_CHECKING:
    import numpy as np

# Cosine (multilingual-e5-small, query side against passage side) from which a skill label is
# close in meaning to a phrase. Chosen on dev set 2's halves (docs/matching-measurements.md,
# fifth pass): 0.85 was best on half A and as good as any on half B; at 0.90 and above the
# layer finds almost nothing; unrelated labels sit around 0.75-0.82.
SKILL_COSINE = 0.85
# The similarity such a match gets: the match threshold itself (weakest accepted match).
SEMANTIC_SIMILARITY = MATCH_THRESHOLD
SOURCE = "sens"
# A phrase's skills by meaning are taken among the fiches it is closest to only.
NEAREST_FICHES = 30


class CloseSkills:
    """Phrase → {skill code: cosine} for the weighted skills (no work contexts) at or above
    ``SKILL_COSINE`` of the ``NEAREST_FICHES`` fiches closest to the phrase, from the semantic
    index's skill rows."""

    def __init__(
        self,
        index: SemanticIndex,
        codes: list[str],
        first_row: int,
        skill_jobs: dict[str, frozenset[str]],
    ) -> None:
        import numpy as np

        self.index = index
        self.codes = codes
        self.skill_jobs = skill_jobs
        self.matrix = index.matrix[first_row:]  # a view: no copy of the 46 MB of skill rows
        self.cache = LruCache(PHRASE_CACHE_SIZE)
        # Fiche (the index's order) → its weighted skills' rows, ascending: the rows a phrase
        # may reach are those of its nearest fiches, read directly instead of testing each of
        # the ~2 700 rows over SKILL_COSINE against the fiches' skill sets.
        by_fiche: dict[str, list[int]] = {}
        for i, code in enumerate(codes):
            for job in skill_jobs.get(code, ()) if code else ():
                by_fiche.setdefault(job, []).append(i)
        self.fiche_skill_rows = [
            np.asarray(by_fiche.get(code, ()), dtype=np.int64) for code in index.codes
        ]

    def per_phrase(self, phrases: Sequence[str]) -> list[dict[str, float]]:
        """For each phrase, the skills close to it in meaning (cached per phrase)."""
        import numpy as np

        found = {p: c for p in dict.fromkeys(phrases) if (c := self.cache.get(p)) is not None}
        missing = [p for p in dict.fromkeys(phrases) if p not in found]
        if missing:
            vectors = self.index.embedder.embed(missing)
            if len(missing) == 1:
                vectors = np.vstack([vectors, np.zeros_like(vectors)])
            sims = vectors @ self.matrix.T
            # Only the skills of the fiches the phrase is closest to (its best title or
            # skill): a word shared by many trades (« ostréiculteur » and the other
            # « -culteur ») must not reach another fiche's skills when its own has none.
            fiches = self.index.fiche_rows(missing)
            for phrase, row, fiche_row in zip(missing, sims, fiches, strict=False):
                order = fiche_row.argsort()[::-1][:NEAREST_FICHES].tolist()
                found[phrase] = close = self.close_in(row, order)  # type: ignore[assignment]
                self.cache.put(phrase, close)  # type: ignore[arg-type]
        return [dict(found[p]) for p in phrases]  # type: ignore[call-overload]

    def close_in(self, row: np.ndarray, near_fiches: list[int]) -> dict[str, float]:
        """Skill code → rounded cosine for the weighted skills of the ``near_fiches`` (index
        positions) whose cosine in ``row`` reaches ``SKILL_COSINE``, in row order (the order a
        scan of every row over the threshold gives)."""
        import numpy as np

        if not near_fiches:
            return {}
        rows = np.unique(np.concatenate([self.fiche_skill_rows[i] for i in near_fiches]))
        codes = self.codes
        return {codes[i]: round(float(row[i]), 4) for i in rows[row[rows] >= SKILL_COSINE].tolist()}


_layers: dict[int, CloseSkills | None] = {}
_lock = threading.Lock()


def close_skills_for(index: SemanticIndex | None, referential: Referential) -> CloseSkills | None:
    """The close-skill layer of a loaded semantic index, or None (no index, or an index whose
    skill rows do not line up with this referential's skill labels)."""
    if index is None:
        return None
    key = id(index)
    if key not in _layers:
        with _lock:
            if key not in _layers:
                _layers[key] = _build(index, referential)
    return _layers[key]


def _build(index: SemanticIndex, referential: Referential) -> CloseSkills | None:
    # The build step embeds every skill code its fiches use, in code order, after the titles.
    all_codes = sorted({s.code for job in referential.jobs() for s in job.skills})
    first = len(index.labels) - len(all_codes)
    if first <= 0:
        return None
    for offset, code in enumerate(all_codes):
        skill = referential.skill(code)
        if skill is None or index.labels[first + offset] != skill.label:
            return None
    weighted = referential.skill_codes_set
    # Contexts are rows too (kept for the fiches' semantic score) but weigh nothing here.
    codes = [code if code in weighted else "" for code in all_codes]
    jobs: dict[str, set[str]] = {}
    for job in referential.jobs():
        for skill in job.skills:
            jobs.setdefault(skill.code, set()).add(job.code)
    return CloseSkills(index, codes, first, {c: frozenset(j) for c, j in jobs.items()})


def semantic_matches(
    matcher: PhraseMatcher, index: SemanticIndex | None, phrases: Sequence[str]
) -> list[dict[str, float]] | None:
    """Per phrase, the weighted skills close to it in meaning; None without the layer. Only
    for phrases whose words reach no ROME skill: next to word matches, the nearest labels by
    meaning were often another part of the trade (« changement des plaquettes de frein » →
    « Techniques de changement de pneus »)."""
    layer = close_skills_for(index, matcher.referential)
    if layer is None or not phrases:
        return None
    unplaced = [p for p in phrases if not matcher.phrase_to_skills(p)]
    if not unplaced:
        return [{} for _ in phrases]
    close = dict(zip(unplaced, layer.per_phrase(unplaced), strict=True))
    return [close.get(p, {}) for p in phrases]
