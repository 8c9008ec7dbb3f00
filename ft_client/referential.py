"""Offline ROME 4.0 jobs/skills and French communes, with typo-tolerant look-ups.

The data are the files in ``ft_client/data/`` built by ``scripts/build_referentials.py``.
``Referential.load()`` reads them once per process (about 0.3 s); the search indexes are built
on first use, so a process that only needs ``job()`` or ``place()`` never pays for them.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ft_client.textnorm import (
    MAX_QUERY_CHARS,
    FuzzyTokenIndex,
    normalize,
    skill_stems,
    tokens,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
ROME_FILE = "rome.json.gz"
COMMUNES_FILE = "communes.json.gz"
POINTS_FILE = "commune_points.odbl.json.gz"

MAX_LIMIT = 50
WHOLE_CITY_CODES = frozenset({"75056", "69123", "13055"})
_ROME_CODE = re.compile(r"^\s*([A-Na-n])\s*-?\s*(\d{4})\s*$")
_POSTAL_CODE = re.compile(r"^\s*(\d{5})\s*$")
_INSEE_CODE = re.compile(r"^\s*(\d{5}|2[abAB]\d{3})\s*$")
_PLACE_STOPWORDS = frozenset({"arrondissement", "arrdt", "arr", "cedex"})
_KIND_RANK = {"commune": 0, "arrondissement": 0, "deleguee": 1, "associee": 2}
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Skill:
    code: str
    label: str
    kind: str  # "savoir-faire" | "savoir-etre" | "savoir" | "contexte"
    core: bool = False  # "Principale" (cœur de métier) for the job it belongs to


@dataclass(frozen=True, slots=True)
class Job:
    code: str
    label: str
    titles: tuple[str, ...]
    skills: tuple[Skill, ...]
    domain: str | None = None
    mobility: tuple[str, ...] = ()

    @property
    def core_skills(self) -> tuple[Skill, ...]:
        return tuple(s for s in self.skills if s.core)


@dataclass(frozen=True, slots=True)
class JobHit:
    rome_code: str
    job_label: str
    matched_title: str
    score: float  # confidence in [0, 1]
    why: str = ""  # where the hit comes from (ft_client.matching.find_jobs), French


@dataclass(frozen=True, slots=True)
class Place:
    insee_code: str
    name: str
    postal_codes: tuple[str, ...]
    departement: str | None
    latitude: float | None
    longitude: float | None
    parent_code: str | None = None
    population: int | None = None
    kind: str = "commune"  # "commune" | "arrondissement" | "deleguee" | "associee"

    @property
    def display_label(self) -> str:
        """ "Lyon 3e Arrondissement (69)" — names alone are ambiguous (Saint-Denis)."""
        return f"{self.name} ({self.departement})" if self.departement else self.name

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def title_variants(title: str) -> list[str]:
    """ "Serveur / Serveuse de bar" → ["Serveur de bar", "Serveuse de bar"] (plus the original).

    ROME writes the masculine words, a slash, then the whole feminine title; the masculine title
    is the left part completed by the feminine title's tail.
    """
    if " / " not in title:
        return [title]
    left, _, right = title.partition(" / ")
    right = right.split(" / ")[0]
    left_words, right_words = left.split(), right.split()
    masculine = " ".join(left_words + right_words[len(left_words) :])
    return [masculine, right, title]


def _check_query(query: object) -> str:
    if not isinstance(query, str):
        raise ValueError("the query must be text")
    return query[: MAX_QUERY_CHARS * 4]


def _check_limit(limit: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError("limit must be a positive integer")
    return min(limit, MAX_LIMIT)


class Referential:
    """ROME jobs and skills, communes and their points; immutable once loaded."""

    _cache: dict[Path, Referential] = {}  # noqa: RUF012 - process-wide cache of loaded data
    _cache_lock = threading.Lock()

    def __init__(
        self,
        rome: dict[str, Any],
        communes: dict[str, Any] | Callable[[], dict[str, Any]],
        points: dict[str, Any] | Callable[[], dict[str, Any]],
    ) -> None:
        """``communes`` and ``points`` may be loaders: places are then read on first use, which
        keeps ``load()`` fast for processes that only need jobs."""
        self.rome_data = rome
        self.data_dir: Path | None = None  # where the files were read from, if any
        self.rome_source: dict[str, Any] = rome.get("source", {})
        self._skills: dict[str, list[str]] = rome["skills"]
        self._domains: dict[str, str] = rome.get("domains", {})
        self._raw_jobs: dict[str, dict[str, Any]] = {j["code"]: j for j in rome["jobs"]}
        self._job_cache: dict[str, Job] = {}
        self._communes_loader = communes if callable(communes) else (lambda: communes)
        self._points_loader = points if callable(points) else (lambda: points)
        self._index_lock = threading.RLock()
        self._skill_tokens_cache: dict[str, frozenset[str]] = {}

    @cached_property
    def _communes_data(self) -> dict[str, Any]:
        with self._index_lock:
            return self._communes_loader()

    @cached_property
    def _points_data(self) -> dict[str, Any]:
        with self._index_lock:
            return self._points_loader()

    @property
    def communes_source(self) -> dict[str, Any]:
        return self._communes_data.get("source", {})

    @property
    def points_source(self) -> dict[str, Any]:
        return self._points_data.get("source", {})

    @property
    def _raw_communes(self) -> list[dict[str, Any]]:
        return self._communes_data["communes"]

    @property
    def _departements(self) -> dict[str, dict[str, Any]]:
        return self._communes_data.get("departements", {})

    @property
    def _regions(self) -> dict[str, str]:
        return self._communes_data.get("regions", {})

    @property
    def _points(self) -> dict[str, list[float]]:
        return self._points_data.get("points", {})

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, data_dir: Path | str | None = None) -> Referential:
        """The referential from ``data_dir`` (default: the bundled files), loaded once."""
        path = Path(data_dir) if data_dir is not None else DATA_DIR
        with cls._cache_lock:
            cached = cls._cache.get(path)
            if cached is None:
                cached = cls.from_files(path)
                cls._cache[path] = cached
            return cached

    @classmethod
    def from_files(cls, data_dir: Path) -> Referential:
        def read(name: str) -> dict[str, Any]:
            with gzip.open(data_dir / name, "rb") as handle:
                return json.loads(handle.read())

        referential = cls(read(ROME_FILE), lambda: read(COMMUNES_FILE), lambda: read(POINTS_FILE))
        referential.data_dir = data_dir
        return referential

    def warm_up(self) -> None:
        """Read the places and build every index now (e.g. in a thread at bot start-up), so that
        no user pays for a first use."""
        self.find_jobs("serveur")
        for code in self._raw_jobs:
            self._job_skill_tokens(code)
        self.find_places("Paris")
        self.find_places("75001")
        self.has_place_named("paris")
        self.nearest_place(48.85, 2.35)
        _ = self.skill_index

    def job_skill_codes(self, code: str) -> list[list[Any]]:
        """The raw ``[skill code, core 0/1]`` pairs of a job (empty for an unknown code)."""
        raw = self._raw_jobs.get(code)
        return raw["skills"] if raw else []

    def raw_job(self, code: str) -> dict[str, Any]:
        """The bundled record of a job: ``code``, ``label``, ``titles`` ([ogr, title, P/S]),
        ``skills`` ([code, core 0/1]), ``domain``, ``mobility`` (KeyError for an unknown code)."""
        return self._raw_jobs[code]

    def skill_label(self, code: str) -> str | None:
        entry = self._skills.get(code)
        return entry[0] if entry else None

    def skill_kind(self, code: str) -> str | None:
        entry = self._skills.get(code)
        return entry[1] if entry else None

    # ------------------------------------------------------------------ jobs
    def job(self, code: str) -> Job | None:
        if not isinstance(code, str):
            return None
        code = code.strip().upper()
        cached = self._job_cache.get(code)
        if cached is not None:
            return cached
        raw = self._raw_jobs.get(code)
        if raw is None:
            return None
        skills = []
        for skill_code, core in raw["skills"]:
            label, kind = self._skills.get(skill_code, (skill_code, "savoir-faire"))
            skills.append(Skill(skill_code, label, kind, bool(core)))
        job = Job(
            code=raw["code"],
            label=raw["label"],
            titles=tuple(t[1] for t in raw["titles"]),
            skills=tuple(skills),
            domain=raw.get("domain"),
            mobility=tuple(raw.get("mobility", ())),
        )
        self._job_cache[code] = job
        return job

    def jobs(self) -> Iterator[Job]:
        for code in self._raw_jobs:
            job = self.job(code)
            if job is not None:
                yield job

    def job_codes(self) -> list[str]:
        return list(self._raw_jobs)

    def skill(self, code: str) -> Skill | None:
        if not isinstance(code, str):
            return None
        entry = self._skills.get(code.strip())
        return Skill(code.strip(), entry[0], entry[1]) if entry else None

    def skill_codes(self) -> list[str]:
        return list(self._skills)

    def domain_label(self, code: str) -> str | None:
        return self._domains.get(code)

    @cached_property
    def _job_index(self) -> tuple[FuzzyTokenIndex, list[tuple[str, str, bool]]]:
        docs: list[tuple[str, ...]] = []
        meta: list[tuple[str, str, bool]] = []  # (rome code, title as shown, principal?)
        for code, raw in self._raw_jobs.items():
            entries = [(raw["label"], True)] + [(t[1], t[2] == "P") for t in raw["titles"]]
            seen: set[tuple[str, ...]] = set()
            for title, principal in entries:
                for variant in title_variants(title):
                    doc = tokens(variant)
                    if doc and doc not in seen:
                        seen.add(doc)
                        docs.append(doc)
                        meta.append((code, title, principal))
        return FuzzyTokenIndex(docs), meta

    def _job_skill_tokens(self, code: str) -> frozenset[str]:
        """Canonical tokens of a job's skills (tools, languages): a tie-breaker for queries
        such as "développeur python" whose second word is in no title. Cached per job."""
        cached = self._skill_tokens_cache.get(code)
        if cached is None:
            words: set[str] = set()
            for skill_code, _core in self._raw_jobs[code]["skills"]:
                entry = self._skills.get(skill_code)
                if entry and entry[1] != "contexte":
                    words.update(tokens(entry[0]))
            cached = self._skill_tokens_cache[code] = frozenset(words)
        return cached

    def find_jobs(self, query: str, limit: int = 5) -> list[JobHit]:
        """Métiers whose label or a job title matches ``query``, best first (one hit per code)."""
        query = _check_query(query)
        limit = _check_limit(limit)
        code_match = _ROME_CODE.match(query)
        if code_match:
            job = self.job(code_match.group(1).upper() + code_match.group(2))
            return [JobHit(job.code, job.label, job.label, 1.0)] if job else []
        query_tokens = tokens(query)
        if not query_tokens:
            return []
        with self._index_lock:
            index, meta = self._job_index
        scores = index.search(query_tokens)
        best: dict[str, tuple[float, int, int]] = {}
        for doc_id, score in scores.items():
            code, _title, principal = meta[doc_id]
            # Principal titles win ties; the rank of the title keeps results deterministic.
            key = (score + (0.01 if principal else 0.0), -index.doc_lengths[doc_id], -doc_id)
            if code not in best or key > best[code]:
                best[code] = key
        ranked = sorted(best.items(), key=lambda item: (item[1], item[0]), reverse=True)
        # Words of the query found in no title but in the job's skills ("python") re-rank the top.
        head = ranked[: max(limit * 4, 20)]
        if len(query_tokens) > 1 and head:
            rescored = []
            for code, (score, length, neg_doc) in head:
                doc = set(index.docs[-neg_doc])
                extra = [
                    t for t in query_tokens if t not in doc and t in self._job_skill_tokens(code)
                ]
                bonus = 0.1 * len(extra) / len(query_tokens)
                rescored.append((code, (min(1.0, score + bonus), length, neg_doc)))
            head = sorted(rescored, key=lambda item: (item[1], item[0]), reverse=True)
        hits = []
        for code, (score, _length, neg_doc) in head[:limit]:
            raw = self._raw_jobs[code]
            hits.append(JobHit(code, raw["label"], meta[-neg_doc][1], round(min(score, 1.0), 4)))
        return hits

    # ------------------------------------------------------------------ skills index
    @cached_property
    def skill_index(self) -> tuple[FuzzyTokenIndex, list[str], dict[str, float]]:
        """Index over the stems of every skill label (work contexts excluded), with stem IDF."""
        codes = [code for code, (_label, kind) in self._skills.items() if kind != "contexte"]
        docs = [skill_stems(self._skills[code][0]) for code in codes]
        index = FuzzyTokenIndex(docs)
        total = len(docs)
        idf = {
            stem: math.log(1 + total / len(postings)) for stem, postings in index.postings.items()
        }
        return index, codes, idf

    @cached_property
    def skill_codes_set(self) -> frozenset[str]:
        """Codes of the skills in ``skill_index`` (every kind but work contexts)."""
        return frozenset(code for code, (_l, kind) in self._skills.items() if kind != "contexte")

    # ------------------------------------------------------------------ places
    @cached_property
    def _places(self) -> dict[str, Place]:
        places: dict[str, Place] = {}
        for raw in self._raw_communes:
            code = raw["insee"]
            if code in places:  # a délégué sharing its commune nouvelle's code: keep the commune
                continue
            point = self._points.get(code)
            places[code] = Place(
                insee_code=code,
                name=raw["name"],
                postal_codes=tuple(raw["postal_codes"]),
                departement=raw["departement"],
                latitude=point[0] if point else None,
                longitude=point[1] if point else None,
                parent_code=raw["parent"],
                population=raw["population"],
                kind=raw["kind"],
            )
        return places

    @cached_property
    def _place_index(self) -> tuple[FuzzyTokenIndex, list[Place]]:
        docs: list[tuple[str, ...]] = []
        lengths: list[int] = []
        entries: list[Place] = []
        places = self._places
        for raw in self._raw_communes:
            place = places[raw["insee"]]
            if place.name != raw["name"]:  # an old name (délégué) leads to the current commune
                place = Place(
                    insee_code=raw["insee"],
                    name=raw["name"],
                    postal_codes=(),
                    departement=raw["departement"],
                    latitude=place.latitude,
                    longitude=place.longitude,
                    parent_code=raw["parent"],
                    population=raw["population"],
                    kind=raw["kind"],
                )
            name_tokens = tuple(t for t in tokens(raw["name"]) if t not in _PLACE_STOPWORDS)
            if not name_tokens:
                continue
            # The département code is a token too, so "Saint-Denis 93" finds the right one.
            docs.append((*name_tokens, f"#{raw['departement']}"))
            lengths.append(len(name_tokens))
            entries.append(place)
        return FuzzyTokenIndex(docs, lengths), entries

    @cached_property
    def _postal_index(self) -> dict[str, list[Place]]:
        index: dict[str, list[Place]] = {}
        for place in self._places.values():
            for postal_code in place.postal_codes:
                index.setdefault(postal_code, []).append(place)
        for places in index.values():
            # Arrondissements first (75015 is Paris 15e before Paris), then biggest.
            places.sort(key=lambda p: (p.kind != "arrondissement", -(p.population or 0)))
        return index

    def place(self, insee_code: str) -> Place | None:
        if not isinstance(insee_code, str):
            return None
        return self._places.get(insee_code.strip().upper())

    def places(self) -> Iterator[Place]:
        return iter(self._places.values())

    def departement_name(self, code: str) -> str | None:
        if not isinstance(code, str):
            return None
        entry = self._departements.get(code.strip().upper())
        return entry["name"] if entry else None

    def region_name(self, code: str) -> str | None:
        return self._regions.get(code) if isinstance(code, str) else None

    def query_commune(self, place: Place | str) -> str:
        """The commune code to send to the offers API: the whole city for an arrondissement
        (75056, 69123, 13055) or the current commune for a délégué; else the place's own code."""
        if isinstance(place, str):
            found = self.place(place)
            if found is None:
                raise ValueError(f"unknown INSEE commune code: {place!r}")
            place = found
        if place.kind != "commune" and place.parent_code:
            return place.parent_code
        return place.insee_code

    def find_places(self, query: str, limit: int = 5) -> list[Place]:
        """Communes (and arrondissements) matching a name, a postal code or an INSEE code."""
        query = _check_query(query)
        limit = _check_limit(limit)
        postal = _POSTAL_CODE.match(query)
        if postal:
            found = list(self._postal_index.get(postal.group(1), ()))
            by_code = self.place(postal.group(1))
            if by_code is not None and by_code not in found:
                found.append(by_code)
            return found[:limit]
        insee = _INSEE_CODE.match(query)
        if insee:
            by_code = self.place(insee.group(1))
            return [by_code] if by_code else []
        normalized = normalize(query)
        query_tokens = tuple(
            t for t in tokens(normalized) if t not in _PLACE_STOPWORDS and t != "cedex"
        )
        if not query_tokens:
            return []
        with self._index_lock:
            index, entries = self._place_index
        scores = self._search_places(index, query_tokens)
        ranked = sorted(
            scores.items(),
            key=lambda item: (
                -round(item[1], 3),
                _KIND_RANK.get(entries[item[0]].kind, 3),
                -(entries[item[0]].population or 0),
                entries[item[0]].insee_code,
            ),
        )
        results: list[Place] = []
        seen: set[str] = set()
        for doc_id, _score in ranked:
            place = entries[doc_id]
            if place.insee_code in seen:
                continue
            seen.add(place.insee_code)
            results.append(place)
            if len(results) >= limit:
                break
        return results

    @cached_property
    def _place_names(self) -> frozenset[str]:
        # Every name a ``find_places`` hit can carry (old names of délégués included).
        return frozenset(normalize(raw["name"], MAX_QUERY_CHARS) for raw in self._raw_communes)

    def has_place_named(self, normalized: str) -> bool:
        """Whether some commune's name, once ``normalize``d (``MAX_QUERY_CHARS``), is exactly
        ``normalized``: a set look-up. When it is False no ``find_places`` hit is named so, which
        spares the fuzzy search to callers that only want an exact name (``jobs._bare_town``
        runs it for every short phrase of a profile: ~2 ms a new word)."""
        with self._index_lock:
            names = self._place_names
        return normalized in names

    @staticmethod
    def _search_places(index: FuzzyTokenIndex, query_tokens: tuple[str, ...]) -> dict[int, float]:
        # A number may be an arrondissement ("Paris 15") or a département ("Saint-Denis 93").
        text_tokens = tuple(t for t in query_tokens if not t.isdigit())
        numbers = [t for t in query_tokens if t.isdigit() or t in ("2a", "2b")]
        if not text_tokens:
            return {}
        scores = index.search(text_tokens)
        if not numbers or not scores:
            return scores
        adjusted: dict[int, float] = {}
        for doc_id, score in scores.items():
            doc = index.docs[doc_id]
            hits = sum(1 for n in numbers if n in doc or f"#{n.upper()}" in doc)
            n_total = len(text_tokens) + len(numbers)
            # Rescale: text part keeps its weight, each number matched adds its share.
            adjusted[doc_id] = (score * len(text_tokens) + hits) / n_total
        return adjusted

    # ------------------------------------------------------------------ nearest place
    @cached_property
    def _grid(self) -> dict[tuple[int, int], list[Place]]:
        grid: dict[tuple[int, int], list[Place]] = {}
        for place in self._places.values():
            if place.has_point and place.kind in ("commune", "arrondissement"):
                if place.insee_code in WHOLE_CITY_CODES:
                    continue  # their point is the mean of the arrondissements
                key = (math.floor(place.latitude * 10), math.floor(place.longitude * 10))  # type: ignore[operator]
                grid.setdefault(key, []).append(place)
        return grid

    def nearest_place(
        self, latitude: float, longitude: float, *, max_km: float = 50.0
    ) -> Place | None:
        """The commune (or arrondissement) whose centre is nearest; ``None`` beyond ``max_km``."""
        try:
            lat, lon = float(latitude), float(longitude)
        except (TypeError, ValueError) as error:
            raise ValueError("latitude and longitude must be numbers") from error
        if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
            raise ValueError("latitude must be within ±90 and longitude within ±180")
        grid = self._grid
        cell_lat, cell_lon = math.floor(lat * 10), math.floor(lon * 10)
        best: tuple[float, str, Place] | None = None
        max_ring = int(max_km / 5) + 2  # a cell is ~11 km high, ≥ 5 km wide in France
        for ring in range(max_ring + 1):
            for dlat in range(-ring, ring + 1):
                for dlon in range(-ring, ring + 1):
                    if max(abs(dlat), abs(dlon)) != ring:
                        continue
                    for place in grid.get((cell_lat + dlat, cell_lon + dlon), ()):
                        distance = haversine_km(lat, lon, place.latitude, place.longitude)  # type: ignore[arg-type]
                        if best is None or (distance, place.insee_code) < best[:2]:
                            best = (distance, place.insee_code, place)
            # A cell is at least ~5 km across: once the best is nearer than the ring, stop.
            if best is not None and best[0] < ring * 5.0:
                break
        if best is None or best[0] > max_km:
            return None
        return best[2]
