"""The Telegram rate shared by worker processes (`bot.worker.pacing.SharedPacer`), on a real
PostgreSQL: two pacers with their own connections stand for two processes."""

from __future__ import annotations

import asyncio
import itertools
import secrets

import pytest

from bot.worker.pacing import SharedPacer, block_size
from storage import Storage


def test_blocks_grow_with_the_rate_so_the_shared_row_is_updated_at_most_50_times_a_second() -> None:
    assert block_size(29) == 1
    assert block_size(30) == 1
    assert block_size(1000) == 20
    assert all(rate / block_size(rate) <= 50 for rate in (1, 29, 51, 100, 499, 1000))
    with pytest.raises(ValueError, match="rate"):
        SharedPacer(object(), 0)  # type: ignore[arg-type]


async def test_two_processes_share_one_rate(postgres_database_url: str) -> None:
    rate, each = 40.0, 30
    name = f"telegram-{secrets.token_hex(3)}"
    async with (
        Storage.open(postgres_database_url) as one,
        Storage.open(postgres_database_url) as two,
    ):
        loop = asyncio.get_running_loop()
        stamps: list[float] = []

        async def send(pacer: SharedPacer) -> None:
            await pacer.wait()
            stamps.append(loop.time())

        pacers = [SharedPacer(one, rate, name=name), SharedPacer(two, rate, name=name)]
        started = loop.time()
        await asyncio.gather(*(send(p) for p in pacers for _ in range(each)))
    stamps.sort()
    # 60 slots at 40/s: the last is 59/40 s after the first, whoever took it.
    assert stamps[-1] - started >= (2 * each - 1) / rate - 0.05
    # The slots granted to both processes together, on the database's clock where they are
    # spaced (not the wake-up times: a loaded machine wakes several late senders at once; nor
    # their loop instants, converted per block with that block's round-trip jitter): ≤ rate in
    # any second (+1: a window may hold both ends).
    granted = sorted([*pacers[0].granted_shared, *pacers[1].granted_shared])
    assert len(granted) == 2 * each == len(pacers[0].granted) + len(pacers[1].granted)
    worst = max(sum(1 for t in granted if s <= t < s + 1.0) for s in granted)
    assert worst <= rate + 1
    spacing = min(b - a for a, b in itertools.pairwise(granted))
    assert spacing >= 1.0 / rate - 1e-6


async def test_a_429_in_one_process_pauses_the_other(postgres_database_url: str) -> None:
    name = f"telegram-{secrets.token_hex(3)}"
    async with (
        Storage.open(postgres_database_url) as one,
        Storage.open(postgres_database_url) as two,
    ):
        # One slot per block: no slot taken before the pause is left to either process.
        first, second = SharedPacer(one, 25.0, name=name), SharedPacer(two, 25.0, name=name)
        await first.wait()
        await second.wait()
        loop = asyncio.get_running_loop()
        paused_at = loop.time()
        await first.slow_down(1.0)  # Telegram told the first process "retry after 1 s"
        await second.wait()
        assert loop.time() - paused_at >= 0.9
        await first.wait()
        assert loop.time() - paused_at >= 0.9
