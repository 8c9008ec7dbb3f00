"""Storage: favourites, alert runs, France Travail errors, /stats, GDPR erase and export."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from storage import AlertRun, FavouriteSnapshot, Storage
from storage.schema import DATA_TABLES, ptb_chat_data, ptb_conversations, ptb_user_data
from tests import helpers_storage
from tests.helpers_storage import add_user, paris

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

# The storage fixtures, parametrized over both backends (tests/helpers_storage.py).
backend = helpers_storage.backend
fresh_location = helpers_storage.fresh_location
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage


# ---------------------------------------------------------------- favourites


async def test_favourites_are_per_user(storage: Storage) -> None:
    await add_user(storage, 1)
    await add_user(storage, 2)
    snap = FavouriteSnapshot("193XKZP", "Cuisinier H/F", "Le Bistrot", "75 - Paris", "https://x.fr")
    assert await storage.add_favourite(1, snap, at=NOW)
    assert not await storage.add_favourite(1, snap.__class__("193XKZP", "Chef"), at=NOW)
    await storage.add_favourite(1, FavouriteSnapshot("200ABCD", "Serveur"), at=NOW + timedelta(1))
    favs = await storage.list_favourites(1)
    assert [f.offer_id for f in favs] == ["200ABCD", "193XKZP"]
    assert favs[1].title == "Chef" and favs[1].saved_at == NOW  # snapshot refreshed, date kept
    assert await storage.list_favourites(1, limit=1) == favs[:1]
    assert await storage.is_favourite(1, "193XKZP")
    assert not await storage.remove_favourite(2, "193XKZP")  # not theirs
    assert await storage.list_favourites(2) == []
    assert len(await storage.list_favourites(1)) == 2
    assert await storage.remove_favourite(1, "193XKZP")
    assert not await storage.remove_favourite(1, "193XKZP")
    with pytest.raises(ValueError, match="http"):
        FavouriteSnapshot("A1", "t", url="javascript:alert(1)")


# ---------------------------------------------------------------- runs, errors, stats


async def test_stats(storage: Storage) -> None:
    now = paris(2026, 11, 25, 12, 0)
    await add_user(storage, 1)
    await add_user(storage, 2, alerts_enabled=False)
    await add_user(storage, 3)
    await storage.mark_blocked(3)
    await storage.upsert_user(4, 4)  # no profile yet
    await storage.mark_sent(1, ["A", "B"], at=paris(2026, 11, 25, 0, 0))
    await storage.mark_sent(1, ["C"], at=paris(2026, 11, 24, 23, 59))  # yesterday
    await storage.record_ft_error("offres_search", 500, at=now - timedelta(hours=1))
    await storage.record_ft_error("offres_search", None, at=now - timedelta(hours=2))
    await storage.record_ft_error("token", 401, at=now - timedelta(hours=23))
    await storage.record_ft_error("token", 401, at=now - timedelta(hours=25))
    run = AlertRun(
        started_at=now - timedelta(minutes=5),
        finished_at=now,
        users_due=3,
        users_served=2,
        offers_sent=7,
        ft_calls=4,
        ft_errors=1,
        outcome="partial",
        detail="1 group failed",
    )
    run_id = await storage.record_alert_run(run)
    stats = await storage.stats(now)
    assert stats["users"] == 4 and stats["blocked_users"] == 1 and stats["profiles"] == 3
    assert stats["alert_subscribers"] == 1
    assert stats["offers_sent_today"] == 2
    assert stats["ft_errors_24h"] == 3
    assert stats["ft_errors_24h_by_endpoint"] == {"offres_search": 2, "token": 1}
    assert stats["last_alert_run"]["id"] == run_id
    assert stats["last_alert_run"]["outcome"] == "partial"
    [stored] = await storage.last_alert_runs()
    assert stored == run.__class__(
        **{
            **run.to_json(),
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "id": run_id,
        }
    )
    json.dumps(stats)
    with pytest.raises(ValueError, match="outcome"):
        AlertRun(started_at=now, finished_at=now, outcome="meh")
    with pytest.raises(ValueError, match="before"):
        AlertRun(started_at=now, finished_at=now - timedelta(seconds=1))


async def test_ft_errors_are_pruned_after_30_days(storage: Storage) -> None:
    now = NOW
    await storage.record_ft_error("offres_search", 503, at=now - timedelta(days=31))
    await storage.record_ft_error("offres_search", 503, at=now)
    assert await storage._fetchone("SELECT count(*) FROM ft_errors") == (1,)


# ---------------------------------------------------------------- GDPR


async def _populate(storage: Storage, user_id: int) -> None:
    await add_user(storage, user_id, skills=("cuisine",), place_code="75115")
    await storage.mark_sent(user_id, ["A1", "B2"], at=NOW)
    await storage.add_favourite(user_id, FavouriteSnapshot("A1", "Chef"), at=NOW)
    async with storage._transaction() as db:
        await db.execute(
            insert(ptb_user_data).values(user_id=user_id, data=json.dumps({"step": "x"}))
        )
        await db.execute(insert(ptb_chat_data).values(chat_id=user_id, data="{}"))
        key = json.dumps([user_id, user_id], separators=(",", ":"))
        await db.execute(insert(ptb_conversations).values(name="onboarding", key=key, state="2"))
        # Another user's conversation whose key merely contains the digits: never theirs.
        other = json.dumps([user_id * 11, user_id * 11], separators=(",", ":"))
        await db.execute(insert(ptb_conversations).values(name="other", key=other, state="0"))


async def test_delete_user_removes_every_row_and_only_theirs(storage: Storage) -> None:
    await _populate(storage, 1)
    await _populate(storage, 2)
    deleted = await storage.delete_user(1)
    assert deleted == {
        "profiles": 1,
        "sent_offers": 2,
        "favourites": 1,
        "users": 1,
        "ptb_user_data": 1,
        "ptb_chat_data": 1,
        "ptb_conversations": 1,
        # Alerts people control (0006): none in this fixture; tests/test_saved_alerts_storage.py.
        "saved_alerts": 0,
        "profile_alert_settings": 0,
        "offer_feedback": 0,
    }
    # Every table but the global ones holds rows about users: a table added later must be
    # erased by delete_user (and exported), or be listed here as global.
    # The sweep's offers are France Travail's public job ads: nobody's personal data.
    global_tables = {"alert_runs", "ft_errors", "ptb_bot_data", "ptb_callback_data"}
    global_tables |= {"offers", "sweep_state"}
    assert set(deleted) == {table.name for table in DATA_TABLES} - global_tables
    for table, column in [
        ("users", "user_id"),
        ("profiles", "user_id"),
        ("sent_offers", "user_id"),
        ("favourites", "user_id"),
        ("ptb_user_data", "user_id"),
        ("ptb_chat_data", "chat_id"),
    ]:
        rows = await storage._fetchall(
            f"SELECT {column} FROM {table}"  # noqa: S608
        )
        assert {r[0] for r in rows} == {2}, table
    convs = await storage._fetchall("SELECT key FROM ptb_conversations")
    assert sorted(row[0] for row in convs) == ["[11,11]", "[2,2]", "[22,22]"]
    assert (await storage.export_user(1))["user"] is None
    assert await storage.delete_user(1) == dict.fromkeys(deleted, 0)


async def test_export_user_is_complete_and_json(storage: Storage) -> None:
    await _populate(storage, 1)
    await _populate(storage, 2)
    export = await storage.export_user(1)
    text = json.dumps(export, ensure_ascii=False)
    assert json.loads(text) == export
    assert export["user"]["user_id"] == 1
    assert export["profile"]["skills"] == ["cuisine"]
    assert export["profile"]["place_code"] == "75115"
    assert [s["offer_id"] for s in export["sent_offers"]] == ["A1", "B2"]
    assert export["favourites"][0]["title"] == "Chef"
    assert export["bot_memory"]["user_data"] == {"step": "x"}
    assert export["bot_memory"]["conversations"] == [
        {"name": "onboarding", "key": [1, 1], "state": 2}
    ]
    assert '"user_id": 2' not in text
