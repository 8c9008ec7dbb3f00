"""TELEGRAM_BROADCAST_RATE: free sends at ≤ 30/s, paid broadcasts above; 429s slow the pacer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerts.sending import Pacer
from bot.config import ConfigError, Settings
from tests.helpers_alerts import PARIS_CODE, alert_env

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
ENV = {
    "TELEGRAM_BOT_TOKEN": "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678",
    "FT_CLIENT_ID": "PAR_monappli_0123",
    "FT_CLIENT_SECRET": "ft-very-secret-key",
}


def test_broadcast_rate_defaults_to_30_and_is_bounded() -> None:
    assert Settings.from_env(ENV).telegram_broadcast_rate == 30.0
    assert Settings.from_env(
        {**ENV, "TELEGRAM_BROADCAST_RATE": "1000"}
    ).telegram_broadcast_rate == (1000.0)
    for bad in ("0", "1001", "fast", "-5"):
        with pytest.raises(ConfigError, match="TELEGRAM_BROADCAST_RATE"):
            Settings.from_env({**ENV, "TELEGRAM_BROADCAST_RATE": bad})


@pytest.mark.parametrize(("rate", "paid"), [(30, 0), (500, 3)])
async def test_digests_are_paid_broadcasts_only_above_the_free_rate(
    tmp_path: Path, rate: int, paid: int
) -> None:
    async with alert_env(
        tmp_path, settings_overrides={"telegram_broadcast_rate": float(rate)}
    ) as env:
        for user_id in (1, 2, 3):
            await env.add_user(user_id, "G1803", PARIS_CODE)
        env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW - timedelta(hours=1))
        report = await env.cycle(NOW)
        assert report.messages_sent == 3
        assert env.tg.stats.paid_broadcast_messages == paid


async def test_a_retry_after_delays_every_later_send_of_the_pacer() -> None:
    pacer = Pacer(1000.0)
    loop = asyncio.get_running_loop()
    await pacer.wait()
    await pacer.slow_down(0.3)
    started = loop.time()
    await pacer.wait()
    # Not a timing threshold: the pacer's own schedule says the next slot is after the pause.
    assert pacer.next_at >= started + 0.3 - 0.01


async def test_catching_up_never_puts_more_than_the_rate_in_one_second() -> None:
    """After a stall (the event loop busy), the pacer catches up by `burst` sends at most, and
    never lets more than `rate` sends go in any one-second window (send times as it lets them
    go, on the event loop's clock)."""
    pacer = Pacer(10.0, burst=4)
    loop = asyncio.get_running_loop()
    slots: list[float] = []
    for round_ in range(6):
        for _ in range(7):
            await pacer.wait()
            slots.append(pacer.window[-1])
        if round_ % 2 == 0:
            # A stall longer than the burst's worth of slots: the next sends may catch up.
            pacer.next_at = loop.time() - 5.0
    slots.sort()
    assert len(slots) == 42
    for index, slot in enumerate(slots):
        in_window = [s for s in slots[index:] if s < slot + 1.0 - 1e-9]
        assert len(in_window) <= 10, (index, in_window)


async def test_concurrent_senders_share_the_rate() -> None:
    """Eight digests waiting at once (the cycle's send slots) still go one slot each."""
    pacer = Pacer(20.0, burst=4)
    loop = asyncio.get_running_loop()
    sent: list[float] = []

    async def sender() -> None:
        for _ in range(5):
            await pacer.wait()
            sent.append(loop.time())

    await asyncio.gather(*(sender() for _ in range(8)))
    assert len(sent) == 40
    sent.sort()
    for index, moment in enumerate(sent):
        assert len([s for s in sent[index:] if s < moment + 1.0 - 1e-9]) <= 20
