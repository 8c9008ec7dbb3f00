"""Test harness for the alert cycle: both emulators on loopback, real storage, real application.

`alert_env` starts the France Travail emulator (empty dataset: each test adds the offers it
needs) and the Telegram emulator, opens a Storage in `tmp_path`, builds the real Application
with `build_application` (its AIORateLimiter and defaults) and initialises it without polling,
so tests drive `run_alert_cycle` themselves with explicit `now` values. `polling=True` also
starts the application (JobQueue and polling) for button and job tests.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.alerts import AlertCycleReport, AlertState, run_alert_cycle
from bot.assemble import build_application
from bot.config import Settings
from bot.services import Services
from ft_client import FranceTravailClient
from ft_client.models import format_ft_datetime
from ft_client.referential import Place, Referential
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from sandbox.telegram import TelegramEmulator, TelegramLimits
from storage import Profile, Storage, TargetJob

PARIS_CODE = "75056"
LYON_CODE = "69123"
MARSEILLE_CODE = "13055"
_ids = itertools.count(1)


@lru_cache(maxsize=1)
def referential() -> Referential:
    return Referential.load()


def new_offer_id() -> str:
    """7-character ids as France Travail's ("A000123")."""
    return f"A{next(_ids):06d}"


def offer_json(
    *,
    rome: str,
    place_code: str,
    created: datetime,
    title: str | None = None,
    skills: int = 3,
    contract: str = "CDI",
    offer_id: str | None = None,
    company: str = "Entreprise Test",
) -> dict[str, Any]:
    """An offer as the API sends it, for `rome` at `place_code`, asking for the job's first
    `skills` core skills (their ROME codes, as real offers do)."""
    ref = referential()
    job = ref.job(rome)
    place = ref.place(place_code)
    assert job is not None and place is not None
    competences = [
        {"code": s.code, "libelle": s.label, "exigence": "E"} for s in job.skills[:skills]
    ]
    return {
        "id": offer_id or new_offer_id(),
        "intitule": title or f"{job.label} (H/F)",
        "description": "Offre de test.",
        "dateCreation": format_ft_datetime(created),
        "dateActualisation": format_ft_datetime(created),
        "lieuTravail": {
            "libelle": f"{place.departement} - {place.name}",
            "latitude": place.latitude,
            "longitude": place.longitude,
            "commune": place.insee_code,
            "codePostal": place.postal_codes[0] if place.postal_codes else None,
        },
        "romeCode": rome,
        "romeLibelle": job.label,
        "entreprise": {"nom": company},
        "typeContrat": contract,
        "typeContratLibelle": {"CDI": "Contrat à durée indéterminée"}.get(contract, contract),
        "natureContrat": "Contrat travail",
        "experienceExige": "D",
        "competences": competences,
    }


def job_skills(rome: str, count: int = 4) -> tuple[str, ...]:
    job = referential().job(rome)
    assert job is not None
    # Users type short phrases; some referential labels exceed the profile's 100 characters.
    return tuple([s.label for s in job.skills if len(s.label) <= 100][:count])


@dataclass
class AlertEnv:
    ft: FranceTravailEmulator
    tg: TelegramEmulator
    storage: Storage
    client: FranceTravailClient
    services: Services
    app: Application
    settings: Settings
    state: AlertState = field(default_factory=AlertState)

    async def add_user(
        self,
        user_id: int,
        rome: str | Sequence[str] = "G1803",
        place_code: str | None = PARIS_CODE,
        *,
        alert_time: time = time(8, 0),
        alert_days: frozenset[int] = frozenset(range(7)),
        radius_km: int = 10,
        contract_types: tuple[str, ...] = (),
        skills: tuple[str, ...] | None = None,
        at: datetime | None = None,
    ) -> Profile:
        """A user who finished onboarding: Telegram chat, storage user and profile."""
        self.tg.user(user_id, first_name=f"User{user_id}")
        await self.storage.upsert_user(user_id, user_id, f"User{user_id}", "fr", at=at)
        codes = [rome] if isinstance(rome, str) else list(rome)
        ref = referential()
        place: Place | None = ref.place(place_code) if place_code else None
        profile = Profile(
            user_id=user_id,
            target_jobs=tuple(TargetJob(c, ref.job(c).label) for c in codes),  # type: ignore[union-attr]
            skills=skills if skills is not None else job_skills(codes[0]),
            place_code=place_code,
            place_label=place.display_label if place else None,
            radius_km=radius_km,
            contract_types=contract_types,
            alert_time=alert_time,
            alert_days=alert_days,
            alerts_enabled=True,
        )
        await self.storage.upsert_profile(profile)
        return profile

    def add_offer(self, **kwargs: Any) -> dict[str, Any]:
        offer = offer_json(**kwargs)
        self.ft.add_offer(offer)
        return offer

    async def cycle(self, now: datetime, **kwargs: Any) -> AlertCycleReport:
        return await run_alert_cycle(self.services, self.app.bot, now, state=self.state, **kwargs)

    def messages(self, user_id: int) -> list[Any]:
        return self.tg.messages_for(user_id)

    def search_calls(self) -> int:
        return self.ft.stats.calls["offres_search"]


@asynccontextmanager
async def alert_env(
    tmp_path: Path,
    *,
    settings_overrides: dict[str, Any] | None = None,
    tg_limits: TelegramLimits | None = None,
    polling: bool = False,
    client_timeout: float = 2.0,
) -> AsyncIterator[AlertEnv]:
    ft_config = EmulatorConfig(
        seed=7, offer_count=0, include_samples=False, timeout_fault_seconds=5.0
    )
    async with (
        FranceTravailEmulator(ft_config) as ft,
        TelegramEmulator(limits=tg_limits) as tg,
        Storage.open(tmp_path / "alerts.sqlite3", synchronous="NORMAL") as storage,
    ):
        settings = Settings(
            telegram_token=tg.token,
            ft_client_id=ft.client_id,
            ft_client_secret=ft.client_secret,
            telegram_api_base_url=tg.base_url,
            ft_api_base_url=ft.base_url,
            ft_token_url=ft.token_url,
            database_path=tmp_path / "alerts.sqlite3",
            alert_tick_seconds=3600,
        ).with_overrides(**(settings_overrides or {}))
        # Fast retries so that exhausted-retry paths stay quick; same code paths as production.
        client = FranceTravailClient(
            ft.client_id,
            ft.client_secret,
            api_base_url=ft.base_url,
            token_url=ft.token_url,
            timeout=client_timeout,
            backoff_base=0.01,
            backoff_max=0.05,
        )
        async with client:
            services = Services(settings, storage, client, referential())
            app = build_application(
                settings, services=services, base_url=tg.base_url, persistence=None
            )
            await app.initialize()
            env = AlertEnv(ft, tg, storage, client, services, app, settings)
            try:
                if polling:
                    await app.start()
                    assert app.updater is not None
                    await app.updater.start_polling(poll_interval=0.1, timeout=1)
                yield env
            finally:
                if polling:
                    if app.updater is not None and app.updater.running:
                        await app.updater.stop()
                    if app.running:
                        await app.stop()
                await app.shutdown()


async def wait_for(condition: Any, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Wait until `condition()` is true (checked every 10 ms), failing after `timeout`."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - emulator state has no event to await
            await asyncio.sleep(0.01)
