"""SqlitePersistence with a real PTB Application and ConversationHandler, restarted on one
database (a SQLite file, or PostgreSQL).

The Bot API side is an in-process ``BaseRequest`` answering getMe / sendMessage like Telegram
(the "fast in-process layer"); updates are fed with ``application.process_update``.
"""

from __future__ import annotations

import json
import threading
import time as time_module
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PersistenceInput,
    filters,
)
from telegram.request import BaseRequest, RequestData

from storage import PersistenceSerializationError, SqlitePersistence, Storage
from tests import helpers_storage

TOKEN = "123456:TEST-TOKEN"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "FT Bot", "username": "ft_job_bot"}
ASK_JOB, ASK_CITY = range(2)

# The storage fixtures, parametrized over both backends (tests/helpers_storage.py).
backend = helpers_storage.backend
location = helpers_storage.location
shared_postgres_url = helpers_storage.shared_postgres_url


class FakeBotApi(BaseRequest):
    """Answers the Bot API methods these tests use, recording every sent message."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self._message_id = 1000

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if api_method == "getMe":
            result: Any = {**BOT_USER, "can_join_groups": True, "supports_inline_queries": False}
        elif api_method == "sendMessage":
            self._message_id += 1
            self.sent.append(params)
            chat_id = int(params["chat_id"])  # type: ignore[arg-type]
            result = {
                "message_id": self._message_id,
                "date": int(time_module.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
                "text": params["text"],
            }
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def texts(self, chat_id: int) -> list[str]:
        return [str(m["text"]) for m in self.sent if int(m["chat_id"]) == chat_id]  # type: ignore[arg-type]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_message is not None and context.user_data is not None
    context.user_data["started"] = True
    await update.effective_message.reply_text("Quel métier cherchez-vous ?")
    return ASK_JOB


async def got_job(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_message is not None and context.user_data is not None
    context.user_data["job"] = update.effective_message.text
    await update.effective_message.reply_text("Dans quelle ville ?")
    return ASK_CITY


async def got_city(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_message is not None and context.user_data is not None
    job = context.user_data.get("job")
    await update.effective_message.reply_text(
        f"C'est noté : {job} à {update.effective_message.text}"
    )
    return ConversationHandler.END


async def outside(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("hors conversation")


def build(persistence: SqlitePersistence, api: FakeBotApi) -> Application:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(api)
        .get_updates_request(FakeBotApi())
        .persistence(persistence)
        .build()
    )
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("start", start)],
            states={
                ASK_JOB: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_job)],
                ASK_CITY: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_city)],
            },
            fallbacks=[],
            name="onboarding",
            persistent=True,
        )
    )
    # Same group, after the conversation: runs only for messages the conversation ignores.
    application.add_handler(MessageHandler(filters.TEXT, outside))
    return application


_update_id = 0


def message(user_id: int, text: str) -> dict[str, Any]:
    global _update_id
    _update_id += 1
    user = {"id": user_id, "is_bot": False, "first_name": "Léa", "language_code": "fr"}
    data: dict[str, Any] = {
        "message_id": _update_id,
        "date": int(time_module.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Léa"},
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        data["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": _update_id, "message": data}


async def send(application: Application, user_id: int, text: str) -> None:
    await application.process_update(Update.de_json(message(user_id, text), application.bot))


async def test_conversation_resumes_after_restart(location: str | Path) -> None:
    path = location
    api = FakeBotApi()
    app = build(SqlitePersistence(path), api)
    await app.initialize()
    await send(app, 42, "/start")
    await send(app, 42, "Cuisinier")
    await send(app, 7, "/start")
    await app.shutdown()  # PTB writes the persistence and flushes
    assert api.texts(42)[-1] == "Dans quelle ville ?"

    # A new process: new Application, new persistence, same file.
    api2 = FakeBotApi()
    app2 = build(SqlitePersistence(path), api2)
    await app2.initialize()
    assert app2.user_data[42] == {"started": True, "job": "Cuisinier"}
    await send(app2, 42, "Lyon")
    assert api2.texts(42)[0] == "C'est noté : Cuisinier à Lyon"
    await send(app2, 7, "Boulanger")  # user 7 resumes at their own step
    assert api2.texts(7)[0] == "Dans quelle ville ?"
    await app2.shutdown()

    # The finished conversation is gone from the database; user 7's is still there.
    async with Storage.open(path) as storage:
        rows = await storage._fetchall("SELECT name, key, state FROM ptb_conversations")
        assert rows == [("onboarding", "[7,7]", str(ASK_CITY))]


async def test_works_when_application_owns_startup_with_shared_storage(
    location: str | Path,
) -> None:
    """Persistence given an open Storage shared with the bot's own repository calls."""
    async with Storage.open(location) as storage:
        api = FakeBotApi()
        app = build(SqlitePersistence(storage), api)
        await app.initialize()
        await send(app, 42, "/start")
        await app.update_persistence()
        export = await storage.export_user(42)
        assert export["bot_memory"]["user_data"] == {"started": True}
        assert export["bot_memory"]["conversations"] == [
            {"name": "onboarding", "key": [42, 42], "state": ASK_JOB}
        ]
        await app.shutdown()
        assert not storage.closed  # the bot's Storage is not closed by PTB's flush


async def test_delete_user_forgets_conversation_and_user_data(location: str | Path) -> None:
    path = location
    app = build(SqlitePersistence(path), FakeBotApi())
    await app.initialize()
    await send(app, 42, "/start")
    await app.shutdown()
    async with Storage.open(path) as storage:
        await storage.upsert_user(42, 42, "Léa", "fr")
        deleted = await storage.delete_user(42)
        assert deleted["ptb_user_data"] == 1 and deleted["ptb_conversations"] == 1

    api = FakeBotApi()
    app2 = build(SqlitePersistence(path), api)
    await app2.initialize()
    assert 42 not in app2.user_data
    await send(app2, 42, "Cuisinier")  # no longer inside the conversation
    assert api.texts(42) == ["hors conversation"]
    await app2.shutdown()


async def test_drop_user_and_chat_data(location: str | Path) -> None:
    path = location
    app = build(SqlitePersistence(path), FakeBotApi())
    await app.initialize()
    await send(app, 42, "/start")
    app.chat_data[42]["x"] = 1
    app.mark_data_for_update_persistence(chat_ids=42)
    await app.update_persistence()
    persistence = app.persistence
    assert isinstance(persistence, SqlitePersistence)
    assert await persistence.get_chat_data() == {42: {"x": 1}}
    app.drop_user_data(42)
    app.drop_chat_data(42)
    await app.update_persistence()
    assert await persistence.get_user_data() == {}
    assert await persistence.get_chat_data() == {}
    await app.shutdown()


async def test_non_json_user_data_fails_clearly_through_error_handlers(
    location: str | Path,
) -> None:
    app = build(SqlitePersistence(location), FakeBotApi())
    errors: list[object] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    app.add_error_handler(on_error)
    await app.initialize()
    await send(app, 42, "/start")
    app.user_data[42]["results"] = ("193XKZP", "200ABCD")  # a tuple would come back as a list
    await app.update_persistence()
    assert len(errors) == 1 and isinstance(errors[0], PersistenceSerializationError)
    assert "user_data[42]['results']: a tuple cannot be persisted" in str(errors[0])
    await app.shutdown()


async def test_bot_data_is_not_persisted_by_default(location: str | Path) -> None:
    """bot_data holds runtime services (locks, connections) that PTB must not deep-copy."""
    path = location
    app = build(SqlitePersistence(path), FakeBotApi())
    await app.initialize()
    app.bot_data["services"] = threading.Lock()  # neither copyable nor JSON
    await send(app, 42, "/start")
    await app.update_persistence()
    await app.shutdown()
    async with Storage.open(path) as storage:
        assert await storage._fetchall("SELECT * FROM ptb_bot_data") == []


async def test_bot_and_callback_data_round_trip_when_enabled(location: str | Path) -> None:
    path = location
    persistence = SqlitePersistence(path, store_data=PersistenceInput())
    await persistence.update_bot_data({"announcement": "Bonjour 👋", "n": [1, 2.5, None]})
    await persistence.update_callback_data(
        ([("uuid-1", 1700000000.5, {"k": "v"})], {"m": "uuid-1"})
    )
    await persistence.flush()
    reopened = SqlitePersistence(path, store_data=PersistenceInput())
    assert await reopened.get_bot_data() == {"announcement": "Bonjour 👋", "n": [1, 2.5, None]}
    assert await reopened.get_callback_data() == (
        [("uuid-1", 1700000000.5, {"k": "v"})],
        {"m": "uuid-1"},
    )
    with pytest.raises(PersistenceSerializationError, match="dict key 1 is a int"):
        await reopened.update_bot_data({1: "x"})  # type: ignore[dict-item]
    with pytest.raises(PersistenceSerializationError, match="finite"):
        await reopened.update_chat_data(5, {"x": float("nan")})
    await reopened.flush()
