"""French spelling slips on job titles: « serveuze », « vendeuze », « opératrisse »,
« conductrise de bus », « secrétère », « agent d'entretient ».

The title index forgives a letter or two (``FuzzyTokenIndex``), but a slip on a feminine
ending lands far from the masculine form the index keeps (« serveuze » reads « serveur » at
0.72, « conductrise » « conducteur » at 0.5): the ending is what the slip changed. A few
rewrites of how French is misspelt by ear (z for s between vowels, -trisse / -trise for
-trice, -ère for -aire, a double consonant or a single one, a silent final t, -ié for -ier,
-iene for -ienne, -eure for -eur) are tried on each word of 5+
letters that no ROME title uses; a word is replaced when a rewrite gives one that titles use
(the bundled vocabulary decides, no word list). ``find_jobs`` reads the respelt words at a small
discount.
"""

from __future__ import annotations

import re

from ft_client.textnorm import MAX_QUERY_CHARS, STOPWORDS, canonical_word, normalize

# (pattern on one normalised word, replacement): slips by ear, each tried alone, then all.
REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(?<=[aeiouy])z(?=[aeiouy])", "s"),  # serveuze → serveuse
        (r"tri(?:ss|s|c)e$", "trice"),  # opératrisse, conductrise → -trice
        (r"(?<=[^aeiou])ere$", "aire"),  # secrétère → secrétaire
        (r"([bcdfglmnprst])\1", r"\1"),  # auxilliaire → auxiliaire
        (r"ient$", "ien"),  # entretient → entretien
        (r"(?<=[aeiou])s(?=[aeiou])", "ss"),  # asistante → assistante
        (r"(?<=[^aeiou])ie$", "ier"),  # plombié → plombier
        (r"iene$", "ienne"),  # gardiene → gardienne
        (r"eure$", "eur"),  # chauffeure → chauffeur
    )
)
MIN_LETTERS = 5


def respell(word: str, vocabulary: frozenset[str]) -> str | None:
    """A normalised word rewritten so that ROME titles use it (canonical form in
    ``vocabulary``), or None when it is known already or no rewrite helps."""
    if len(word) < MIN_LETTERS or word.isdigit() or canonical_word(word) in vocabulary:
        return None
    candidates = [pattern.sub(replacement, word) for pattern, replacement in REWRITES]
    combined = word
    for pattern, replacement in REWRITES:
        combined = pattern.sub(replacement, combined)
    for candidate in [*candidates, combined]:
        if candidate != word and canonical_word(candidate) in vocabulary:
            return candidate
    return None


def respelt(query: str, vocabulary: frozenset[str]) -> str | None:
    """The query with its slips rewritten, or None when no word changes."""
    words = normalize(query, MAX_QUERY_CHARS).split()
    out = [w if w in STOPWORDS else (respell(w, vocabulary) or w) for w in words]
    return " ".join(out) if out != words else None
