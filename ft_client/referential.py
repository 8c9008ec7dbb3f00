"""Offline ROME 4.0 jobs and skills, with typo-tolerant look-ups; the places come with it.

The data are the files in ``ft_client/data/`` built by ``scripts/build_referentials.py``.
``Referential.load()`` reads them once per process (about 0.3 s); the search indexes are built
on first use, so a process that only needs ``job()`` or ``place()`` never pays for them.
The communes, their points and the place look-ups (``place``, ``find_places``,
``has_place_named``, ``nearest_place``…) are in ``ft_client.places``: ``Referential`` inherits
them, and ``Place``, ``haversine_km`` and the place constants stay importable from here.
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

from ft_client.places import (
    EARTH_RADIUS_KM,
    MAX_LIMIT,
    WHOLE_CITY_CODES,
    Place,
    PlaceLookups,
    _check_limit,
    _check_query,
    haversine_km,
)
from ft_client.textnorm import FuzzyTokenIndex, skill_stems, tokens

__all__ = [
    "COMMUNES_FILE",
    "DATA_DIR",
    "EARTH_RADIUS_KM",
    "MAX_LIMIT",
    "POINTS_FILE",
    "ROME_FILE",
    "WHOLE_CITY_CODES",
    "Job",
    "JobHit",
    "Place",
    "Referential",
    "Skill",
    "haversine_km",
    "title_variants",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
ROME_FILE = "rome.json.gz"
COMMUNES_FILE = "communes.json.gz"
POINTS_FILE = "commune_points.odbl.json.gz"

_ROME_CODE = re.compile(r"^\s*([A-Na-n])\s*-?\s*(\d{4})\s*$")


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


class Referential(PlaceLookups):
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
