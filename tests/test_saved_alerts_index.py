"""The saved-alert part of the due query and its index (migration 0009), on both backends: the
planner uses an index (SQLite: the covering ``saved_alerts_schedule``, no table scan, no sort;
PostgreSQL: ``saved_alerts_due``), the indexes ``storage/schema.py`` declares exist, and 0009
applies on a database left at 0008 keeping its data."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect

from ft_client.alert_feedback import Feedback, Reason
from ft_client.alert_filters import AlertFilters
from ft_client.alert_schedule import Frequency, Schedule
from storage import Storage
from storage.alert_delivery import _saved_due_select
from storage.saved_alerts import AlertCriteria, SavedAlert, _alert_values
from storage.schema import saved_alerts
from tests import helpers_storage
from tests.helpers_storage import add_user

backend = helpers_storage.backend
location = helpers_storage.location
fresh_location = helpers_storage.fresh_location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # Wednesday
ALERTS = 600


def alert(user_id: int, number: int) -> SavedAlert:
    return SavedAlert(
        user_id=user_id,
        alert_no=0,
        label=f"Serveur {number} · Lyon",
        criteria=AlertCriteria(
            rome_codes=("G1803", "G1801"), commune_code="69123", place_label="Lyon", radius_km=20
        ),
        schedule=Schedule(
            Frequency.WEEKLY if number % 3 == 0 else Frequency.DAILY,
            time(7 + number % 5, 0),
            weekday=number % 7,
            quiet_days=frozenset({5}) if number % 4 == 0 else frozenset(),
            enabled=number % 5 != 0,
        ),
        filters=AlertFilters(min_salary=1800, excluded_words=("nuit",), contract_types=("CDI",)),
    )


def due_sql(storage: Storage) -> str:
    statement = _saved_due_select(True)
    params = {
        "midnight": int(NOW.timestamp()),
        "minute": 600,
        "day_bit": 1 << 2,
        "weekday": 2,
        "today": "2026-12-02",
    }
    return str(
        statement.params(**params).compile(
            dialect=storage._engine.dialect, compile_kwargs={"literal_binds": True}
        )
    )


async def test_the_saved_alerts_due_query_is_served_by_an_index(storage: Storage) -> None:
    for user_id in range(1, ALERTS // 2 + 1):
        await add_user(storage, user_id)  # the query joins the profile
    async with storage._transaction() as db:
        # Two alerts a person, straight into the table: 600 add_saved_alert calls are slow.
        await db.execute(
            saved_alerts.insert(),
            [
                {
                    "user_id": user_id,
                    "alert_no": number,
                    "created_at": 0,
                    **_alert_values(alert(user_id, user_id * 2 + number), 0),
                }
                for user_id in range(1, ALERTS // 2 + 1)
                for number in (1, 2)
            ],
        )
    sql = due_sql(storage)
    if storage.backend == "sqlite":
        await storage._fetchall("ANALYZE")
        rows = await storage._fetchall(f"EXPLAIN QUERY PLAN {sql}")
        plan = " | ".join(str(row[-1]) for row in rows)
        assert "USING COVERING INDEX saved_alerts_schedule" in plan, plan
        assert "TEMP B-TREE" not in plan and "SCAN saved_alerts |" not in plan, plan
    else:
        async with storage._transaction() as db:
            await db.exec_driver_sql("ANALYZE")
            # Few rows: a sequential scan is cheapest; what matters is that the index serves it.
            await db.exec_driver_sql("SET LOCAL enable_seqscan = off")
            rows = (await db.exec_driver_sql(f"EXPLAIN {sql}")).all()
        plan = " | ".join(str(row[0]) for row in rows)
        assert "saved_alerts_due" in plan, plan
    # And the query answers what the rules say (the index changes no result).
    found = {int(row[0]) for row in await storage._fetchall(sql)}
    expected = {
        a.user_id
        for user_id in range(1, ALERTS // 2 + 1)
        for number in (1, 2)
        if (a := alert(user_id, user_id * 2 + number)).schedule.enabled
        and a.schedule.at <= time(10, 0)
        and 2 in a.schedule.days
    }
    assert found == expected and len(found) > 50


async def test_declared_indexes_exist_in_the_migrated_schema(storage: Storage) -> None:
    def reflect(sync_conn: Any) -> set[str]:
        return {index["name"] for index in inspect(sync_conn).get_indexes("saved_alerts")}

    async with storage._read_snapshot() as db:
        found = await db.run_sync(reflect)
    declared = {
        index.name
        for index in saved_alerts.indexes
        if index._ddl_if is None or index._ddl_if.dialect in (None, storage.backend)
    }
    assert declared <= found
    assert ("saved_alerts_schedule" in found) == (storage.backend == "sqlite")


async def test_migration_0009_applies_on_a_database_at_0008_and_keeps_its_data(
    backend: str, fresh_location: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.migrator as migrator

    real = migrator.load_migrations(backend)  # type: ignore[arg-type]
    assert [m.version for m in real][-1] == 9 and real[8].name == "saved_alerts_schedule"
    monkeypatch.setattr(migrator, "load_migrations", lambda backend: real[:8])
    async with Storage.open(fresh_location) as old:
        assert await old.schema_version() == 8
        await add_user(old, 7, skills=("Service en salle",))
        first = await old.add_saved_alert(alert(7, 1), at=NOW)
        second = await old.add_saved_alert(alert(7, 5), at=NOW)  # off: outside the index
        await old.modify_profile_alert_settings(
            7, lambda s: s.replace(filters=AlertFilters(licences_held=("B",)))
        )
        await old.add_feedback(7, Feedback("193XKZP", Reason.COMPANY, company="Lipp"), at=NOW)
        await old.mark_saved_alerts_served(7, [1], NOW, {1: "criteria"})
        before = {k: v for k, v in (await old.export_user(7)).items() if k != "exported_at"}
        assert "saved_alerts_schedule" not in await _index_names(old)

    monkeypatch.setattr(migrator, "load_migrations", lambda backend: real)
    async with Storage.open(fresh_location) as new:
        assert await new.schema_version() == 9
        versions = await new._fetchall("SELECT version FROM schema_version ORDER BY version")
        assert [int(v[0]) for v in versions] == list(range(1, 10))
        after = {k: v for k, v in (await new.export_user(7)).items() if k != "exported_at"}
        assert after == before and after["saved_alerts"] and after["not_interested"]
        kept = await new.list_saved_alerts(7)
        assert [a.alert_no for a in kept] == [first.alert_no, second.alert_no]
        assert kept[0].served_criteria == "criteria" and kept[0].filters == first.filters
        assert not kept[1].schedule.enabled
        settings = await new.get_profile_alert_settings(7)
        assert settings.filters.licences_held == ("B",)
        names = await _index_names(new)
        assert "saved_alerts_due" in names
        assert ("saved_alerts_schedule" in names) == (backend == "sqlite")
        # The migrated database keeps working: a new alert and its due time.
        await new.add_saved_alert(alert(7, 2), at=NOW)
        assert len(await new.list_saved_alerts(7)) == 3
        assert await new.integrity_check() == "ok"


async def _index_names(storage: Storage) -> set[str]:
    if storage.backend == "sqlite":
        rows = await storage._fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'saved_alerts'"
        )
    else:
        rows = await storage._fetchall(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'saved_alerts'"
        )
    return {str(row[0]) for row in rows}
