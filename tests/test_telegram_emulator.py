"""The Telegram Bot API emulator, exercised by a real python-telegram-bot Application over HTTP."""

from __future__ import annotations

import asyncio
import io
import json
import struct
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.alerts.sending import retry_after_seconds
from sandbox.telegram import TelegramEmulator, TelegramLimits

TOKEN = "123456:TEST-TOKEN"


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_html(
        "<b>Bonjour</b> &amp; bienvenue, <i>Léa</i> !",
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Oui", callback_data="answer:yes"),
                    InlineKeyboardButton("Non", callback_data="answer:no"),
                ],
                [InlineKeyboardButton("Site", url="https://www.francetravail.fr")],
            ]
        ),
    )


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer(f"Reçu : {query.data}")
    await query.edit_message_text(f"Vous avez choisi <b>{query.data}</b>", parse_mode="HTML")


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    if message.location is not None:
        await message.reply_text(f"Position {message.location.latitude:.2f}")
    else:
        await message.reply_text(f"Écho : {message.text}")


@pytest.fixture
async def tg() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator(token=TOKEN, bot_username="ft_job_bot") as emulator:
        yield emulator


@pytest.fixture
async def app(tg: TelegramEmulator) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_answer, pattern=r"^answer:"))
    application.add_handler(MessageHandler(filters.TEXT | filters.LOCATION, _echo))
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.1, timeout=5)
    await application.start()
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


async def test_getme_gives_ptb_the_bot_identity(app: Application) -> None:
    assert app.bot.username == "ft_job_bot"
    assert app.bot.id == 123456
    assert app.bot.can_join_groups is True


async def test_message_round_trip_with_html_entities_and_keyboard(
    tg: TelegramEmulator, app: Application
) -> None:
    user = tg.user(42, first_name="Léa", language_code="fr")
    sent = await user.send("/start")
    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

    reply = await user.wait_reply(timeout=5)
    assert reply.text == "Bonjour & bienvenue, Léa !"
    assert reply.html == "<b>Bonjour</b> &amp; bienvenue, <i>Léa</i> !"
    assert {"type": "bold", "offset": 0, "length": 7} in reply.entities
    assert {"type": "italic", "offset": 21, "length": 3} in reply.entities
    assert reply.button_texts == ["Oui", "Non", "Site"]
    assert reply.buttons[0][0].callback_data == "answer:yes"
    assert reply.buttons[1][0].url == "https://www.francetravail.fr"
    assert reply.message_id == sent["message_id"] + 1
    # The stored conversation holds both sides.
    assert [m.from_bot for m in tg.conversation(42)] == [False, True]


async def test_plain_text_and_location_updates_reach_handlers(
    tg: TelegramEmulator, app: Application
) -> None:
    user = tg.user(7, first_name="Karim")
    await user.send("Bonjour <b>pas du html</b> & co")
    assert (await user.wait_reply()).text == "Écho : Bonjour <b>pas du html</b> & co"
    await user.send_location(48.8566, 2.3522)
    assert (await user.wait_reply()).text == "Position 48.86"


async def test_keyboard_press_sends_callback_query_and_edit_removes_keyboard(
    tg: TelegramEmulator, app: Application
) -> None:
    user = tg.user(42, first_name="Léa")
    await user.send("/start")
    first = await user.wait_reply()
    await user.press("Oui")
    (edited,) = await user.replies(timeout=5, count=1, quiet=0)
    assert edited.edited and edited.message_id == first.message_id
    assert edited.text == "Vous avez choisi answer:yes"
    assert edited.buttons == ()  # editMessageText without reply_markup drops the keyboard
    answer = await user.wait_callback_answer()
    assert answer.text == "Reçu : answer:yes"
    assert user.last_callback_answer == answer
    assert tg.messages_for(42)[-1].text == "Vous avez choisi answer:yes"


async def test_press_by_callback_data_and_unknown_button_lists_choices(
    tg: TelegramEmulator, app: Application
) -> None:
    user = tg.user(42)
    await user.send("/start")
    await user.wait_reply()
    with pytest.raises(AssertionError, match=r"no button 'Peut-être'.*'Oui'.*'Non'"):
        await user.press("Peut-être")
    with pytest.raises(AssertionError, match="not a callback button"):
        await user.press("Site")
    await user.press("answer:no")
    assert (await user.wait_reply()).text == "Vous avez choisi answer:no"


async def test_replies_is_empty_when_the_bot_says_nothing(
    tg: TelegramEmulator, app: Application
) -> None:
    user = tg.user(5)
    assert await user.replies(timeout=0.2) == []
    with pytest.raises(AssertionError, match="expected 1 bot message"):
        await user.replies(timeout=0.2, count=1)


async def test_long_polling_returns_as_soon_as_an_update_arrives(tg: TelegramEmulator) -> None:
    user = tg.user(42)
    async with httpx.AsyncClient(base_url=f"{tg.base_url}{TOKEN}") as client:
        poll = asyncio.create_task(client.post("/getUpdates", json={"timeout": 40}))
        # The poll is parked on the server until there is something to return.
        await tg.wait_until_polling()
        assert not poll.done()
        await user.send("hello")
        response = await asyncio.wait_for(poll, timeout=10)
    updates = response.json()["result"]
    assert [u["message"]["text"] for u in updates] == ["hello"]


async def test_get_updates_offset_confirms_and_limit(tg: TelegramEmulator) -> None:
    user = tg.user(42)
    for text in ("un", "deux", "trois"):
        await user.send(text)
    async with httpx.AsyncClient(base_url=f"{tg.base_url}{TOKEN}") as client:
        first = (await client.get("/getUpdates", params={"limit": 2})).json()["result"]
        assert [u["message"]["text"] for u in first] == ["un", "deux"]
        rest = (
            await client.post("/getUpdates", data={"offset": str(first[-1]["update_id"] + 1)})
        ).json()["result"]
        assert [u["message"]["text"] for u in rest] == ["trois"]
        assert tg.pending_updates == rest


async def test_html_rejections_match_telegram(app: Application, tg: TelegramEmulator) -> None:
    tg.user(42)
    bot = app.bot
    with pytest.raises(
        BadRequest, match=r"(?i)Can't find end tag corresponding to start tag \"b\""
    ):
        await bot.send_message(42, "<b>gras", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r'(?i)Unsupported start tag "foo" at byte offset 6'):
        await bot.send_message(42, "Café <foo>x</foo>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r'(?i)Unsupported start tag "" at byte offset 2'):
        await bot.send_message(42, "1 < 2", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)Unmatched end tag"):
        await bot.send_message(42, "<b><i>x</b></i>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)Message text is empty"):
        await bot.send_message(42, "<b> </b>", parse_mode=ParseMode.HTML)
    # Escaped text is fine, and so is a bare "&" (Telegram keeps it).
    ok = await bot.send_message(42, "1 &lt; 2 &amp;&#33; AT&T", parse_mode=ParseMode.HTML)
    assert ok.text == "1 < 2 &! AT&T"
    assert tg.stats.errors[("sendmessage", 400)] == 5


async def test_text_length_is_counted_after_entity_parsing(
    app: Application, tg: TelegramEmulator
) -> None:
    tg.user(42)
    bot = app.bot
    with pytest.raises(BadRequest, match=r"(?i)Message is too long"):
        await bot.send_message(42, "a" * 4097)
    ok = await bot.send_message(42, "<b>" + "a" * 4095 + "</b>&amp;", parse_mode="HTML")
    assert len(ok.text) == 4096
    # Emoji outside the BMP count as two UTF-16 code units, as in Telegram.
    with pytest.raises(BadRequest, match=r"(?i)Message is too long"):
        await bot.send_message(42, "😀" * 2049)


async def test_keyboard_rejections(app: Application, tg: TelegramEmulator) -> None:
    tg.user(42)
    bot = app.bot

    def keyboard(**button: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Bouton", **button)]])

    with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid"):
        await bot.send_message(42, "x", reply_markup=keyboard(callback_data="é" * 32 + "x"))
    await bot.send_message(42, "x", reply_markup=keyboard(callback_data="é" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match=r"(?i)Wrong HTTP URL"):
        await bot.send_message(42, "x", reply_markup=keyboard(url="pas une url"))
    async with httpx.AsyncClient(base_url=f"{tg.base_url}{TOKEN}") as client:
        not_rows = await client.post(
            "/sendMessage",
            json={"chat_id": 42, "text": "x", "reply_markup": {"inline_keyboard": [{"text": "a"}]}},
        )
        assert not_rows.status_code == 400
        empty_data = await client.post(
            "/sendMessage",
            json={
                "chat_id": 42,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": ""}]]},
            },
        )
        assert empty_data.status_code == 400
        assert empty_data.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"
        assert "must be an Array of Arrays" in not_rows.json()["description"]
        no_action = await client.post(
            "/sendMessage",
            json={
                "chat_id": 42,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "a"}]]},
            },
        )
        assert no_action.json()["description"] == (
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in "
            "the inline keyboard"
        )
        garbage = await client.post(
            "/sendMessage", data={"chat_id": "42", "text": "x", "reply_markup": "{not json"}
        )
        assert garbage.json()["description"] == (
            "Bad Request: can't parse reply keyboard markup JSON object"
        )


async def test_reply_keyboard_and_press_sends_its_text(
    app: Application, tg: TelegramEmulator
) -> None:
    user = tg.user(42)
    await app.bot.send_message(
        42,
        "Où cherchez-vous ?",
        reply_markup=ReplyKeyboardMarkup(
            [[KeyboardButton("Paris"), KeyboardButton("Ma position", request_location=True)]]
        ),
    )
    prompt = await user.wait_reply()
    assert prompt.reply_keyboard_texts == ["Paris", "Ma position"]
    assert "reply_markup" not in prompt.raw  # Telegram echoes only inline keyboards
    with pytest.raises(AssertionError, match="send_location"):
        await user.press("Ma position")
    await user.press("Paris")
    assert (await user.wait_reply()).text == "Écho : Paris"


async def test_identical_edit_is_not_modified(app: Application, tg: TelegramEmulator) -> None:
    tg.user(42)
    bot = app.bot
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    message = await bot.send_message(42, "<b>Texte</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
        await bot.edit_message_text(
            "<strong>Texte</strong>", 42, message.message_id, parse_mode="HTML", reply_markup=markup
        )
    with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
        await bot.edit_message_reply_markup(42, message.message_id, reply_markup=markup)
    edited = await bot.edit_message_reply_markup(42, message.message_id, reply_markup=None)
    assert edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)Message to edit not found"):
        await bot.edit_message_text("x", 42, 999)


async def test_blocked_user_gets_403_and_bot_sees_my_chat_member(
    app: Application, tg: TelegramEmulator
) -> None:
    user = tg.user(42)
    user.block_bot()
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await app.bot.send_message(42, "Alerte")
    user.unblock_bot()
    await app.bot.send_message(42, "Alerte")
    with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
        await app.bot.send_message(999, "personne")


async def test_per_chat_rate_limit_answers_429_with_retry_after(
    app: Application, tg: TelegramEmulator
) -> None:
    tg.limits.per_chat_burst = 2
    tg.limits.per_chat_per_second = 0.01  # the bucket will not refill during the test
    tg.user(42)
    tg.user(43)
    await app.bot.send_message(42, "1")
    await app.bot.send_message(42, "2")
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(42, "3")
    # PTB builds RetryAfter from parameters.retry_after: ceil(1 token / 0.01 per second).
    assert retry_after_seconds(caught.value) == 100
    assert tg.stats.too_many_requests == 1
    await app.bot.send_message(43, "another chat is not limited")
    tg.limits.enabled = False
    await app.bot.send_message(42, "limits can be switched off")


async def test_global_rate_limit(app: Application, tg: TelegramEmulator) -> None:
    tg.limits.global_burst = 3
    tg.limits.global_per_second = 0.01
    for chat_id in range(1, 5):
        tg.user(chat_id)
    for chat_id in range(1, 4):
        await app.bot.send_message(chat_id, "ok")
    with pytest.raises(RetryAfter):
        await app.bot.send_message(4, "too many")
    assert tg.stats.max_sends_in_window(1.0) == 3


async def test_callback_query_answered_twice_is_too_old(
    app: Application, tg: TelegramEmulator
) -> None:
    user = tg.user(42)
    await user.send("/start")
    await user.wait_reply()
    await user.press("Oui")
    await user.wait_callback_answer()
    query_id = next(iter(tg._callback_queries))
    with pytest.raises(BadRequest, match=r"(?i)Query is too old"):
        await app.bot.answer_callback_query(query_id, text="again")
    with pytest.raises(BadRequest, match=r"(?i)Query is too old"):
        await app.bot.answer_callback_query("unknown")


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x00\x00\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_send_photo_and_document_store_bytes(app: Application, tg: TelegramEmulator) -> None:
    user = tg.user(42)
    image = _png(3, 2)
    message = await app.bot.send_photo(42, photo=image, caption="<i>Carte</i>", parse_mode="HTML")
    assert (message.photo[-1].width, message.photo[-1].height) == (3, 2)
    assert message.caption == "Carte"
    shown = await user.wait_reply()
    assert shown.kind == "photo" and shown.photo == image
    downloaded = await (await app.bot.get_file(message.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == image

    document = await app.bot.send_document(
        42, document=io.BytesIO(b'{"offres": []}'), filename="export.json"
    )
    assert document.document is not None
    assert document.document.file_name == "export.json"
    assert (await user.wait_reply()).document == b'{"offres": []}'
    with pytest.raises(BadRequest, match=r"(?i)Image_process_failed"):
        await app.bot.send_photo(42, photo=b"not an image")
    with pytest.raises(BadRequest, match=r"(?i)Message caption is too long"):
        await app.bot.send_photo(42, photo=image, caption="x" * 1025)


async def test_commands_by_scope_and_language(app: Application, tg: TelegramEmulator) -> None:
    bot = app.bot
    await bot.set_my_commands([BotCommand("start", "Commencer")], language_code="fr")
    await bot.set_my_commands([BotCommand("stats", "Statistiques")], scope=BotCommandScopeChat(42))
    assert [c.command for c in await bot.get_my_commands(language_code="fr")] == ["start"]
    assert await bot.get_my_commands() == ()
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(42))] == [
        "stats"
    ]
    with pytest.raises(BadRequest, match=r"(?i)Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start-Now", "x")])
    await bot.delete_my_commands(language_code="fr")
    assert await bot.get_my_commands(language_code="fr") == ()


async def test_error_bodies_are_telegrams(tg: TelegramEmulator) -> None:
    tg.user(42)
    tg.limits.per_chat_burst = 1
    tg.limits.per_chat_per_second = 0.01
    async with httpx.AsyncClient(base_url=f"{tg.base_url}{TOKEN}") as client:
        bad_html = await client.post(
            "/sendMessage", json={"chat_id": 42, "text": "<b>x", "parse_mode": "HTML"}
        )
        assert bad_html.status_code == 400
        assert bad_html.json() == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: can't parse entities: Can't find end tag corresponding "
            'to start tag "b"',
        }
        assert (await client.post("/sendMessage", json={"chat_id": 42, "text": "a"})).is_success
        limited = await client.post("/sendMessage", json={"chat_id": 42, "text": "b"})
        assert limited.status_code == 429
        assert limited.json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 100",
            "parameters": {"retry_after": 100},
        }


async def test_wrong_token_and_unknown_method(tg: TelegramEmulator) -> None:
    async with httpx.AsyncClient(base_url=tg.root_url) as client:
        unauthorized = await client.get("/bot999:WRONG/getMe")
        assert unauthorized.status_code == 401
        assert unauthorized.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
        unknown = await client.post(f"/bot{TOKEN}/sendTelepathy", json={})
        assert unknown.status_code == 404
        assert unknown.json()["description"] == "Not Found"
        # Method names are case-insensitive, GET works, form bodies work.
        me = await client.get(f"/bot{TOKEN}/GETME")
        assert me.json()["result"]["username"] == "ft_job_bot"
    application = ApplicationBuilder().token("999:WRONG").base_url(tg.base_url).build()
    with pytest.raises(InvalidToken):
        await application.initialize()


async def test_message_ids_and_dates_are_valid_bot_api_objects(
    app: Application, tg: TelegramEmulator
) -> None:
    tg.user(42, first_name="Léa")
    tg.user(43, first_name="Paul")
    first = await app.bot.send_message(42, "a")
    second = await app.bot.send_message(42, "b")
    other = await app.bot.send_message(43, "c")
    assert second.message_id == first.message_id + 1
    assert other.message_id == 1  # message ids are per private chat
    assert first.chat.type == "private" and first.chat.first_name == "Léa"
    assert first.from_user is not None and first.from_user.is_bot
    assert abs(first.date.timestamp() - second.date.timestamp()) < 5
    raw = tg.conversation(42)[0].data
    assert json.loads(json.dumps(raw)) == raw


async def test_limits_can_be_disabled_at_construction() -> None:
    async with TelegramEmulator(limits=TelegramLimits(enabled=False)) as tg:
        tg.user(42)
        async with httpx.AsyncClient(base_url=f"{tg.base_url}{tg.token}") as client:
            for number in range(40):
                response = await client.post(
                    "/sendMessage", data={"chat_id": "42", "text": str(number)}
                )
                assert response.is_success
        assert tg.stats.messages_sent == 40
        assert tg.stats.too_many_requests == 0


async def test_limits_are_on_by_default() -> None:
    """A default emulator rejects a flooded chat like Telegram (bot tests catch floods)."""
    async with TelegramEmulator() as tg:
        assert tg.limits.enabled and tg.limits.global_per_second == 30.0
        tg.user(42)
        statuses = []
        async with httpx.AsyncClient(base_url=f"{tg.base_url}{tg.token}") as client:
            for number in range(40):  # no 429 would need 30 s between the first and last send
                response = await client.post(
                    "/sendMessage", data={"chat_id": "42", "text": str(number)}
                )
                statuses.append(response.status_code)
                if response.status_code == 429:
                    assert response.json()["parameters"]["retry_after"] >= 1
        assert statuses[: tg.limits.per_chat_burst] == [200] * tg.limits.per_chat_burst
        assert 429 in statuses
        assert tg.stats.too_many_requests == statuses.count(429)
