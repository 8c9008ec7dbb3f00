"""Protocol details of the Telegram emulator: webhooks, conflicts, rate-limiter retries, TTLs."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from telegram import Bot, ChatMemberUpdated, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import AIORateLimiter, ApplicationBuilder, ChatMemberHandler, ContextTypes

from sandbox.telegram import TelegramEmulator
from tests.helpers_telegram import polling_application


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def tg() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator() as emulator:
        yield emulator


def api(tg: TelegramEmulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=f"{tg.base_url}{tg.token}", timeout=30)


async def test_ai_rate_limiter_retries_after_429(tg: TelegramEmulator) -> None:
    tg.limits.per_chat_burst = 1
    tg.limits.per_chat_per_second = 2.0
    tg.user(42)
    application = (
        ApplicationBuilder()
        .token(tg.token)
        .base_url(tg.base_url)
        .rate_limiter(AIORateLimiter(max_retries=2))
        .build()
    )
    async with application:
        await application.bot.send_message(42, "un")
        await application.bot.send_message(42, "deux")  # 429 retry_after=1, then retried
    assert tg.stats.too_many_requests == 1
    assert [m.text for m in tg.messages_for(42)] == ["un", "deux"]


async def test_concurrent_get_updates_conflict(tg: TelegramEmulator) -> None:
    async with api(tg) as client:
        first = asyncio.create_task(client.post("/getUpdates", json={"timeout": 30}))
        await tg.wait_until_polling()
        second = await client.post("/getUpdates", json={"timeout": 0})
        assert second.status_code == 200
        response = await asyncio.wait_for(first, timeout=10)
    assert response.status_code == 409
    assert response.json()["description"].startswith("Conflict: terminated by other getUpdates")


async def test_webhook_delivery_to_loopback_with_secret(tg: TelegramEmulator) -> None:
    received: asyncio.Queue[tuple[dict, str | None]] = asyncio.Queue()

    async def hook(request: web.Request) -> web.Response:
        await received.put(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        user = tg.user(42)
        async with api(tg) as client:
            refused = await client.post("/setWebhook", data={"url": "https://example.com/hook"})
            assert refused.status_code == 400
            assert "loopback" in refused.json()["description"]
            ok = await client.post(
                "/setWebhook",
                data={"url": f"http://127.0.0.1:{port}/hook", "secret_token": "s3cret"},
            )
            assert ok.json()["result"] is True
            info = (await client.get("/getWebhookInfo")).json()["result"]
            assert info["url"].endswith("/hook")
            conflict = await client.post("/getUpdates")
            assert conflict.status_code == 409
        await user.send("par webhook")
        update, secret = await asyncio.wait_for(received.get(), timeout=10)
        assert update["message"]["text"] == "par webhook"
        assert secret == "s3cret"
    finally:
        await runner.cleanup()


async def test_callback_query_expires() -> None:
    clock = FakeClock()
    async with TelegramEmulator(clock=clock) as emulator:
        user = emulator.user(42)
        async with api(emulator) as client:
            sent = await client.post(
                "/sendMessage",
                json={
                    "chat_id": 42,
                    "text": "Choix",
                    "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
                },
            )
            assert sent.is_success
            query_id = await user.press("A")
            clock.now += 16  # Telegram gives the bot about 15 s to answer
            late = await client.post("/answerCallbackQuery", data={"callback_query_id": query_id})
        assert late.status_code == 400
        assert late.json()["description"] == (
            "Bad Request: query is too old and response timeout expired or query ID is invalid"
        )


async def test_blocking_sends_my_chat_member_updates_to_the_bot(tg: TelegramEmulator) -> None:
    statuses: asyncio.Queue[str] = asyncio.Queue()

    async def member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        changed = update.my_chat_member
        assert isinstance(changed, ChatMemberUpdated)
        await statuses.put(changed.new_chat_member.status)

    async with polling_application(
        tg, ChatMemberHandler(member, ChatMemberHandler.MY_CHAT_MEMBER)
    ) as application:
        user = tg.user(42)
        user.block_bot()
        assert await asyncio.wait_for(statuses.get(), 10) == "kicked"
        with pytest.raises(Forbidden):
            await application.bot.send_chat_action(42, "typing")
        await user.send("re-bonjour")  # writing again unblocks, as in Telegram clients
        assert await asyncio.wait_for(statuses.get(), 10) == "member"
        assert not user.blocked


async def test_edit_delete_actions_and_replies(tg: TelegramEmulator) -> None:
    user = tg.user(42)
    sent_by_user = await user.send("question")
    async with polling_application(tg) as application:
        bot = application.bot
        answer = await bot.send_message(
            42, "réponse", reply_parameters={"message_id": sent_by_user["message_id"]}
        )
        assert answer.reply_to_message is not None
        assert answer.reply_to_message.text == "question"
        with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
            await bot.send_message(42, "x", reply_to_message_id=999)
        with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
            await bot.edit_message_text("modifié", 42, sent_by_user["message_id"])
        assert await bot.delete_message(42, answer.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await bot.delete_message(42, answer.message_id)
        assert tg.messages_for(42) == []
        assert tg.messages_for(42, include_deleted=True)[0].deleted
        await bot.send_chat_action(42, "typing")
        assert tg.chat_actions(42) == ["typing"]
        with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
            await bot.send_chat_action(42, "dancing")
        chat = await bot.get_chat(42)
        assert (chat.type, chat.first_name) == ("private", "Test")
        location = await bot.send_location(42, latitude=48.85, longitude=2.35)
        assert location.location is not None
        assert location.location.latitude == pytest.approx(48.85)
        with pytest.raises(BadRequest):
            await bot.send_location(42, latitude=91, longitude=0)


async def test_allowed_updates_and_drop_pending(tg: TelegramEmulator) -> None:
    user = tg.user(42)
    async with api(tg) as client:
        first = await client.post(
            "/getUpdates", json={"allowed_updates": ["callback_query"], "timeout": 0}
        )
        assert first.json()["result"] == []
        await user.send("ignored: only callback queries are allowed")
        assert (await client.post("/getUpdates", json={"timeout": 0})).json()["result"] == []
        await client.post("/getUpdates", json={"allowed_updates": [], "timeout": 0})
        await user.send("kept")
        await client.post("/deleteWebhook", data={"drop_pending_updates": "true"})
        assert (await client.post("/getUpdates", json={"timeout": 0})).json()["result"] == []


async def test_control_api_requires_the_token(tg: TelegramEmulator) -> None:
    async with httpx.AsyncClient(base_url=tg.root_url) as client:
        wrong = await client.post("/_sandbox/nope/users", json={"id": 1})
        assert wrong.status_code == 401
        created = await client.post(
            f"/_sandbox/{tg.token}/users", json={"id": 5, "first_name": "Zoé"}
        )
        assert created.json()["first_name"] == "Zoé"
        missing = await client.post(f"/_sandbox/{tg.token}/users/6/send", json={"text": "x"})
        assert missing.status_code == 400


async def test_bot_descriptions_by_language(tg: TelegramEmulator) -> None:
    async with polling_application(tg) as application:
        bot = application.bot
        await bot.set_my_description("Trouvez un emploi", language_code="fr")
        await bot.set_my_short_description("Offres France Travail")
        assert (await bot.get_my_description("fr")).description == "Trouvez un emploi"
        assert (await bot.get_my_description("en")).description == ""
        assert (await bot.get_my_short_description("fr")).short_description == (
            "Offres France Travail"
        )
        assert (await bot.get_my_name()).name == "FT Job Bot"
        with pytest.raises(BadRequest):
            await bot.set_my_short_description("x" * 121)


async def test_wait_until_wakes_on_bot_calls(tg: TelegramEmulator) -> None:
    tg.user(42)
    async with polling_application(tg) as application:
        task = asyncio.create_task(application.bot.send_chat_action(42, "typing"))
        await tg.wait_until(lambda: tg.chat_actions(42) == ["typing"], timeout=10)
        await task
        with pytest.raises(AssertionError, match="still false"):
            await tg.wait_until(lambda: len(tg.chat_actions(42)) > 1, timeout=0.2)


async def test_standalone_cli_serves_ptb() -> None:
    """``python -m sandbox.telegram --port 0`` prints its URLs; a PTB Bot works against them."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox.telegram", "--port", "0", "--username", "cli_bot",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        settings: dict[str, str] = {}
        while len(settings) < 2:
            line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
            assert line, "the emulator exited early"
            key, sep, value = line.strip().partition("=")
            if sep and key.startswith("TELEGRAM_"):
                settings[key] = value
        assert settings["TELEGRAM_API_BASE_URL"].startswith("http://127.0.0.1:")
        bot = Bot(settings["TELEGRAM_BOT_TOKEN"], base_url=settings["TELEGRAM_API_BASE_URL"])
        async with bot:
            assert bot.username == "cli_bot"
            assert await bot.get_updates(timeout=0) == ()
    finally:
        process.terminate()
        await process.wait()


async def test_a_client_leaving_mid_request_is_not_an_emulator_error(
    tg: TelegramEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    # A bot shutting down closes its connection in the middle of a request body.
    url = httpx.URL(f"{tg.base_url}{tg.token}/sendMessage")
    _reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(
        f"POST {url.raw_path.decode()} HTTP/1.1\r\nHost: {url.host}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
        "chat_id=1".encode()
    )
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    await tg.wait_until(lambda: tg.stats.calls["sendmessage"] == 1, timeout=5)
    await asyncio.sleep(0.2)  # let the server notice the closed connection
    async with api(tg) as client:
        assert (await client.get("/getMe")).json()["ok"] is True
    assert not [r for r in caplog.records if r.exc_info], "the emulator logged a traceback"
