"""Privacy rules of the storage layer on both backends (issue 11): nothing stored before use,
erasure and export of the person's own rows only, migration 0002 (private chat ids)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import Storage
from storage.persistence import conversation_key_text
from tests import helpers_storage

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
GROUP = -1001

# The storage fixtures, parametrized over both backends (tests/helpers_storage.py).
backend = helpers_storage.backend
fresh_location = helpers_storage.fresh_location
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url
storage = helpers_storage.storage


async def test_touch_user_refreshes_known_users_only(storage: Storage) -> None:
    assert not await storage.touch_user(41, "Inconnu", "fr", at=NOW)
    assert await storage.get_user(41) is None  # writing to the bot stores nothing

    created = await storage.upsert_user(42, 42, "Léa", "fr", at=NOW)
    assert await storage.mark_blocked(42, at=NOW + timedelta(minutes=1))
    later = NOW + timedelta(hours=2)
    assert await storage.touch_user(42, "Léa M.", "en", at=later)
    touched = await storage.get_user(42)
    assert touched is not None and not touched.blocked
    assert (touched.first_name, touched.language) == ("Léa M.", "en")
    assert touched.last_seen_at == later and touched.created_at == created.created_at
    assert touched.chat_id == 42
    assert await storage.get_users([41, 42]) == {42: touched}
    with pytest.raises(ValueError, match="user_id"):
        await storage.touch_user(0)


async def _group_rows(storage: Storage, user_id: int, other: int) -> None:
    """A person whose older row points at a group, and rows of that group's members."""
    await storage.upsert_user(user_id, GROUP, "Léa", "fr")  # as an older version stored it
    await storage.upsert_user(other, other, "Tom", "fr")
    await storage.ptb_store("chat_data", GROUP, json.dumps({"group": "secret"}))
    await storage.ptb_store("chat_data", user_id, json.dumps({"mine": 1}))
    keys = {
        "theirs_in_group": (GROUP, user_id),
        "theirs_in_private": (user_id,),  # per-chat conversation of the private chat
        "other_in_group": (GROUP, other),
        "other_digits": (GROUP, int(f"1{user_id}")),  # ends with the same digits
        "other_text": (GROUP, str(user_id)),  # a str element is no user id
    }
    for name, key in keys.items():
        await storage.ptb_store_conversation(name, conversation_key_text(key), json.dumps(name))


async def test_export_holds_own_rows_only(storage: Storage) -> None:
    await _group_rows(storage, 604, 605)
    export = await storage.export_user(604)
    memory = export["bot_memory"]
    assert memory["chat_data"] == {"604": {"mine": 1}}
    assert memory["conversations"] == [
        {"name": "theirs_in_group", "key": [GROUP, 604], "state": "theirs_in_group"},
        {"name": "theirs_in_private", "key": [604], "state": "theirs_in_private"},
    ]
    assert "secret" not in json.dumps(export)


async def test_delete_erases_own_rows_and_leaves_group_rows(storage: Storage) -> None:
    await _group_rows(storage, 604, 605)
    deleted = await storage.delete_user(604)
    assert deleted["users"] == 1
    assert deleted["ptb_chat_data"] == 1 and deleted["ptb_conversations"] == 2
    chat_rows = await storage.ptb_load("chat_data")
    assert sorted(row[0] for row in chat_rows) == [GROUP]
    names = ("theirs_in_group", "theirs_in_private", "other_in_group", "other_digits")
    left = [name for name in (*names, "other_text") if await storage.ptb_load_conversations(name)]
    assert left == ["other_in_group", "other_digits", "other_text"]
    assert await storage.get_user(605) is not None


async def test_json_true_is_not_user_one(storage: Storage) -> None:
    await storage.upsert_user(1, 1)
    await storage.ptb_store_conversation("odd", "[true]", json.dumps("x"))
    await storage.ptb_store_conversation("own", "[1]", json.dumps("y"))
    assert [c["name"] for c in (await storage.export_user(1))["bot_memory"]["conversations"]] == [
        "own"
    ]
    assert (await storage.delete_user(1))["ptb_conversations"] == 1
    assert await storage.ptb_load_conversations("odd") != []


async def test_migration_0002_points_chat_ids_back_at_the_private_chat(
    backend: str, fresh_location: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.migrator as migrator

    real = migrator.load_migrations(backend)  # type: ignore[arg-type]
    assert [(m.version, m.name) for m in real[:2]] == [(1, "initial"), (2, "private_chat_ids")]
    monkeypatch.setattr(migrator, "load_migrations", lambda backend: real[:1])
    async with Storage.open(fresh_location) as old:  # a database of version 1
        assert await old.schema_version() == 1
        await old.upsert_user(608, GROUP, "Léa", "fr")  # after a command typed in a group
        await old.upsert_user(609, 609, "Tom", "fr")
    monkeypatch.setattr(migrator, "load_migrations", lambda backend: real)
    async with Storage.open(fresh_location) as migrated:
        assert await migrated.schema_version() == len(real)
        users = await migrated.get_users([608, 609])
        assert {uid: user.chat_id for uid, user in users.items()} == {608: 608, 609: 609}


def test_both_backends_ship_the_same_migrations() -> None:
    from storage.migrator import BACKENDS, load_migrations

    names = {b: [(m.version, m.name) for m in load_migrations(b)] for b in BACKENDS}
    assert names["sqlite"] == names["postgresql"]
