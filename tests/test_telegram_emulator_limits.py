"""Telegram emulator limits: blocked users, per-chat and global rate limits, stale callbacks."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application

from bot.alerts.sending import retry_after_seconds
from sandbox.telegram import TelegramEmulator, TelegramLimits
from tests import helpers_telegram_emulator

# The emulator and application fixtures (tests/helpers_telegram_emulator.py).
tg = helpers_telegram_emulator.tg
app = helpers_telegram_emulator.app


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
