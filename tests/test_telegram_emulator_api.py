"""Telegram emulator API surface: photos and documents, commands by scope, Telegram's error
bodies, wrong token and unknown method, valid message ids and dates.
"""

from __future__ import annotations

import io
import json
import struct
import zlib

import httpx
import pytest
from telegram import BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, InvalidToken
from telegram.ext import Application, ApplicationBuilder

from sandbox.telegram import TelegramEmulator
from tests import helpers_telegram_emulator
from tests.helpers_telegram_emulator import TOKEN

# The emulator and application fixtures (tests/helpers_telegram_emulator.py).
tg = helpers_telegram_emulator.tg
app = helpers_telegram_emulator.app


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
