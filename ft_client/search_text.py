"""Free French search text → a typed ``SearchRequest`` (or a typed ``SearchTextError``).

"serveuse à Paris 20 km en CDI", "aide soignante a lyon temps partiel", "je cherche un travail
de développeur à Rennes", "cariste près de 69003 débutant", "boulanger dans le 93", "plombier
Saint-Denis", "télétravail développeur toute la France"…

Flags (radius, contract, working time, remote, beginner, "partout") are cut out first; what is
left is split into job words and a place: after a preposition ("à", "a", "près de", "dans le",
"au"…), else a trailing postal code, département or known commune name. No look-up happens here
beyond the bundled name sets of ``ft_client.place_names``; resolving the place to a commune is
``place_names.resolve_place``, the caller's step.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ft_client.place_names import PlaceKind, PlaceNames, bundled_place_names, fold_accents

MAX_SEARCH_CHARS = 200  # a search is a line; longer text is refused, not cut (it is not one)
MAX_RADIUS_KM = 100  # the offers API's own limit (distance ≤ 100)


class SearchErrorKind(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_WORDS = "no_words"  # emoji or punctuation only
    MARKUP = "markup"  # HTML/XML tags
    RADIUS_ZERO = "radius_zero"
    RADIUS_TOO_LARGE = "radius_too_large"
    RADIUS_NOT_A_NUMBER = "radius_not_a_number"


@dataclass(frozen=True, slots=True)
class SearchTextError:
    kind: SearchErrorKind
    fragment: str | None = None  # the part at fault ("5 000 km", "abc km"), for the answer


@dataclass(frozen=True, slots=True)
class SearchRequest:
    job_words: tuple[str, ...] = ()  # as typed, e.g. ("aide", "soignante")
    place_text: str | None = None  # as typed: "Paris", "69003", "Rhône", "93"
    place_kind: PlaceKind = PlaceKind.NONE
    place_code: str | None = None  # département / region code, or the postal code
    radius_km: int | None = None
    contract_types: tuple[str, ...] = ()  # France Travail typeContrat codes: CDI, CDD, MIS…
    alternance: bool = False  # "alternance", "apprentissage", "contrat pro"
    part_time: bool | None = None  # True "temps partiel", False "temps plein", None unsaid
    remote: bool = False
    beginner: bool = False
    leftover_words: tuple[str, ...] = ()  # politeness and noise dropped ("svp", "urgent")

    @property
    def job_text(self) -> str:
        return " ".join(self.job_words)


# ---------------------------------------------------------------- text cutting


def _fold(text: str) -> str:
    """Lower-case, accent-free, same length as ``text`` (so spans map back to the original)."""
    return "".join((fold_accents(c).casefold() or c)[:1] for c in text).replace("’", "'")


class _Text:
    """The original text and its folded twin, cut together."""

    def __init__(self, text: str) -> None:
        self.original = text
        self.folded = _fold(text)

    def cut(self, start: int, end: int, replacement: str = " ") -> str:
        """Replace a span in both texts; returns the original text of the span."""
        removed = self.original[start:end]
        self.original = self.original[:start] + replacement + self.original[end:]
        self.folded = self.folded[:start] + _fold(replacement) + self.folded[end:]
        return removed

    def take_all(
        self, pattern: re.Pattern[str], replacement: Callable[[re.Match[str]], str] | None = None
    ) -> list[tuple[re.Match[str], str]]:
        """Cut every non-empty match (at most a few dozen: the text is short); returns the
        matches on the folded text with the original text they covered."""
        found: list[tuple[re.Match[str], str]] = []
        position = 0
        while len(found) < 50 and (match := pattern.search(self.folded, position)):
            if match.end() == match.start():
                position = match.end() + 1
                if position > len(self.folded):
                    break
                continue
            new = replacement(match) if replacement else " "
            found.append((match, self.cut(match.start(), match.end(), new)))
            position = match.start() + len(new)
        return found


_W = r"(?<![\w-])"  # word start that is not inside a hyphenated name (Fort-de-France)
_E = r"(?![\w-])"
_PREAMBLE = re.compile(
    r"^\s*(?:(?:bonjour|salut|hello)(?![\w'])[\s,!.]*)?"
    r"(?:(?:je|moi|on)\s+|j')?"
    r"(?:(?:(?:re)?cherche[rsz]?|voudrais|veux|aimerais|souhaite(?:rais)?|cherchons)(?![\w'])\s*)?"
    r"(?:(?:trouver|faire)\s+)?"
    r"(?:(?:un|une|du|des)\s+)?"
    r"(?:(?:travail|emploi|poste|job|boulot|taf|offres?|place|mission)(?![\w'])\s*)?"
    r"(?:(?:de|comme|en\s+tant\s+que|dans\s+(?:le|la|les))\s+|d'|dans\s+l')?"
)
_CONTRACTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(_W + r"(?:en\s+|un\s+)?cdi" + _E), "CDI"),
    (re.compile(_W + r"(?:en\s+|un\s+)?cdd" + _E), "CDD"),
    (
        re.compile(_W + r"(?:en\s+)?(?:mission\s+d'\s*)?(?:interim(?:aire)?|interimaires)" + _E),
        "MIS",
    ),
    (re.compile(_W + r"(?:en\s+|un\s+)?(?:saisonnier|saisonniere|saison)" + _E), "SAI"),
    (re.compile(_W + r"(?:en\s+)?(?:freelance|liberal|independant)" + _E), "LIB"),
)
_ALTERNANCE = re.compile(
    _W + r"(?:en\s+)?(?:alternance|apprentissage|apprenti|contrat\s+pro(?:fessionnalisation)?)" + _E
)
_PART_TIME = re.compile(_W + r"(?:a\s+|en\s+)?(?:temps\s+partiel|mi-?\s?temps)" + _E)
_FULL_TIME = re.compile(_W + r"(?:a\s+|en\s+)?(?:temps\s+plein|temps\s+complet)" + _E)
_REMOTE = re.compile(
    _W + r"(?:en\s+)?(?:tele-?\s?travail|full\s+remote|remote|(?:travail\s+)?a\s+distance)" + _E
)
_BEGINNER = re.compile(
    _W + r"(?:pour\s+)?(?:debutante?s?(?:\s+acceptee?s?)?|sans\s+experience|premier\s+emploi)" + _E
)
_EVERYWHERE = re.compile(
    _W + r"(?:(?:dans\s+|sur\s+)?toute\s+la\s+france|(?:en\s+|dans\s+la\s+)?france\s+entiere"
    r"|partout(?:\s+en\s+france)?|n'importe\s+ou|(?:a|en|sur|dans)\s+(?:la\s+)?france|france)" + _E
)
_RADIUS = re.compile(
    r"(?P<pre>(?:dans\s+un\s+rayon\s+d(?:e\s+|')|(?:a\s+)?moins\s+d(?:e\s+|')|rayon\s+(?:de\s+)?"
    r"|a\s+|sur\s+)?)"
    r"(?P<num>\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+(?:[.,]\d+)?|[^\s\d]\S*)"
    r"\s*(?:km|kms|kilometres?)"
    + _E
    + r"(?P<post>\s*(?:autour\s+d(?:e\s+|')|aux\s+alentours\s+d(?:e\s+|')"
    r"|autour|max(?:imum)?|d(?:e\s+|'))?)"
)
_RADIUS_WORD = re.compile(_W + r"rayon\s+(?:de\s+)?(?P<num>\d+)" + _E)
_FILLERS = frozenset({"svp", "stp", "merci", "urgent", "urgence", "please", "bonjour", "salut"})
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?][^>]*>|&(?:lt|gt|amp|#\d+);")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u206f]")


def _radius(number: str) -> int | SearchTextError:
    text = number.strip()
    digits = re.sub(r"[ \u00a0\u202f.](?=\d{3}\b)", "", text).replace(",", ".")
    try:
        value = float(digits)
    except ValueError:
        return SearchTextError(SearchErrorKind.RADIUS_NOT_A_NUMBER, f"{text} km")
    if not math.isfinite(value) or value <= 0:
        return SearchTextError(SearchErrorKind.RADIUS_ZERO, f"{text} km")
    if value > MAX_RADIUS_KM:
        return SearchTextError(SearchErrorKind.RADIUS_TOO_LARGE, f"{text} km")
    return max(1, math.ceil(value))


# ---------------------------------------------------------------- words and places

_TOKEN = re.compile(r"(?:qu|[ldjsnmt])'(?=\w)|[^\W_]+(?:-[^\W_]+)*(?:'[^\W_]+(?:-[^\W_]+)*)*")
# Prepositions before a place; the strong ones mark a place whatever follows (unless it reads as
# part of a job title, "aide à domicile"); the weak ones only before a recognisable place.
_STRONG_MARKERS: tuple[tuple[str, ...], ...] = (
    ("a", "proximite", "de"),
    ("a", "proximite", "d'"),
    ("aux", "alentours", "de"),
    ("autour", "de"),
    ("autour", "d'"),
    ("pres", "de"),
    ("pres", "d'"),
    ("proche", "de"),
    ("vers",),
    ("a",),
    ("au",),
    ("aux",),
)
_WEAK_MARKERS: tuple[tuple[str, ...], ...] = (
    ("dans", "le"),
    ("dans", "la"),
    ("dans", "les"),
    ("dans", "l'"),
    ("dans",),
    ("sur",),
    ("en",),
    ("secteur",),
    ("region",),
    ("departement",),
)
_MAX_PLACE_WORDS = 8  # "La Chapelle Saint Martin en Plaine" typed without hyphens: 6
_ARTICLE_FOR = {"au": "Le", "aux": "Les"}  # "au Mans" → "Le Mans"
_EDGE_WORDS = frozenset(
    {"de", "d'", "du", "des", "un", "une", "le", "la", "les", "l'", "comme", "en", "et", "ou"}
    | {"a", "au", "pour", "dans", "sur", "avec", "tant", "que", "qu'", "j'", "je"}
)


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    folded: str


@dataclass(frozen=True, slots=True)
class _Place:
    kind: PlaceKind
    text: str
    code: str | None = None


def _join(words: list[_Token]) -> str:
    """Words back into text; no space after an elided article ("l'Isle-Adam")."""
    out = ""
    for token in words:
        out += token.text if not out or out.endswith("'") else " " + token.text
    return out


def _classify(
    words: list[_Token], names: PlaceNames, *, typed: bool, area_first: bool = False
) -> _Place | None:
    """What these words name as a place, if anything. ``typed``: any text is taken as a commune
    name (after "à" an unknown name is an unknown place, not job words); ``area_first``: a name
    that is both an area and a commune is the area ("en Bretagne", "dans la Creuse")."""
    if not words:
        return None
    if len(words) <= 2 and words[0].folded in ("departement", "dept", "dpt"):
        words = words[1:] or words
    text = _join(words)
    if len(words) == 1 and re.fullmatch(r"\d{5}", words[0].folded):
        return _Place(PlaceKind.POSTAL_CODE, text, text)
    if len(words) == 1 and re.fullmatch(r"\d{2,3}|2[ab]", words[0].folded):
        # An unknown number ("dans le 99") stays a département the caller will call unknown.
        return _Place(PlaceKind.DEPARTEMENT, text, names.departement_code(words[0].text))
    commune = names.is_commune(text)
    dep_code = names.departement_code(text)
    if dep_code and (area_first or not commune):
        return _Place(PlaceKind.DEPARTEMENT, _strip_article(words), dep_code)
    region = names.region(text)
    if region and (area_first or not commune):
        return _Place(PlaceKind.REGION, _strip_article(words), region[0])
    if commune or dep_code or region or typed:
        return _Place(PlaceKind.COMMUNE, text)
    return None


def _strip_article(words: list[_Token]) -> str:
    if len(words) > 1 and words[0].folded in ("le", "la", "les", "l'"):
        return _join(words[1:])
    return _join(words)


def _find_marker(words: list[_Token]) -> tuple[int, tuple[str, ...], bool] | None:
    """(start, marker, strong) of the last place preposition followed by something."""
    folded = [t.folded for t in words]
    for i in range(len(words) - 1, -1, -1):
        for markers, strong in ((_STRONG_MARKERS, True), (_WEAK_MARKERS, False)):
            for marker in markers:
                if tuple(folded[i : i + len(marker)]) == marker and i + len(marker) < len(words):
                    return i, marker, strong
    return None


def _split_place(
    words: list[_Token], names: PlaceNames
) -> tuple[list[_Token], _Place | None, list[_Token]]:
    """(job words, place, words after the place that are not part of it)."""
    search_end = len(words)
    while (marker := _find_marker(words[:search_end])) is not None:
        start, prepositions, strong = marker
        after = words[start + len(prepositions) : search_end]
        after += words[search_end:] if search_end < len(words) else []
        article = _ARTICLE_FOR.get(prepositions[0]) if len(prepositions) == 1 else None
        area_first = not strong
        # The longest known place right after the preposition; what follows is not the place.
        for end in range(min(len(after), _MAX_PLACE_WORDS), 0, -1):
            head = [_Token(article, article.lower()), *after[:end]] if article else after[:end]
            place = _classify(head, names, typed=False, area_first=area_first)
            if place is not None:
                return words[:start], place, after[end:]
        first = after[0].folded
        if strong and first not in names.job_words and first not in _EDGE_WORDS:
            head = [_Token(article, article.lower()), *after] if article else after
            return words[:start], _classify(head, names, typed=True), []
        search_end = start  # "aide à domicile", "technicien sur site": not a place
    return _tail_place(words, names)


def _tail_place(
    words: list[_Token], names: PlaceNames
) -> tuple[list[_Token], _Place | None, list[_Token]]:
    """No preposition: "serveur paris", "plombier Saint-Denis", "boulanger 93", "Lyon"."""
    for size in range(min(4, len(words)), 0, -1):
        tail = words[-size:]
        if any(t.folded in names.job_words for t in tail) and (size == 1 or size == len(words)):
            continue  # "chef de rang", "peintre": job words that are also town names
        text = _join(tail)
        number = size == 1 and re.fullmatch(r"\d{5}|\d{2,3}|2[ab]", tail[0].folded)
        known = number or names.is_commune(text) or names.departement_code(text)
        place = _classify(tail, names, typed=False) if known else None
        if place is not None:
            return words[:-size], place, []
    return words, None, []


def _trim(words: list[_Token]) -> list[_Token]:
    start, end = 0, len(words)
    while start < end and words[start].folded in _EDGE_WORDS:
        start += 1
    while end > start and words[end - 1].folded in _EDGE_WORDS:
        end -= 1
    return words[start:end]


# ---------------------------------------------------------------- parse


def parse_search_text(
    text: str, names: PlaceNames | None = None
) -> SearchRequest | SearchTextError:
    """Parse one search line; never raises. ``names`` defaults to the bundled names."""
    if not isinstance(text, str) or not text.strip():
        return SearchTextError(SearchErrorKind.EMPTY)
    if len(text) > MAX_SEARCH_CHARS:
        return SearchTextError(SearchErrorKind.TOO_LONG, text[:40])
    markup = _MARKUP.search(text)
    if markup:
        return SearchTextError(SearchErrorKind.MARKUP, markup.group(0)[:40])
    text = _CONTROL.sub(" ", text)
    if not re.search(r"[^\W_]", text):
        return SearchTextError(SearchErrorKind.NO_WORDS)
    names = names or bundled_place_names()
    work = _Text(text)
    radius: int | None = None
    # "à 20 km de Lyon", "20 km autour de Lyon": the place keeps a preposition.
    radius_matches = work.take_all(_RADIUS, lambda m: " à " if m["post"].strip() else " ")
    for match, _ in radius_matches:
        value = _radius(match["num"])
        if isinstance(value, SearchTextError):
            return value
        radius = value
    for match, _ in work.take_all(_RADIUS_WORD):
        value = _radius(match["num"])
        if isinstance(value, SearchTextError):
            return value
        radius = value
    contracts = [code for pattern, code in _CONTRACTS if work.take_all(pattern)]
    alternance = bool(work.take_all(_ALTERNANCE))
    part_time = (
        True if work.take_all(_PART_TIME) else (False if work.take_all(_FULL_TIME) else None)
    )
    remote = bool(work.take_all(_REMOTE))
    beginner = bool(work.take_all(_BEGINNER))
    everywhere = work.take_all(_EVERYWHERE)
    preamble = _PREAMBLE.match(work.folded)
    if preamble and preamble.end() > preamble.start():
        work.cut(preamble.start(), preamble.end())
    tokens = [
        _Token(work.original[m.start() : m.end()], m.group(0)) for m in _TOKEN.finditer(work.folded)
    ]
    leftover = tuple(t.text for t in tokens if t.folded in _FILLERS)
    tokens = [t for t in tokens if t.folded not in _FILLERS]
    if everywhere:
        job, place, rest = tokens, _Place(PlaceKind.EVERYWHERE, everywhere[0][1].strip()), []
    else:
        job, place, rest = _split_place(tokens, names)
    if not _trim(job):  # "à Lyon serveur": the job came after the place
        job, rest = rest, []
    job = _trim(job)
    return SearchRequest(
        job_words=tuple(t.text for t in job),
        place_text=place.text if place else None,
        place_kind=place.kind if place else PlaceKind.NONE,
        place_code=place.code if place else None,
        radius_km=radius,
        contract_types=tuple(contracts),
        alternance=alternance,
        part_time=part_time,
        remote=remote,
        beginner=beginner,
        leftover_words=leftover + tuple(t.text for t in rest),
    )
