"""Job seekers' words → ROME wording: a hand-curated query-expansion layer for skill matching.

Users write "toilette des patients", "plaquettes de frein", "mise en rayon"; ROME 4.0 says
"soins d'hygiène", "système de freinage", "approvisionner un rayon".
``ft_client/data/user_vocabulary.json`` maps such phrases (keys) to one or more ROME expressions
(targets). Keys are found in a phrase on canonical tokens (:func:`ft_client.textnorm.tokens`:
accents, case, plurals and feminine forms folded), not on the 6-letter stems, so that
"toiletteur" does not hit the key "toilette"; targets are compared with ROME labels on the light
stems of :func:`ft_client.textnorm.skill_stems`, like any phrase.

:meth:`UserVocabulary.expansions` rewrites a phrase's stems: each key found in the phrase (longest
first, no overlap) is replaced by a target; when a key of several words (or the whole phrase) is
found, the target alone is also offered, since it says what the user meant. The matching engine
scores these rewritings a little below the user's own words and credits them to the user's phrase.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ft_client.textnorm import MAX_PHRASE_CHARS, skill_stems, stem, tokens

VOCABULARY_PATH = Path(__file__).resolve().parent / "data" / "user_vocabulary.json"
# Alternatives kept per key: a key rarely needs more, and each one costs a skill look-up.
MAX_TARGETS = 3
MAX_EXPANSIONS = 6


@dataclass(frozen=True, slots=True)
class VocabularyEntry:
    key: str
    targets: tuple[str, ...]
    family: str


@dataclass(slots=True)
class UserVocabulary:
    """Key tokens → target stems (alternatives), with the readable entries kept for tests."""

    entries: tuple[VocabularyEntry, ...]
    _by_stems: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = field(init=False)
    _max_key_len: int = field(init=False)
    _cache: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = field(init=False)
    _texts: dict[tuple[str, ...], tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        by_stems: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        texts: dict[tuple[str, ...], list[str]] = {}
        for entry in self.entries:
            key = key_tokens(entry.key)
            if not key:
                continue
            known = texts.setdefault(key, [])
            known.extend(t for t in entry.targets if t not in known)
            alternatives = by_stems.setdefault(key, [])
            for target in entry.targets:
                stems = skill_stems(target)
                if stems and stems not in alternatives and len(alternatives) < MAX_TARGETS:
                    alternatives.append(stems)
        self._by_stems = {k: tuple(v) for k, v in by_stems.items() if v}
        self._max_key_len = max((len(k) for k in self._by_stems), default=0)
        self._cache = {}
        self._texts = {k: tuple(v[:MAX_TARGETS]) for k, v in texts.items() if k in self._by_stems}

    def target_texts(self, phrase: str) -> tuple[str, ...]:
        """The ROME wordings of the keys found in a phrase, as written (for full-text search)."""
        found = self.find_keys(key_tokens(phrase))
        return tuple(t for _s, _e, key in found for t in self._texts.get(key, ()))

    @classmethod
    def from_mapping(cls, families: Mapping[str, Mapping[str, Iterable[str]]]) -> UserVocabulary:
        entries = tuple(
            VocabularyEntry(str(key), tuple(str(t) for t in targets), str(family))
            for family, mapping in families.items()
            for key, targets in mapping.items()
        )
        return cls(entries)

    @classmethod
    def load(cls, path: Path | str | None = None) -> UserVocabulary:
        data = json.loads(Path(path or VOCABULARY_PATH).read_text(encoding="utf-8"))
        return cls.from_mapping(data["families"])

    def without(self, keys: Iterable[str]) -> UserVocabulary:
        """A copy without the entries whose key has the same tokens as one of ``keys``."""
        dropped = {key_tokens(k) for k in keys}
        return UserVocabulary(tuple(e for e in self.entries if key_tokens(e.key) not in dropped))

    def __len__(self) -> int:
        return len(self.entries)

    def find_keys(self, words: tuple[str, ...]) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, key tokens) of the keys found in a phrase's tokens: longest first, left
        to right, without overlap."""
        found: list[tuple[int, int, tuple[str, ...]]] = []
        i = 0
        while i < len(words):
            for length in range(min(self._max_key_len, len(words) - i), 0, -1):
                key = words[i : i + length]
                if key in self._by_stems:
                    found.append((i, i + length, key))
                    i += length
                    break
            else:
                i += 1
        return found

    def expansions(self, phrase: str) -> tuple[tuple[str, ...], ...]:
        """Rewritings of a phrase in ROME wording, as stem tuples (empty when no key is found)."""
        words = key_tokens(phrase)
        cached = self._cache.get(words)
        if cached is not None:
            return cached
        found = self.find_keys(words)
        result: dict[tuple[str, ...], None] = {}
        if found:
            n_alternatives = max(len(self._by_stems[key]) for _s, _e, key in found)
            for a in range(n_alternatives):
                rewritten: list[str] = []
                position = 0
                for start, end, key in found:
                    rewritten.extend(stem(w) for w in words[position:start] if len(w) >= 2)
                    alternatives = self._by_stems[key]
                    rewritten.extend(alternatives[min(a, len(alternatives) - 1)])
                    position = end
                rewritten.extend(stem(w) for w in words[position:] if len(w) >= 2)
                result.setdefault(tuple(dict.fromkeys(rewritten)), None)
            # A key of several words, or the whole phrase, says what the user meant by itself.
            for start, end, key in found:
                if end - start >= 2 or end - start == len(words):
                    for target in self._by_stems[key]:
                        result.setdefault(target, None)
        result.pop(skill_stems(phrase), None)
        expanded = tuple(result)[:MAX_EXPANSIONS]
        if len(self._cache) < 50_000:
            self._cache[words] = expanded
        return expanded


def key_tokens(text: str) -> tuple[str, ...]:
    """The canonical tokens on which vocabulary keys are found ("permis b" keeps its "b")."""
    return tokens(text, MAX_PHRASE_CHARS)


@lru_cache(maxsize=1)
def default_vocabulary() -> UserVocabulary:
    """The bundled vocabulary (loaded once)."""
    return UserVocabulary.load()
