"""Text normalisation shared by the referential lookups and the matching engine.

Everything user-typed goes through :func:`normalize` (cut, case, accents, punctuation, control
characters) and then :func:`tokens`, which maps words to a canonical form so that masculine and
feminine job titles, plurals and a few common abbreviations meet on the same token.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

# Inputs longer than this are cut before any work: a job title or a town never needs more, and
# fuzzy matching cost grows with length.
MAX_QUERY_CHARS = 120
# A skill phrase may be a little longer (skills lists pasted from a CV line).
MAX_PHRASE_CHARS = 200

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "’": "'"})
# "assistant(e)", "aide-soignant(e)s", "employé(e)": inclusive suffixes written in parentheses
# or with a middle dot ("salarié·e") are dropped, which leaves the masculine form.
_INCLUSIVE_SUFFIX = re.compile(
    r"\((?:e|es|ne|nes|se|ses|euse|rice|ice|ère|ere|le)\)|[·.](?:e|es)\b"
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# "15e", "1er", "15ème", "3eme", "2nd": ordinal suffixes of arrondissement numbers.
_ORDINAL = re.compile(r"\b(\d{1,2})(?:er|ere|e|eme|em|nd|nde)\b")

STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "d",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "un",
        "une",
        "pour",
        "par",
        "sur",
        "sous",
        "avec",
        "dans",
        "ou",
        "the",
        "of",
        "and",
        "son",
        "sa",
        "ses",
        "leur",
        "leurs",
    ]
)

# Abbreviations seen in job titles and skills typed by users; expanded before stemming.
ABBREVIATIONS: dict[str, str] = {
    "dev": "developpeur",
    "devs": "developpeur",
    "developper": "developpeur",
    "resp": "responsable",
    "respo": "responsable",
    "asst": "assistant",
    "assist": "assistant",
    "agt": "agent",
    "tech": "technicien",
    "techn": "technicien",
    "secr": "secretaire",
    "compta": "comptable",
    "info": "informatique",
    "rh": "ressources humaines",
    "drh": "directeur ressources humaines",
    "pl": "poids lourd",
    "spl": "super poids lourd",
    "vl": "vehicule leger",
    "ide": "infirmier",
    "ash": "agent service hospitalier",
    "avs": "auxiliaire vie",
    "aes": "accompagnant educatif social",
    "atsem": "agent specialise ecole maternelle",
    "chauff": "chauffeur",
    "mecano": "mecanicien",
    "prepa": "preparateur",
    "ope": "operateur",
    "appro": "approvisionnement",
    "admin": "administrateur",
    "commis": "commis",
    "st": "saint",
    "ste": "sainte",
    "mgr": "manager",
    "ceo": "directeur general",
    "cto": "directeur technique",
}

# Irregular noun → verb pairs, frequent when users describe skills with nouns ("prise de
# commande") while ROME 4.0 labels use verbs ("Prendre une commande client").
_IRREGULAR = {
    "prise": "prendre",
    "gestion": "gerer",
    "vente": "vendre",
    "conduite": "conduire",
    "conception": "concevoir",
    "production": "produire",
    "lecture": "lire",
    "suivi": "suivre",
    "mise": "mettre",
    "service": "servir",
    "redaction": "rediger",
    "entretien": "entretenir",
    "soin": "soigner",
    "soins": "soigner",
    "aide": "aider",
    "tenue": "tenir",
    "ecriture": "ecrire",
    "traduction": "traduire",
    "construction": "construire",
    "accueil": "accueillir",
    "reception": "receptionner",
    "livraison": "livrer",
    "montage": "monter",
    "reparation": "reparer",
    "nettoyage": "nettoyer",
    "encaissement": "encaisser",
    "preparation": "preparer",
    "animation": "animer",
    "coiffure": "coiffer",
    "cuisine": "cuisiner",
    "cuisson": "cuire",
}

# Feminine → masculine endings, longest first; applied to words of at least `min_len` letters.
_FEMININE_ENDINGS: tuple[tuple[str, str, int], ...] = (
    ("trice", "teur", 6),
    ("euse", "eur", 5),
    ("ienne", "ien", 6),
    ("ionne", "ion", 6),
    ("iere", "ier", 5),
    ("elle", "el", 6),
    ("ante", "ant", 6),
    ("ente", "ent", 6),
    ("ive", "if", 5),
    ("ffe", "f", 5),
    ("ee", "e", 4),
    ("ere", "er", 6),
    ("ale", "al", 6),
)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def normalize(text: str, max_chars: int = MAX_QUERY_CHARS) -> str:
    """Lower case, no accents, no punctuation or control characters, single spaces; cut first."""
    if not isinstance(text, str):
        return ""
    text = text[: max_chars * 2].translate(_LIGATURES).lower()
    text = _INCLUSIVE_SUFFIX.sub("", text)
    text = strip_accents(text)
    text = _NON_ALNUM.sub(" ", text)
    text = _ORDINAL.sub(r"\1", text)
    return " ".join(text.split())[:max_chars].strip()


@lru_cache(maxsize=65536)
def canonical_word(word: str) -> str:
    """One normalised word → its canonical token (plural and feminine folded onto the masculine)."""
    if word.isdigit() or len(word) <= 3:
        return word
    if word.endswith(("s", "x")) and not word.endswith(("ss", "us", "is")) and len(word) > 4:
        word = word[:-1]
    for ending, replacement, min_len in _FEMININE_ENDINGS:
        if len(word) >= min_len and word.endswith(ending):
            return word[: -len(ending)] + replacement
    return word


@lru_cache(maxsize=65536)
def tokens(text: str, max_chars: int = MAX_QUERY_CHARS) -> tuple[str, ...]:
    """Canonical content tokens of a text, in order, without duplicates or stop words."""
    seen: dict[str, None] = {}
    for word in normalize(text, max_chars).split():
        for part in ABBREVIATIONS.get(word, word).split():
            if part in STOPWORDS:
                continue
            seen.setdefault(canonical_word(part), None)
    return tuple(seen)


def stem(token: str) -> str:
    """A light stem for skill phrases: irregular verb pairs, then the first 6 letters.

    Verb and noun forms of a skill ("encaissement" / "encaisser", "préparation" / "préparer")
    share their first letters in French; cutting at 6 merges them without a dictionary.
    """
    token = _IRREGULAR.get(token, token)
    return token if token.isdigit() else token[:6]


@lru_cache(maxsize=65536)
def skill_stems(text: str) -> tuple[str, ...]:
    """Stems of a skill phrase (user's words or a referential/offer label), without duplicates."""
    seen: dict[str, None] = {}
    for token in tokens(text, MAX_PHRASE_CHARS):
        if len(token) < 2:
            continue
        seen.setdefault(stem(token), None)
    return tuple(seen)


class LengthBands:
    """The words of a vocabulary that can reach a ``fuzz.ratio`` cutoff with a word of a given
    length, in the vocabulary's order: ``rapidfuzz`` then scores a third to a half fewer words
    for the same result (the ones left out score under the cutoff whatever their letters).

    ``fuzz.ratio`` is 100 × (1 − d / (a + b)) with an Indel distance d ≥ |a − b| for lengths a
    and b, so a word can reach ``cutoff`` only when 200 × min(a, b) ≥ cutoff × (a + b); half a
    point of margin keeps float rounding on the safe side (a word too many is only scored).
    The kept words stay in order, so ``process.extract``'s ties (broken by position) and
    ``extractOne``'s first best are those of the whole vocabulary."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = words
        self.lengths = sorted({len(w) for w in words})
        self._bands: dict[tuple[int, int], list[str]] = {}

    def within(self, length: int, cutoff: float) -> Sequence[str]:
        """The words of a length that may reach ``cutoff`` against a word of ``length``."""
        allowed = [n for n in self.lengths if 200 * min(n, length) >= (cutoff - 0.5) * (n + length)]
        if not allowed:
            return ()
        key = (allowed[0], allowed[-1])  # a range: the bound rises up to ``length``, then falls
        band = self._bands.get(key)
        if band is None:
            low, high = key
            band = [w for w in self.words if low <= len(w) <= high]
            self._bands[key] = band
        return band


class FuzzyTokenIndex:
    """An inverted index over token tuples with typo-tolerant token look-up (rapidfuzz.process).

    ``search`` scores each document by how much of the query it covers (most of the score) and
    how much of itself the query covers (prefers "Serveur" to "Serveur de banquet" for
    "serveur"). Only documents sharing a (fuzzily) matching token are scored, which keeps a
    look-up well under a millisecond on the 30 000 job titles.
    """

    def __init__(self, docs: list[tuple[str, ...]], doc_lengths: list[int] | None = None) -> None:
        postings: dict[str, list[int]] = {}
        for doc_id, doc in enumerate(docs):
            for token in doc:
                postings.setdefault(token, []).append(doc_id)
        self.docs = docs
        self.postings = postings
        self.vocabulary = sorted(postings)
        self.doc_lengths = doc_lengths or [max(1, len(doc)) for doc in docs]
        self._matches: dict[str, tuple[tuple[str, float], ...]] = {}
        self.bands = LengthBands(self.vocabulary)

    def token_matches(self, token: str) -> tuple[tuple[str, float], ...]:
        """Vocabulary tokens close to ``token``: exact 1.0, prefix 0.85–0.9, typo ≤ 0.9."""
        cached = self._matches.get(token)
        if cached is not None:
            return cached
        found: dict[str, float] = {}
        if token in self.postings:
            found[token] = 1.0
        if not token.isdigit() and len(token) >= 3:
            start = bisect_left(self.vocabulary, token)
            prefix_sim = 0.85 if len(token) >= 5 else 0.8
            for candidate in self.vocabulary[start : start + 40]:
                if not candidate.startswith(token):
                    break
                found.setdefault(candidate, prefix_sim)
        if not token.isdigit() and len(token) >= 4:
            cutoff = 80 if len(token) >= 6 else 75
            choices = self.bands.within(len(token), cutoff)
            for candidate, score, _ in process.extract(
                token, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=6
            ):
                sim = 0.9 * score / 100
                if sim > found.get(candidate, 0.0):
                    found[candidate] = sim
        result = tuple(found.items())
        if len(self._matches) < 100_000:
            self._matches[token] = result
        return result

    def search(self, query: tuple[str, ...]) -> dict[int, float]:
        """Document id → score in [0, 1] for documents matching at least one query token."""
        if not query:
            return {}
        per_token: list[dict[int, float]] = []
        for token in query:
            best: dict[int, float] = {}
            for candidate, sim in self.token_matches(token):
                for doc_id in self.postings[candidate]:
                    if sim > best.get(doc_id, 0.0):
                        best[doc_id] = sim
            per_token.append(best)
        matched = [best for best in per_token if best]
        if not matched:
            return {}
        # Documents matching every matchable token when there are some; else any.
        smallest = min(matched, key=len)
        candidates = [d for d in smallest if all(d in best for best in matched)]
        if not candidates:
            candidates = list({d for best in matched for d in best})
        n = len(query)
        scores: dict[int, float] = {}
        for doc_id in candidates:
            total = 0.0
            for best in per_token:
                total += best.get(doc_id, 0.0)
            coverage_of_doc = min(1.0, total / self.doc_lengths[doc_id])
            scores[doc_id] = 0.8 * total / n + 0.2 * coverage_of_doc
        return scores
