"""Names the free-text search needs to tell places from job words, and place resolution.

``PlaceNames`` holds the département and region names, the set of commune names and the words of
ROME job titles, read once from the bundled data (``bundled_place_names()``). ``resolve_place``
turns a parsed search's place into a unique choice, a list to ask about (ambiguous name, or close
spellings), or "unknown": it never substitutes a different town for an unknown one.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from ft_client.referential import COMMUNES_FILE, DATA_DIR, ROME_FILE, Place

MAX_CHOICES = 6  # buttons offered for an ambiguous or misspelt place
SUGGESTION_MIN_SCORE = 85  # rapidfuzz ratio for "did you mean"; L'Oie for Trifouillis is ~40


class PlaceKind(StrEnum):
    COMMUNE = "commune"
    POSTAL_CODE = "postal_code"
    DEPARTEMENT = "departement"
    REGION = "region"
    EVERYWHERE = "everywhere"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Departement:
    code: str
    name: str
    region: str | None  # region name


@dataclass(frozen=True, slots=True)
class PlaceNames:
    """Look-up keys (see ``name_key``) → départements / regions / communes, plus job words."""

    departements: Mapping[str, Departement]  # by code ("69", "2A", "974")
    departements_by_key: Mapping[str, str]  # name key → code
    regions_by_key: Mapping[str, tuple[str, str]]  # name key → (code, name)
    commune_keys: frozenset[str]  # name keys of every commune and arrondissement
    job_words: frozenset[str]  # folded words of ROME job titles

    def departement_code(self, text: str) -> str | None:
        """ "Rhône", "le Rhône", "69", "2a" → "69", "69", "69", "2A"."""
        code = text.strip().upper()
        if code in self.departements:
            return code
        key = name_key(text)
        return self.departements_by_key.get(key) or self.departements_by_key.get(_drop_article(key))

    def region(self, text: str) -> tuple[str, str] | None:
        key = name_key(text)
        return self.regions_by_key.get(key) or self.regions_by_key.get(_drop_article(key))

    def is_commune(self, text: str) -> bool:
        return name_key(text) in self.commune_keys

    def region_of(self, departement: str | None) -> str | None:
        found = self.departements.get(departement or "")
        return found.region if found else None


# ---------------------------------------------------------------- keys

_ORDINAL = re.compile(r"\b(\d{1,2})(?:er|ère|ere|ème|eme|e|nd|nde)\b")
_SEPARATORS = re.compile(r"[\s'’\-‐–_.,()]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
_ARTICLES = ("le ", "la ", "les ", "l ")


def fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def name_key(text: str) -> str:
    """Comparable form of a place name: "Saint-Denis" = "saint denis" = "St Denis";
    "Paris 12e Arrondissement" = "paris 12ème" = "Paris 12"."""
    key = text.casefold().replace("œ", "oe").replace("æ", "ae")
    key = _ORDINAL.sub(r"\1", key)
    words = [_ABBREVIATIONS.get(w, w) for w in _SEPARATORS.split(key) if w]
    key = " ".join(w for w in words if w not in {"arrondissement", "arr", "cedex"})
    return fold_accents(key)


def _drop_article(key: str) -> str:
    for article in _ARTICLES:
        if key.startswith(article):
            return key[len(article) :]
    return key


# ---------------------------------------------------------------- bundled data


def place_names_from_data(
    communes_data: Mapping[str, object], job_titles: Iterable[str]
) -> PlaceNames:
    """Build the names from the structures of ``communes.json.gz`` and the ROME job titles."""
    regions_raw = communes_data.get("regions", {})
    regions: dict[str, str] = dict(regions_raw) if isinstance(regions_raw, dict) else {}
    departements_raw = communes_data.get("departements", {})
    departements: dict[str, Departement] = {}
    if isinstance(departements_raw, dict):
        for code, entry in departements_raw.items():
            departements[code] = Departement(
                code=code, name=entry["name"], region=regions.get(entry.get("region", ""))
            )
    communes_raw = communes_data.get("communes", [])
    names = [c["name"] for c in communes_raw] if isinstance(communes_raw, list) else []
    job_words = {
        word
        for title in job_titles
        for word in re.findall(r"[^\W_]+", fold_accents(title.casefold()))
    }
    return PlaceNames(
        departements=departements,
        departements_by_key={name_key(d.name): code for code, d in departements.items()},
        regions_by_key={name_key(name): (code, name) for code, name in regions.items()},
        commune_keys=frozenset(name_key(n) for n in names),
        job_words=frozenset(job_words),
    )


def _titles(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _titles(item)


@lru_cache(maxsize=2)
def bundled_place_names(data_dir: Path = DATA_DIR) -> PlaceNames:
    """Read once per process from the bundled referential files (about 0.5 s)."""
    with gzip.open(data_dir / COMMUNES_FILE, "rb") as handle:
        communes = json.loads(handle.read())
    with gzip.open(data_dir / ROME_FILE, "rb") as handle:
        rome = json.loads(handle.read())
    titles = [
        title
        for job in rome.get("jobs", [])
        for title in [job.get("label", ""), *_titles(job.get("titles", []))]
        if title and not title.isdigit()
    ]
    return place_names_from_data(communes, titles)


# ---------------------------------------------------------------- resolution


class ResolutionStatus(StrEnum):
    UNIQUE = "unique"  # one place: search there
    AMBIGUOUS = "ambiguous"  # several places carry the name: ask with buttons
    SUGGESTIONS = "suggestions"  # no such name, close spellings: "Vouliez-vous dire…"
    UNKNOWN = "unknown"  # no such place: say so, never guess
    EVERYWHERE = "everywhere"
    NONE = "none"  # no place given: the profile's place applies


@dataclass(frozen=True, slots=True)
class PlaceChoice:
    kind: PlaceKind  # COMMUNE, DEPARTEMENT or REGION
    code: str  # INSEE code, département code or region code
    label: str  # "Saint-Denis (93, Île-de-France)", "Rhône (département 69)"
    place: Place | None = None  # the commune, for its point and query code


@dataclass(frozen=True, slots=True)
class PlaceResolution:
    status: ResolutionStatus
    choices: tuple[PlaceChoice, ...] = ()
    query: str | None = None  # what the person wrote, for "je ne connais pas « … »"

    @property
    def unique(self) -> PlaceChoice | None:
        return self.choices[0] if self.status is ResolutionStatus.UNIQUE else None


def commune_label(place: Place, names: PlaceNames) -> str:
    """ "Saint-Denis (93, Île-de-France)"; the region tells 93 from 974 at a glance."""
    region = names.region_of(place.departement)
    details = ", ".join(part for part in (place.departement, region) if part)
    return f"{place.name} ({details})" if details else place.name


def departement_label(departement: Departement) -> str:
    return f"{departement.name} (département {departement.code})"


def _commune_choice(place: Place, names: PlaceNames) -> PlaceChoice:
    return PlaceChoice(PlaceKind.COMMUNE, place.insee_code, commune_label(place, names), place)


def _ranked(places: Iterable[Place]) -> list[Place]:
    """Communes first by population; a city is left out when one of its arrondissements is
    there (69003 is Lyon 3e, not all of Lyon)."""
    unique = {p.insee_code: p for p in places}
    parents = {p.parent_code for p in unique.values() if p.kind == "arrondissement"}
    main = [
        p
        for p in unique.values()
        if p.kind in ("commune", "arrondissement") and p.insee_code not in parents
    ]
    return sorted(main or list(unique.values()), key=lambda p: -(p.population or 0))


def resolve_place(
    kind: PlaceKind,
    text: str | None,
    find_communes: Callable[[str], Sequence[Place]],
    names: PlaceNames | None = None,
) -> PlaceResolution:
    """Resolve a parsed place (``SearchRequest.place_kind`` / ``place_text``).

    ``find_communes`` is the caller's look-up, e.g. ``lambda q: ref.find_places(q, limit=20)``;
    only candidates whose name is exactly the one typed (case, accents, hyphens and "St" aside)
    are taken, close spellings are offered as suggestions, anything else is unknown.
    """
    names = names or bundled_place_names()
    if kind is PlaceKind.NONE or not text:
        return PlaceResolution(ResolutionStatus.NONE)
    if kind is PlaceKind.EVERYWHERE:
        return PlaceResolution(ResolutionStatus.EVERYWHERE, query=text)
    if kind is PlaceKind.DEPARTEMENT:
        code = names.departement_code(text)
        if code is None:
            return PlaceResolution(ResolutionStatus.UNKNOWN, query=text)
        dep = names.departements[code]
        choice = PlaceChoice(PlaceKind.DEPARTEMENT, code, departement_label(dep))
        return PlaceResolution(ResolutionStatus.UNIQUE, (choice,), text)
    if kind is PlaceKind.REGION:
        region = names.region(text)
        if region is None:
            return PlaceResolution(ResolutionStatus.UNKNOWN, query=text)
        choice = PlaceChoice(PlaceKind.REGION, region[0], f"{region[1]} (région)")
        return PlaceResolution(ResolutionStatus.UNIQUE, (choice,), text)
    candidates = list(find_communes(text))
    if kind is PlaceKind.POSTAL_CODE:
        exact = _ranked(p for p in candidates if text.strip() in p.postal_codes)
    else:
        wanted = name_key(text)
        exact = _ranked(p for p in candidates if name_key(p.name) == wanted)
    choices = [_commune_choice(p, names) for p in exact]
    dep_code = names.departement_code(text) if kind is PlaceKind.COMMUNE else None
    # "Vienne" is a town (38) and a département (86); "Paris" the town is the whole 75.
    if dep_code and not any(p.departement == dep_code for p in exact):
        dep = names.departements[dep_code]
        choices.append(PlaceChoice(PlaceKind.DEPARTEMENT, dep_code, departement_label(dep)))
    if len(choices) == 1:
        return PlaceResolution(ResolutionStatus.UNIQUE, tuple(choices), text)
    if choices:
        return PlaceResolution(ResolutionStatus.AMBIGUOUS, tuple(choices[:MAX_CHOICES]), text)
    if kind is PlaceKind.COMMUNE:
        wanted = name_key(text)
        close = [
            p for p in candidates if fuzz.ratio(name_key(p.name), wanted) >= SUGGESTION_MIN_SCORE
        ]
        if close:
            suggestions = tuple(_commune_choice(p, names) for p in _ranked(close)[:MAX_CHOICES])
            return PlaceResolution(ResolutionStatus.SUGGESTIONS, suggestions, text)
    return PlaceResolution(ResolutionStatus.UNKNOWN, query=text)
