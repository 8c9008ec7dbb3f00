"""``allow_paid_broadcast``: a higher per-bot rate for paid broadcasts, the 30/s limit otherwise.

The emulator's clock is frozen, so its buckets never refill during a test: the counts below are
exact, whatever the machine's speed.
"""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot
from telegram.error import RetryAfter

from sandbox.telegram import TelegramEmulator, TelegramLimits


def _frozen_clock() -> float:
    return 1000.0


async def _send_to_many(tg: TelegramEmulator, chats: range, *, paid: bool | None) -> list[int]:
    statuses = []
    async with httpx.AsyncClient(base_url=f"{tg.base_url}{tg.token}") as client:
        for chat_id in chats:
            data = {"chat_id": str(chat_id), "text": "Nouvelles offres"}
            if paid is not None:
                data["allow_paid_broadcast"] = "true" if paid else "false"
            response = await client.post("/sendMessage", data=data)
            statuses.append(response.status_code)
    return statuses


@pytest.mark.parametrize("paid", [None, False])
async def test_without_paid_broadcast_the_31st_message_in_a_second_is_refused(
    paid: bool | None,
) -> None:
    async with TelegramEmulator(clock=_frozen_clock) as tg:
        for chat_id in range(1, 41):
            tg.user(chat_id)
        statuses = await _send_to_many(tg, range(1, 41), paid=paid)
    assert statuses[:30] == [200] * 30
    assert statuses[30:] == [429] * 10
    assert tg.stats.messages_sent == 30
    assert tg.stats.paid_broadcast_messages == 0


async def test_paid_broadcast_goes_past_30_per_second_up_to_the_paid_limit() -> None:
    limits = TelegramLimits(paid_broadcast_per_second=100.0, paid_broadcast_burst=100)
    async with TelegramEmulator(clock=_frozen_clock, limits=limits) as tg:
        for chat_id in range(1, 111):
            tg.user(chat_id)
        statuses = await _send_to_many(tg, range(1, 111), paid=True)
        assert statuses[:100] == [200] * 100
        assert statuses[100:] == [429] * 10
        assert tg.stats.paid_broadcast_messages == 100
        assert tg.stats.too_many_requests == 10
        # the ordinary bucket was not drawn from: unpaid sends still have their 30
        unpaid = await _send_to_many(tg, range(1, 41), paid=False)
        assert unpaid.count(200) == 30


async def test_paid_broadcast_keeps_the_per_chat_limit() -> None:
    async with TelegramEmulator(clock=_frozen_clock) as tg:
        tg.user(42)
        statuses = await _send_to_many(tg, range(42, 43), paid=True)
        statuses += await _send_to_many(tg, range(42, 43), paid=True)
        for _ in range(tg.limits.per_chat_burst):
            statuses += await _send_to_many(tg, range(42, 43), paid=True)
    assert statuses.count(200) == tg.limits.per_chat_burst
    assert statuses[-1] == 429


async def test_python_telegram_bot_sends_the_parameter() -> None:
    limits = TelegramLimits(global_burst=1, paid_broadcast_burst=5)
    async with TelegramEmulator(clock=_frozen_clock, limits=limits) as tg:
        for chat_id in range(1, 8):
            tg.user(chat_id)
        bot = Bot(tg.token, base_url=tg.base_url)
        async with bot:
            await bot.send_message(1, "gratuit")
            with pytest.raises(RetryAfter):
                await bot.send_message(2, "gratuit")
            for chat_id in range(2, 7):
                await bot.send_message(chat_id, "payant", allow_paid_broadcast=True)
            with pytest.raises(RetryAfter):
                await bot.send_message(7, "payant", allow_paid_broadcast=True)
        assert tg.stats.paid_broadcast_messages == 5
