"""/supprimer and /mesdonnees end to end, checked against the SQLite file itself."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers_cmd import WAIT, add_offers, cmd_env, make_profile

pytestmark = pytest.mark.timeout(120)

# Every table holding per-user rows, and the column naming the user (or their private chat).
USER_TABLES = {
    "users": "user_id",
    "profiles": "user_id",
    "sent_offers": "user_id",
    "favourites": "user_id",
    "ptb_user_data": "user_id",
    "ptb_chat_data": "chat_id",
}


def rows_about(db_path: Path, user_id: int) -> dict[str, int]:
    """Rows mentioning the user in every per-user table, read from the file directly."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        counts = {
            table: db.execute(
                f"SELECT count(*) FROM {table} WHERE {column} = ?",  # noqa: S608 - our names
                (user_id,),
            ).fetchone()[0]
            for table, column in USER_TABLES.items()
        }
        counts["ptb_conversations"] = db.execute(
            # Qualified: an unqualified `key` would be json_each's own column.
            "SELECT count(*) FROM ptb_conversations c WHERE EXISTS"
            " (SELECT 1 FROM json_each(c.key) k WHERE k.value = ?)",
            (user_id,),
        ).fetchone()[0]
    return counts


async def _user_with_everything(env, user_id: int) -> None:
    """A profile, a favourite, an offer marked sent and some persisted bot memory."""
    await make_profile(env, user_id)
    [offer_id] = add_offers(env, "Zythologue", 1)
    user = env.user(user_id)
    await user.send(f"/offre {offer_id}")
    await user.replies(timeout=WAIT, count=1)
    await user.press("⭐ Sauvegarder")
    await user.replies(timeout=WAIT, count=1)
    await user.send("/recherche zythologue")  # remembers the search in user_data
    await user.replies(timeout=WAIT, count=1)
    await env.services.storage.mark_sent(user_id, [offer_id])
    await env.app.update_persistence()


async def test_delete_erases_every_row_and_the_bot_memory(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        db_path = env.settings.database_path
        await _user_with_everything(env, 501)
        await _user_with_everything(env, 502)  # a bystander whose data must stay
        before = rows_about(db_path, 501)
        for table in ("users", "profiles", "sent_offers", "favourites", "ptb_user_data"):
            assert before[table] >= 1, table

        user = env.user(501)
        await user.send("/supprimer")
        confirm = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "irréversible" in confirm.text
        await user.press("Oui, tout effacer")
        done = (await user.replies(timeout=WAIT, count=1))[-1]
        assert done.message_id == confirm.message_id
        assert "Toutes vos données ont été effacées" in done.text
        await env.app.update_persistence()

        assert rows_about(db_path, 501) == dict.fromkeys([*USER_TABLES, "ptb_conversations"], 0)
        assert 501 not in env.app.user_data
        assert 501 not in env.app.chat_data
        assert await env.services.storage.get_profile(501) is None
        assert rows_about(db_path, 502)["favourites"] == 1
        assert rows_about(db_path, 502)["ptb_user_data"] == 1

        # The old paging button refers to a search the bot no longer remembers.
        await user.press_callback(done.message_id, "v1|page|0123456789|1")
        assert "plus valable" in (await user.wait_callback_answer(timeout=WAIT)).text


async def test_delete_cancel_keeps_everything(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 503)
        user = env.user(503)
        await user.send("/delete")
        await user.replies(timeout=WAIT, count=1)
        await user.press("Non, garder")
        assert "Rien n'a été effacé" in (await user.replies(timeout=WAIT, count=1))[-1].text
        assert await env.services.storage.get_profile(503) is not None


async def test_my_data_is_a_json_document(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await _user_with_everything(env, 504)
        user = env.user(504)
        await user.send("/mesdonnees")
        message = (await user.replies(timeout=WAIT, count=1))[-1]
        assert message.kind == "document"
        assert message.file_name and message.file_name.endswith(".json")
        data = json.loads(message.document.decode("utf-8"))
        assert data["user"]["user_id"] == 504
        assert "service en salle" in data["profile"]["skills"]
        assert [f["title"] for f in data["favourites"]] == ["Zythologue 1"]
        assert len(data["sent_offers"]) == 1
        assert data["bot_memory"]["user_data"]["searches"]  # what the bot remembers, too

        # A person who only ever sent this command has not started using the bot: nothing
        # is stored about them, and asking stores nothing either.
        newcomer = env.user(505)
        await newcomer.send("/mydata")
        reply = (await newcomer.replies(timeout=WAIT, count=1))[-1]
        assert reply.kind == "text" and "aucune donnée" in reply.text
        await env.app.update_persistence()
        assert rows_about(env.settings.database_path, 505) == dict.fromkeys(
            [*USER_TABLES, "ptb_conversations"], 0
        )


async def test_delete_in_the_middle_of_onboarding_ends_the_conversation(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        db_path = env.settings.database_path
        user = env.user(506)
        await user.send("/start")
        await user.replies(timeout=WAIT, count=1)
        # Updates are handled one after the other: once /aide is answered, the conversation
        # state set when /start's handler returned is in memory.
        await user.send("/aide")
        assert "Ce que je sais faire" in (await user.replies(timeout=WAIT, count=1))[-1].text
        await env.app.update_persistence()
        assert rows_about(db_path, 506)["ptb_conversations"] == 1

        await user.send("/supprimer")
        await user.replies(timeout=WAIT, count=1)
        await user.press("Oui, tout effacer")
        await user.replies(timeout=WAIT, count=1)
        await env.app.update_persistence()
        assert rows_about(db_path, 506) == dict.fromkeys([*USER_TABLES, "ptb_conversations"], 0)

        # Text is no longer taken as an onboarding answer.
        await user.send("serveur")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Je n'ai pas compris" in reply.text


async def test_only_the_latest_confirmation_erases(tmp_path) -> None:
    """A forged "yes" on another message, or the buttons of an older question, erase nothing."""
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 507)
        user = env.user(507)
        await user.send("/aide")
        help_message = (await user.replies(timeout=WAIT, count=1))[-1]
        await user.press_callback(help_message.message_id, "v1|del|yes")
        assert "plus valable" in (await user.wait_callback_answer(timeout=WAIT)).text
        assert await env.services.storage.get_profile(507) is not None

        await user.send("/supprimer")
        older = (await user.replies(timeout=WAIT, count=1))[-1]
        await user.send("/supprimer")
        latest = (await user.replies(timeout=WAIT, count=1))[-1]
        await user.press_callback(older.message_id, "v1|del|yes")
        assert "plus valable" in (await user.wait_callback_answer(timeout=WAIT)).text
        assert await env.services.storage.get_profile(507) is not None

        # The forged presses did not spoil the real question: it still works.
        await user.press_callback(latest.message_id, "v1|del|yes")
        done = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Toutes vos données ont été effacées" in done.text
        assert await env.services.storage.get_profile(507) is None
        # Pressed again, the answered question is stale.
        await user.press_callback(latest.message_id, "v1|del|yes")
        assert "plus valable" in (await user.wait_callback_answer(timeout=WAIT)).text


async def test_my_data_after_delete_finds_nothing_and_recreates_nothing(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await _user_with_everything(env, 508)
        user = env.user(508)
        await user.send("/supprimer")
        await user.replies(timeout=WAIT, count=1)
        await user.press("Oui, tout effacer")
        await user.replies(timeout=WAIT, count=1)

        await user.send("/mesdonnees")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert reply.kind == "text" and reply.text == "Je ne garde aucune donnée sur vous."
        await user.send("/aide")  # any other message stores nothing either
        await user.replies(timeout=WAIT, count=1)
        await env.app.update_persistence()
        assert rows_about(env.settings.database_path, 508) == dict.fromkeys(
            [*USER_TABLES, "ptb_conversations"], 0
        )


async def test_export_says_what_is_in_progress_and_holds_no_stale_draft(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(509)
        await user.send("/start")
        await user.replies(timeout=WAIT, count=2)
        await user.send("/mesdonnees")
        message = (await user.replies(timeout=WAIT, count=1))[-1]
        export = json.loads(message.document.decode("utf-8"))
        assert export["in_progress"]["step"] == "métiers visés"
        assert "Confirmer" in export["in_progress"]["what"]
        assert export["in_progress"]["answers_so_far"]["jobs"] == []
        assert "draft" not in json.dumps(export["bot_memory"])

        await user.send("/annuler")
        await user.replies(timeout=WAIT, count=1)
        # A draft left behind by a conversation that is over (an older version, a lost
        # timeout): neither exported nor kept.
        env.app.user_data[509]["draft"] = {"jobs": [["G1803", "Serveur"]], "step": "place"}
        await user.send("/mesdonnees")
        message = (await user.replies(timeout=WAIT, count=1))[-1]
        export = json.loads(message.document.decode("utf-8"))
        assert "in_progress" not in export
        assert "G1803" not in json.dumps(export)
        assert "draft" not in env.app.user_data[509]


async def test_privacy_texts_say_what_is_sent_kept_and_how_to_erase(tmp_path) -> None:
    """The welcome and /aide promise only what the code does: search criteria go to France
    Travail (no identity); the profile, favourites and sent offers stay until /supprimer."""
    async with cmd_env(tmp_path) as env:
        user = env.user(510)
        await user.send("/start")
        welcome = (await user.replies(timeout=WAIT, count=2))[0].text
        await user.send("/aide")
        help_text = (await user.replies(timeout=WAIT, count=1))[-1].text
        for text in (welcome, help_text):
            assert "transmises à personne" not in text
            assert "France Travail" in text and "commune" in text and "métiers" in text
            assert "jamais votre nom ni votre identité" in text
            assert "profil" in text and "favoris" in text and "offres déjà envoyées" in text
            assert "/supprimer" in text
        # "Kept until /supprimer" is true only while nothing expires sent offers on its own.
        import bot

        sources = "\n".join(p.read_text("utf-8") for p in Path(bot.__file__).parent.rglob("*.py"))
        assert "prune_sent_offers" not in sources
