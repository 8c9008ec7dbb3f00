"""The Telegram Bot API emulator, exercised by a real python-telegram-bot Application over HTTP:
messages, keyboards, long polling, HTML and keyboard rejections, edits.

The other topics: ``test_telegram_emulator_limits.py`` (blocked users, rate limits) and
``test_telegram_emulator_api.py`` (files, commands, error bodies, tokens, objects); shared
fixtures in ``tests/helpers_telegram_emulator.py``.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application

from sandbox.telegram import TelegramEmulator
from tests import helpers_telegram_emulator
from tests.helpers_telegram_emulator import TOKEN

# The emulator and application fixtures (tests/helpers_telegram_emulator.py).
tg = helpers_telegram_emulator.tg
app = helpers_telegram_emulator.app


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
