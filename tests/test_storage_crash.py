"""Crash safety: a writer process is killed with SIGKILL at random moments, several rounds.

After each kill the file must pass ``PRAGMA integrity_check``, every batch must be entirely
present or entirely absent, every batch the writer reported as committed must be there, and the
migrations must not run again.
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest

from storage import LATEST_SCHEMA_VERSION, Profile, Storage
from tests.helpers_storage import BATCH_SIZE

REPO = Path(__file__).resolve().parents[1]
ROUNDS = 6


async def run_and_kill(path: Path, lines_before_kill: int) -> list[int]:
    """Start the writer, kill it after it reported ``lines_before_kill`` commits."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.helpers_storage",
        str(path),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    committed: list[int] = []
    try:
        # lines_before_kill < 0: kill straight away (before, during or just after migrating).
        if lines_before_kill >= 0:
            assert await asyncio.wait_for(process.stdout.readline(), 20) == b"open\n"
            while len(committed) < lines_before_kill:
                line = await asyncio.wait_for(process.stdout.readline(), 20)
                match = re.fullmatch(rb"committed (\d+)\n", line)
                assert match, line
                committed.append(int(match.group(1)))
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL
    return committed


async def check_database(path: Path, committed: list[int]) -> list[tuple[int, str, int]]:
    async with Storage.open(path) as storage:
        assert await storage.integrity_check() == "ok"
        versions = await storage._fetchall("SELECT version, name, applied_at FROM schema_version")
        assert [v[0] for v in versions] == list(range(1, LATEST_SCHEMA_VERSION + 1))
        rows = await storage._fetchall("SELECT offer_id FROM sent_offers")
        batches = Counter(re.fullmatch(r"([MS]\d+)x\d+", r[0]).group(1) for r in rows)  # type: ignore[union-attr]
        partial = {batch: n for batch, n in batches.items() if n != BATCH_SIZE}
        assert partial == {}, f"half-written batches: {partial}"
        for i in committed:
            assert batches[f"M{i}"] == BATCH_SIZE and batches[f"S{i}"] == BATCH_SIZE, i
        # Every stored profile is readable and valid.
        for (uid,) in await storage._fetchall("SELECT user_id FROM profiles"):
            profile = await storage.get_profile(uid)
            assert profile is not None
            Profile(**{f: getattr(profile, f) for f in Profile.__dataclass_fields__})
        return list(versions)


@pytest.mark.slow
async def test_sigkill_at_random_moments_never_corrupts(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    path = tmp_path / "crash.sqlite3"
    first_versions = None
    all_committed: list[int] = []
    for round_number in range(ROUNDS):
        lines = -1 if round_number == 0 else rng.randint(0, 25)
        committed = await run_and_kill(path, lines)
        all_committed.extend(committed)
        if not path.exists():
            continue  # killed before SQLite created the file: nothing to check yet
        versions = await check_database(path, all_committed)
        if first_versions is None:
            first_versions = versions
        assert versions == first_versions  # migrations applied once, never re-run
    assert len(all_committed) > 0
