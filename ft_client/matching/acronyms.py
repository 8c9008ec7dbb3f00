"""Acronyms read from ROME titles themselves: « EJE » → Educateur de jeunes enfants, « ELS » →
Employé de libre-service, « CIP » → Conseiller en insertion professionnelle.

Job seekers type the initials of a title; ROME writes the title in full. Every title variant
(masculine and feminine, label and appellations) gives the initials of its content words
(« Educatrice de jeunes enfants » → « eje »), so a one-word query of 3 to 5 capitals that
matches no title well can be read as those initials.

Initials are often ambiguous and sometimes accidental (« cqp » is also « Commis de quai
portuaire »), so only a query typed in capitals is read so (« cv », « ok » are words), and
its hits are close matches only, never recognised: the person sees « Vouliez-vous dire… »
and picks. Fiches reached by more title variants come first, then the
broader fiche (``breadth_prior``), then the code. Derived from the bundled referential only.
"""

from __future__ import annotations

import re

from ft_client.matching.breadth import breadth_prior
from ft_client.referential import Referential, title_variants
from ft_client.textnorm import MAX_QUERY_CHARS, STOPWORDS, normalize

# Below the recognition threshold (0.75) and the title hits a one-word query gets there.
ACRONYM_CONFIDENCE = 0.72
ACRONYM_STEP = 0.01
# Two letters are too ambiguous (« AS » reads 46 fiches' titles).
MIN_LETTERS = 3
MAX_LETTERS = 5
_PARENTHESES = re.compile(r"\([^)]*\)")

_indexes: dict[int, dict[str, dict[str, tuple[int, str]]]] = {}


def acronym_index(referential: Referential) -> dict[str, dict[str, tuple[int, str]]]:
    """Initials → fiche code → (how many of its title variants give them, the first one)."""
    cached = _indexes.get(id(referential))
    if cached is not None:
        return cached
    index: dict[str, dict[str, tuple[int, str]]] = {}
    for job in referential.jobs():
        seen: set[str] = set()
        for title in (job.label, *job.titles):
            for variant in title_variants(_PARENTHESES.sub(" ", title))[:2]:
                words = [w for w in normalize(variant, 400).split() if w not in STOPWORDS]
                if not MIN_LETTERS <= len(words) <= MAX_LETTERS or variant in seen:
                    continue
                seen.add(variant)
                initials = "".join(w[0] for w in words)
                if initials.isalpha():
                    counts = index.setdefault(initials, {})
                    count, first = counts.get(job.code, (0, " ".join(variant.split())))
                    counts[job.code] = (count + 1, first)
    _indexes[id(referential)] = index
    return index


def acronym_hits(
    query: str, referential: Referential, fillers: frozenset[str], limit: int
) -> list[tuple[str, float, str]]:
    """(code, confidence, title) for a one-word query read as a title's initials, best
    first."""
    typed = query.strip()
    text = normalize(typed, MAX_QUERY_CHARS)
    if (
        not typed.isupper()  # « EJE » typed as initials; « cv », « ok », « lol » are words
        or not MIN_LETTERS <= len(text) <= MAX_LETTERS
        or not text.isalpha()
        or text in fillers
        or text in STOPWORDS
    ):
        return []
    counts = acronym_index(referential).get(text)
    if not counts:
        return []
    prior = breadth_prior(referential)
    ranked = sorted(
        counts.items(), key=lambda item: (-item[1][0], -prior.get(item[0], 0.0), item[0])
    )
    return [
        (code, round(ACRONYM_CONFIDENCE - ACRONYM_STEP * i, 4), title)
        for i, (code, (_count, title)) in enumerate(ranked[:limit])
    ]
