"""Alerts and personal data belong to the person's private chat (issue 11, defect 1).

A person active in private and in two groups: the groups get "écrivez-moi en privé" with a
deep link and nothing is stored from them; alerts keep going to the private chat; /supprimer
and /mesdonnees touch only the person's own rows, never another member's group state.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.persistence import conversation_key_text
from tests.helpers_alerts import PARIS_CODE, alert_env
from tests.helpers_cmd import WAIT, cmd_env, make_profile

pytestmark = pytest.mark.timeout(120)

GROUP = -1001
SUPERGROUP = -1002003004005
# Wednesday 25 November 2026, 08:00 in Paris.
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


def rows_with_chat(db_path: Path, chat_id: int) -> dict[str, int]:
    """Rows naming this chat: the chat data, conversations keyed on it, users sent there."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        return {
            "ptb_chat_data": db.execute(
                "SELECT count(*) FROM ptb_chat_data WHERE chat_id = ?", (chat_id,)
            ).fetchone()[0],
            "ptb_conversations": db.execute(
                "SELECT count(*) FROM ptb_conversations WHERE json_extract(key, '$[0]') = ?",
                (chat_id,),
            ).fetchone()[0],
            "users": db.execute(
                "SELECT count(*) FROM users WHERE chat_id = ?", (chat_id,)
            ).fetchone()[0],
        }


def table_counts(db_path: Path) -> dict[str, int]:
    tables = ("users", "profiles", "favourites", "ptb_user_data", "ptb_chat_data")
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        counts = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in tables
        }
        counts["ptb_conversations"] = db.execute(
            "SELECT count(*) FROM ptb_conversations"
        ).fetchone()[0]
    return counts


async def test_commands_and_buttons_in_groups_redirect_and_store_nothing(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        db_path = env.settings.database_path
        await make_profile(env, 601)
        await env.app.update_persistence()
        before = table_counts(db_path)
        in_group = env.tg.group_member(601, GROUP, title="Collègues")
        in_supergroup = env.tg.group_member(601, SUPERGROUP, chat_type="supergroup")
        stranger = env.tg.group_member(602, GROUP)  # never used the bot

        for member, text in (
            (in_group, "/aide"),
            (in_supergroup, "/start"),
            (in_group, "/competences accueil, caisse"),
            (stranger, "/start"),
            (stranger, "/mesdonnees"),
        ):
            await member.send(text)
            # Members of one group share its messages: the latest is the answer to this one.
            reply = (await member.replies(timeout=WAIT, count=1))[-1]
            assert "Écrivez-moi en privé" in reply.text, text
            [[button]] = reply.buttons
            assert button.url == "https://t.me/ft_job_bot?start=depuis_un_groupe"
        # A button pressed in a group (an old or forwarded one): the same answer.
        await in_group.press_callback(reply.message_id, "v1|fav|AAA0001")
        assert (await in_group.wait_callback_answer(timeout=WAIT)).text == "Écrivez-moi en privé."
        reply = (await in_group.replies(timeout=WAIT, count=1))[-1]
        assert "Écrivez-moi en privé" in reply.text
        # Ordinary group chatter: no answer at all.
        await in_group.send("bonjour à tous")
        assert await in_group.replies(timeout=1.0) == []
        await env.app.update_persistence()

        user = await env.storage.get_user(601)
        assert user is not None and user.chat_id == 601  # alerts still go to the private chat
        assert await env.storage.get_user(602) is None
        assert table_counts(db_path) == before
        for chat_id in (GROUP, SUPERGROUP):
            assert rows_with_chat(db_path, chat_id) == dict.fromkeys(
                ("ptb_chat_data", "ptb_conversations", "users"), 0
            )
        profile = await env.storage.get_profile(601)
        assert profile is not None and "caisse" not in profile.skills


async def test_alerts_go_to_the_private_chat_after_a_command_in_a_group(tmp_path) -> None:
    async with alert_env(tmp_path, polling=True) as env:
        await env.add_user(603, "G1803", PARIS_CODE)
        offer = env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW)
        member = env.tg.group_member(603, GROUP)
        await member.send("/aide")
        [redirect] = await member.replies(timeout=WAIT, count=1)

        report = await env.cycle(NOW.replace(hour=8))
        assert report.messages_sent == 1
        assert all(offer["id"] not in (m.html or "") for m in env.tg.messages_for(GROUP))
        [digest] = env.messages(603)
        assert offer["id"] in (digest.html or "")
        assert env.tg.messages_for(GROUP) == [redirect]
        assert "Écrivez-moi en privé" in redirect.text


async def test_delete_and_export_leave_other_members_group_rows_alone(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        db_path = env.settings.database_path
        storage = env.storage
        await make_profile(env, 604)
        await make_profile(env, 605)
        # Rows a group chat may hold from before groups were refused (or from the other
        # member's own use): the group's chat data and each member's conversation there.
        await storage.ptb_store("chat_data", GROUP, json.dumps({"group": "secret"}))
        for user_id in (604, 605):
            key = conversation_key_text((GROUP, user_id))
            await storage.ptb_store_conversation("onboarding", key, json.dumps("jobs"))
        await storage.ptb_store("chat_data", 604, json.dumps({"mine": 1}))
        await env.restart()  # the bot loads them, as after a deployment
        storage = env.storage
        # Before the fix a group command pointed the user's chat id at the group.
        in_group = env.tg.group_member(604, GROUP)
        for command in ("/mesdonnees", "/supprimer"):
            await in_group.send(command)
            reply = (await in_group.replies(timeout=WAIT, count=1))[-1]
            assert reply.kind == "text" and "Écrivez-moi en privé" in reply.text
        await env.app.update_persistence()

        private = env.user(604)
        await private.send("/mesdonnees")
        export_message = (await private.replies(timeout=WAIT, count=1))[-1]
        assert export_message.kind == "document"
        export = json.loads(export_message.document.decode("utf-8"))
        assert export["user"]["chat_id"] == 604
        memory = export["bot_memory"]
        assert set(memory["chat_data"]) <= {"604"}
        assert all(c["key"][-1] == 604 for c in memory["conversations"])
        assert "secret" not in json.dumps(export)

        await private.send("/supprimer")
        await private.replies(timeout=WAIT, count=1)
        await private.press("Oui, tout effacer")
        await private.replies(timeout=WAIT, count=1)
        await env.app.update_persistence()

        assert await storage.get_user(604) is None
        assert await storage.get_profile(605) is not None
        remaining = rows_with_chat(db_path, GROUP)
        assert remaining["ptb_chat_data"] == 1  # the group's own data
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
            keys = [json.loads(row[0]) for row in db.execute("SELECT key FROM ptb_conversations")]
        assert keys == [[GROUP, 605]]  # 604's own state went, 605's stays


async def test_storage_erases_and_exports_own_rows_even_with_a_group_chat_id(tmp_path) -> None:
    """A row recorded by an older version, whose chat id points at a group."""
    async with cmd_env(tmp_path) as env:
        storage = env.storage
        await make_profile(env, 606)
        await storage.upsert_user(606, GROUP, "Léa", "fr")
        await storage.ptb_store("chat_data", GROUP, json.dumps({"group": "secret"}))
        for user_id in (606, 607):
            key = conversation_key_text((GROUP, user_id))
            await storage.ptb_store_conversation("onboarding", key, json.dumps("jobs"))

        export = await storage.export_user(606)
        assert export["bot_memory"]["chat_data"] == {}
        assert [c["key"] for c in export["bot_memory"]["conversations"]] == [[GROUP, 606]]
        deleted = await storage.delete_user(606)
        assert deleted["ptb_chat_data"] == 0 and deleted["ptb_conversations"] == 1
        db_path = env.settings.database_path
        assert rows_with_chat(db_path, GROUP)["ptb_chat_data"] == 1


async def test_migration_points_chat_ids_of_older_rows_back_at_the_private_chat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.migrator as migrator
    from storage import Storage

    path = tmp_path / "old.sqlite3"
    real = migrator.load_migrations("sqlite")
    # A database of version 1 (tests/test_storage_privacy.py runs this on both backends).
    monkeypatch.setattr(migrator, "load_migrations", lambda backend: real[:1])
    async with Storage.open(path) as old:
        await old.upsert_user(608, GROUP, "Léa", "fr")  # after a command typed in a group
        await old.upsert_user(609, 609, "Tom", "fr")
    monkeypatch.setattr(migrator, "load_migrations", lambda backend: real)
    async with Storage.open(path) as migrated:
        users = await migrated.get_users([608, 609])
        assert {uid: user.chat_id for uid, user in users.items()} == {608: 608, 609: 609}
