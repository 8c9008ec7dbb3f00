"""`benchmarks/matching_quality.py` reads a held-out set only when told to: none by default, a
retired (looked-at) set never counted as held out, a missing file refused. Arguments only: the
benchmark itself is not run (nor any held-out file read)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "matching_quality", ROOT / "benchmarks" / "matching_quality.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_held_out_set_by_default() -> None:
    bench = _benchmark()
    assert bench.parse_args([]).held_out == []
    assert bench.parse_args(["--no-held-out"]).held_out == []  # older commands still run


def test_a_retired_set_is_never_evaluated_as_held_out(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _benchmark()
    [(retired, label)] = bench.LOOKED_AT_SETS
    fresh = ROOT / "benchmarks" / "data" / "heldout_2026_12b.json"
    assert bench.held_out_paths([retired, fresh, fresh]) == [fresh]
    assert label in capsys.readouterr().out


def test_a_missing_held_out_file_is_refused(tmp_path: Path) -> None:
    bench = _benchmark()
    with pytest.raises(SystemExit) as stop:
        bench.parse_args(["--held-out", str(tmp_path / "nope.json")])
    assert stop.value.code == 2
