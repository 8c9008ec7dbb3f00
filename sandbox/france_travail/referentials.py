"""The bundled referential files (ROME 4.0, communes, commune points), read and indexed once.

``ft_client/data/`` holds the open ROME 4.0 and commune files that ``scripts/build_referentials.py``
writes; ``sandbox/data/`` holds the sandbox-only tables (contract types, soft skills, samples).
They are read as data (gzip + json); no project code is imported.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import gzip
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SANDBOX_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_REFERENTIAL_DIR = Path(__file__).resolve().parents[2] / "ft_client" / "data"


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per data dir (cached)
class Referentials:
    """The bundled referential files, indexed for the emulator."""

    rome: dict[str, Any]
    communes: dict[str, dict[str, Any]]  # insee -> commune record
    departements: dict[str, dict[str, Any]]
    regions: dict[str, str]
    points: dict[str, tuple[float, float]]
    jobs: dict[str, dict[str, Any]]  # ROME code -> job record
    skills: dict[str, tuple[str, str]]  # OGR code -> (label, kind)
    children: dict[str, tuple[str, ...]]  # whole city -> arrondissements
    appellation_codes: dict[str, str]  # appellation label -> OGR code
    appellations: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # code -> (label, rome, P/S)

    def commune_centre(self, insee: str) -> tuple[float, float] | None:
        """Centre of a commune: its point, else the mean of its arrondissements' points."""
        if insee in self.points:
            return self.points[insee]
        pts = [self.points[c] for c in self.children.get(insee, ()) if c in self.points]
        if not pts:
            return None
        return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Building many small dicts triggers full collections over the big referentials: pause them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_gz_json(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def read_sandbox_json(name: str) -> Any:
    return json.loads((SANDBOX_DATA_DIR / name).read_text(encoding="utf-8"))


@functools.cache
def load_referentials(data_dir: Path = DEFAULT_REFERENTIAL_DIR) -> Referentials:
    """Read ``rome.json.gz``, ``communes.json.gz`` and ``commune_points.odbl.json.gz`` (cached)."""
    with gc_paused():
        return _load_referentials(data_dir)


def _load_referentials(data_dir: Path) -> Referentials:
    rome = _read_gz_json(data_dir / "rome.json.gz")
    geo = _read_gz_json(data_dir / "communes.json.gz")
    raw_points = _read_gz_json(data_dir / "commune_points.odbl.json.gz")["points"]
    communes = {c["insee"]: c for c in geo["communes"]}
    children: dict[str, list[str]] = {}
    for c in geo["communes"]:
        if c.get("kind") == "arrondissement" and c.get("parent"):
            children.setdefault(c["parent"], []).append(c["insee"])
    appellation_codes: dict[str, str] = {}
    appellations: dict[str, tuple[str, str, str]] = {}
    for job in rome["jobs"]:
        for code, label, kind in job["titles"]:
            appellation_codes.setdefault(label, code)
            appellations[code] = (label, job["code"], kind)
    return Referentials(
        rome=rome,
        communes=communes,
        departements=geo["departements"],
        regions=geo["regions"],
        points={k: (float(v[0]), float(v[1])) for k, v in raw_points.items()},
        jobs={j["code"]: j for j in rome["jobs"]},
        skills={k: (v[0], v[1]) for k, v in rome["skills"].items()},
        children={k: tuple(sorted(v)) for k, v in children.items()},
        appellation_codes=appellation_codes,
        appellations=appellations,
    )


@functools.cache
def sandbox_referentials() -> dict[str, Any]:
    """typesContrats, naturesContrats and qualités descriptions bundled in ``sandbox/data``."""
    return read_sandbox_json("referentiels.json")


@functools.cache
def soft_skill_labels() -> tuple[dict[str, str], ...]:
    """The 23 real soft skills: ``{"key": "soft_skill_01", "summary": ..., "details": ...}``."""
    return tuple(read_sandbox_json("soft_skills.json")["skills"])


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))
