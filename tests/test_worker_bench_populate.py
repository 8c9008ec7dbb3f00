"""The benchmarks' bulk set-up (`benchmarks.alert_population.populate`, one multi-row INSERT per
table and chunk) writes the users and profiles the storage's one-by-one API writes, saved alerts
included, so a fast set-up does not change the world the workers are measured on."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks import alert_cycle, alert_population
from benchmarks.alert_cycle import build_world
from benchmarks.alert_population import populate, spec_profile
from benchmarks.alert_saved import add_saved_alerts
from ft_client.referential import Referential
from storage import Storage


@pytest.fixture(scope="module")
def world() -> tuple[Referential, list[alert_cycle.UserSpec]]:
    ref = Referential.load()
    specs, _ = build_world(
        ref, random.Random(7), 25, datetime.now(UTC), lookback_days=3, saved_per_user=1.5
    )
    assert any(spec.saved for spec in specs) and any(not spec.saved for spec in specs)
    return ref, specs


async def _one_by_one(path: Path, specs: list[alert_cycle.UserSpec], ref: Referential) -> None:
    async with Storage.open(path) as storage:
        for spec in specs:
            await storage.upsert_user(spec.user_id, spec.user_id, f"User{spec.user_id}", "fr")
            await storage.upsert_profile(spec_profile(spec, ref))
            await add_saved_alerts(storage, spec.user_id, spec.saved, ref)


async def _contents(path: Path, user_ids: list[int]) -> tuple[object, ...]:
    async with Storage.open(path) as storage:
        users = await storage.get_users(user_ids)
        return (
            {uid: (u.chat_id, u.first_name, u.language, u.blocked_at) for uid, u in users.items()},
            [await storage.get_profile(uid) for uid in user_ids],
            # Everything but when each saved alert was stored.
            [
                [
                    dataclasses.replace(a, created_at=None)
                    for a in await storage.list_saved_alerts(uid)
                ]
                for uid in user_ids
            ],
        )


async def test_bulk_populate_writes_what_the_api_writes(
    tmp_path: Path, world: tuple[Referential, list[alert_cycle.UserSpec]], monkeypatch
) -> None:
    ref, specs = world
    monkeypatch.setattr(
        alert_population, "POPULATE_CHUNK", 10
    )  # several chunks, the last one short
    await populate(tmp_path / "bulk.sqlite3", specs, ref)
    await _one_by_one(tmp_path / "api.sqlite3", specs, ref)
    ids = [spec.user_id for spec in specs]
    bulk = await _contents(tmp_path / "bulk.sqlite3", ids)
    assert bulk == await _contents(tmp_path / "api.sqlite3", ids)
    assert len(bulk[0]) == len(specs)  # type: ignore[arg-type]
    assert all(profile is not None for profile in bulk[1])  # type: ignore[attr-defined]
