"""A trade or sector named by its activity noun: « carrosserie tôlerie », « coiffure »,
« plomberie », « maçonnerie », « soudure », « électronique ».

People often answer the job question with what they do or the trade's name rather than the
worker's title; ROME titles name the worker (« Carrossier », « Coiffeur », « Plombier »). French
derives one from the other with a few suffixes (-erie → -ier / -er, -ure → -eur, -age → -eur,
-ique → -icien, -ie → -ien / -e / -eute, -ité → -ien / -ble, -tion → -teur, -isme → -iste), so
each word of the query that starts no ROME title is given the first derived form that does
(a title head of the bundled referential: nothing is listed by hand), and ``find_jobs`` reads
the derived words at a small discount. Only short queries (up to ``MAX_WORDS``) whose every
content word derives so, and none already starts a title, are read so (« agent logistique »
keeps its words); nor a query of generic words (« gestion »: ``jobs.generic_only``).
"""

from __future__ import annotations

from ft_client.matching.job_spans import TitleWords
from ft_client.textnorm import MAX_QUERY_CHARS, STOPWORDS, canonical_word, normalize

# Activity-noun suffix → worker-noun suffixes, tried in this order (longest suffix first).
SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nnerie", ("n", "nnier")),  # maçonnerie → maçon, poissonnerie → poissonnier
    ("erie", ("ier", "er", "eur")),  # carrosserie → carrossier, boulangerie → boulanger
    ("ure", ("eur", "ier", "e")),  # coiffure → coiffeur, couture → couturier, peinture → peintre
    ("age", ("eur", "ier", "iste")),  # soudage → soudeur, jardinage → jardinier
    ("ique", ("icien", "iste", "e")),  # électronique → électronicien
    ("bilite", ("ble",)),  # comptabilité → comptable
    ("ariat", ("aire",)),  # secrétariat → secrétaire
    ("ite", ("ien", "e")),  # électricité → électricien
    ("tion", ("teur", "tionniste", "tionnaire")),  # animation → animateur
    ("isme", ("iste",)),  # journalisme → journaliste
    ("ie", ("ien", "e", "eute", "ue")),  # pharmacie → pharmacien, kinésithérapie → -eute
)
MIN_STEM = 3  # letters left before the suffix
MAX_WORDS = 3  # a trade's name is short (« carrosserie tôlerie », « plomberie chauffage »)


def worker_noun(word: str, known: TitleWords) -> str | None:
    """The worker noun a normalised activity noun derives to, when a ROME title starts with
    it (« carrosserie » → « carrossier »), else None."""
    for suffix, replacements in SUFFIXES:
        if len(word) - len(suffix) >= MIN_STEM and word.endswith(suffix):
            stem = word[: -len(suffix)]
            for replacement in replacements:
                derived = stem + replacement
                if canonical_word(derived) in known.heads:
                    return derived
            return None
    return None


def worker_reading(query: str, known: TitleWords) -> str | None:
    """The query with its activity nouns read as worker nouns (« carrosserie tolerie » →
    « carrossier tolier »), or None unless every content word derives and none already
    starts a title (« pompiste station autoroute » is no « stationnaire »)."""
    words = normalize(query, MAX_QUERY_CHARS).split()
    content = [w for w in words if w not in STOPWORDS]
    if not content or len(content) > MAX_WORDS:
        return None
    if any(known.starts_title(canonical_word(w)) for w in content):
        return None
    derived = {w: worker_noun(w, known) for w in content}
    if not all(derived.values()):
        return None
    return " ".join(derived.get(w) or w for w in words)
