"""Fixtures and helpers shared by the FranceTravailClient tests (``tests/test_ft_client*.py``).

The client talks real HTTP to the France Travail emulator (sandbox). Test modules bind the
fixtures by assignment (``emu = helpers_ft_client.emu``), like ``tests/helpers_storage.py``'s.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from ft_client import FranceTravailClient
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator

FAST_RETRIES: dict[str, Any] = {"backoff_base": 0.01, "backoff_max": 0.05}
# Functional tests lift the ROME/soft-skill limits (1 call/s) on both sides to stay fast;
# the offers limit keeps its real value unless a test says otherwise.
FAST_ROME = {"rome": 50.0, "softskills": 50.0}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def emulator(**config: Any) -> FranceTravailEmulator:
    config.setdefault("seed", 7)
    config.setdefault("offer_count", 300)
    rates = {"offres": 10.0, **FAST_ROME, **config.pop("rates", {})}
    return FranceTravailEmulator(EmulatorConfig(rate_limits=rates, **config))


def client_for(emu: FranceTravailEmulator, **options: Any) -> FranceTravailClient:
    options = {**FAST_RETRIES, **options}
    options["rate_limits"] = {**FAST_ROME, **options.get("rate_limits", {})}
    return FranceTravailClient(
        options.pop("client_id", emu.client_id),
        options.pop("client_secret", emu.client_secret),
        api_base_url=emu.base_url,
        token_url=emu.token_url,
        **options,
    )


@pytest.fixture
async def emu() -> AsyncIterator[FranceTravailEmulator]:
    async with emulator() as running:
        yield running


@pytest.fixture
async def ft(emu: FranceTravailEmulator) -> AsyncIterator[FranceTravailClient]:
    async with client_for(emu) as client:
        yield client
