"""``ft-bot check``'s list of optional services against the emulator: ✓ for the subscribed
ones, ✗ "not enabled" naming the scopes for the others, ✗ with the error for a failing one."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.service_check import check_services, print_services
from ft_client import FranceTravailClient
from sandbox.france_travail import KNOWN_SCOPES, EmulatorConfig, FranceTravailEmulator

pytestmark = pytest.mark.timeout(120)

FAST = {"rome": 50.0, "softskills": 50.0, "labonneboite": 50.0, "marche": 50.0, "romeo": 50.0}


async def test_each_service_listed_with_its_state() -> None:
    config = EmulatorConfig(seed=3, offer_count=20, rate_limits=FAST)
    async with FranceTravailEmulator(config) as emu:
        refused = {"api_labonneboitev2", "api_romeov2"}
        emu.config.client_scopes = {emu.client_id: KNOWN_SCOPES - refused}
        emu.faults.fail_next(10, kind=503, endpoint="marche_offres")
        async with FranceTravailClient(
            emu.client_id,
            emu.client_secret,
            api_base_url=emu.base_url,
            token_url=emu.token_url,
            rate_limits=FAST,
            max_retries=1,
            backoff_base=0.01,
        ) as ft:
            await ft.authenticate()
            statuses = {s.api: s for s in await check_services(ft)}
    assert [api for api, s in statuses.items() if s.ok] == ["rome", "softskills"]
    assert statuses["labonneboite"].line() == (
        "✗ France Travail service La Bonne Boîte (companies likely to hire, /entreprises): "
        "not enabled for this application (scopes api_labonneboitev2)"
    )
    assert "not enabled" in statuses["romeo"].detail
    assert "unavailable" in statuses["marche"].detail and "503" in statuses["marche"].detail


async def test_print_services(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    async with FranceTravailEmulator(EmulatorConfig(seed=3, offer_count=20)) as emu:
        settings = Settings(
            telegram_token="123:ABC",
            ft_client_id=emu.client_id,
            ft_client_secret=emu.client_secret,
            ft_api_base_url=emu.base_url,
            ft_token_url=emu.token_url,
            database_path=tmp_path / "db.sqlite3",
        )
        await print_services(settings)
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == 5 and all(
            line.startswith("✓ France Travail service") for line in lines
        )
        await print_services(settings.with_overrides(ft_client_secret="wrong"))
        [line] = capsys.readouterr().out.splitlines()
        assert line.startswith("✗ France Travail services: not checked")
        assert "wrong" not in line
