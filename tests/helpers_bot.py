"""THE end-to-end harness: both emulators over loopback HTTP, real storage, the real Application.

    from tests.helpers_bot import bot_env

    async def test_something(tmp_path):
        async with bot_env(tmp_path) as env:
            user = env.user(42)
            await user.send("/start")
            reply = await user.wait_reply(timeout=WAIT)

`env.tg` (TelegramEmulator), `env.ft` (FranceTravailEmulator), `env.app` (the running
Application), `env.services` (Storage, FranceTravailClient, Referential), `env.settings`,
`env.user(id, ...)` (a SimulatedUser), `await env.restart()` (stop the app, close the services,
build a new app on the same database: conversations and user_data come back from persistence).

Options: `ft_config` (EmulatorConfig; default: a small 400-offer dataset), `tg_kwargs`
(TelegramEmulator arguments), `settings_overrides` (Settings fields), `ft_client_kwargs`
(FranceTravailClient arguments; default: short timeouts and backoff for fast fault tests),
`alert_job=False` to drop the alerts JobQueue job (tests that must not see digests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.assemble import build_application
from bot.config import Settings
from bot.services import Services
from ft_client import FranceTravailClient
from ft_client.referential import Referential
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from sandbox.telegram import BotMessage, SimulatedUser, TelegramEmulator, TelegramLimits
from storage import Profile, Storage

logger = logging.getLogger(__name__)

TEST_TOKEN = "123456:TEST-TOKEN"
WAIT = 10.0  # upper bound for one bot answer on a loaded 2-core machine (not a speed target)
POLL_INTERVAL = 0.1
POLL_TIMEOUT = 1  # long-polling seconds: bounds how long stopping the updater takes

FAST_FT_CLIENT: dict[str, Any] = {
    "timeout": 3.0,
    "max_retries": 1,
    "backoff_base": 0.05,
    "backoff_max": 0.2,
    "max_retry_after": 2.0,
}

_REFERENTIAL: Referential | None = None


def shared_referential() -> Referential:
    """Loaded once per test process (read-only, safe to share)."""
    global _REFERENTIAL
    if _REFERENTIAL is None:
        _REFERENTIAL = Referential.load()
    return _REFERENTIAL


def small_ft_config(**changes: Any) -> EmulatorConfig:
    values: dict[str, Any] = {"seed": 42, "offer_count": 400}
    values.update(changes)
    return EmulatorConfig(**values)


@dataclass
class BotEnv:
    tmp_path: Path
    tg: TelegramEmulator
    ft: FranceTravailEmulator
    settings: Settings
    services: Services
    app: Application
    ft_client_kwargs: dict[str, Any]
    alert_job: bool = True
    restarts: int = 0
    _users: dict[int, SimulatedUser] = field(default_factory=dict)

    @property
    def storage(self) -> Storage:
        return self.services.storage

    def user(
        self,
        user_id: int,
        first_name: str = "Léa",
        *,
        language_code: str = "fr",
        **kwargs: Any,
    ) -> SimulatedUser:
        if user_id not in self._users:
            self._users[user_id] = self.tg.user(
                user_id, first_name=first_name, language_code=language_code, **kwargs
            )
        return self._users[user_id]

    async def restart(self) -> None:
        """Stop the bot as a deployment would, then start a new process' worth of it."""
        await stop_application(self.app)
        await self.services.close()
        self.services = await open_services(self.settings, self.ft_client_kwargs)
        self.app = await start_application(self.settings, self.tg, self.services, self.alert_job)
        self.restarts += 1


async def open_services(settings: Settings, ft_client_kwargs: dict[str, Any]) -> Services:
    storage = await Storage.open(settings.database_location)
    ft = FranceTravailClient(
        settings.ft_client_id,
        settings.ft_client_secret,
        api_base_url=settings.ft_api_base_url,
        token_url=settings.ft_token_url,
        **ft_client_kwargs,
    )
    await ft.__aenter__()
    return Services(settings, storage, ft, shared_referential(), owned=True)


async def start_application(
    settings: Settings, tg: TelegramEmulator, services: Services, alert_job: bool = True
) -> Application:
    app = build_application(
        settings, services=services, base_url=tg.base_url, base_file_url=tg.base_file_url
    )
    if not alert_job and app.job_queue is not None:
        for job in app.job_queue.jobs():
            job.schedule_removal()
    await app.initialize()
    # post_init/post_shutdown only run by themselves under run_polling/run_webhook.
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=POLL_INTERVAL, timeout=POLL_TIMEOUT)
    return app


async def stop_application(app: Application) -> None:
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


@contextlib.asynccontextmanager
async def bot_env(
    tmp_path: Path,
    *,
    ft_config: EmulatorConfig | None = None,
    tg_kwargs: dict[str, Any] | None = None,
    settings_overrides: dict[str, Any] | None = None,
    ft_client_kwargs: dict[str, Any] | None = None,
    alert_job: bool = True,
) -> AsyncIterator[BotEnv]:
    client_kwargs = dict(FAST_FT_CLIENT if ft_client_kwargs is None else ft_client_kwargs)
    tg_args: dict[str, Any] = {"token": TEST_TOKEN}
    tg_args.update(tg_kwargs or {})
    async with (
        FranceTravailEmulator(ft_config or small_ft_config()) as ft,
        TelegramEmulator(**tg_args) as tg,
    ):
        settings = Settings(
            telegram_token=tg.token,
            ft_client_id=ft.client_id,
            ft_client_secret=ft.client_secret,
            telegram_api_base_url=tg.base_url,
            ft_api_base_url=ft.base_url,
            ft_token_url=ft.token_url,
            database_path=tmp_path / "bot.sqlite3",
        )
        if settings_overrides:
            settings = settings.with_overrides(**settings_overrides)
        services = await open_services(settings, client_kwargs)
        try:
            app = await start_application(settings, tg, services, alert_job)
        except BaseException:
            await services.close()
            raise
        env = BotEnv(tmp_path, tg, ft, settings, services, app, client_kwargs, alert_job)
        try:
            yield env
        finally:
            try:
                await stop_application(env.app)
            finally:
                await env.services.close()


# --------------------------------------------------------------------------- conversation helpers

# Tests type much faster than a person: lift the emulator's per-chat limit (1 message/s
# after a burst of 10) so that they test the conversation, not PTB's 429 retries (which
# tests/test_bot_core.py covers with the real limits). Pass as `tg_kwargs=FAST_TYPIST`.
FAST_TYPIST = {"limits": TelegramLimits(per_chat_per_second=1000.0, per_chat_burst=1000)}


async def expect(user: SimulatedUser, needle: str, timeout: float = WAIT) -> BotMessage:  # noqa: ASYNC109
    """Collect the bot's messages until one contains `needle`; fail with what was seen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen: list[str] = []
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"no bot message containing {needle!r}; saw {seen!r}")
        for message in await user.replies(timeout=remaining, quiet=0):
            seen.append(message.text)
            if needle in message.text:
                return message


async def step(user: SimulatedUser, text: str, needle: str) -> BotMessage:
    await user.send(text)
    return await expect(user, needle)


async def press(user: SimulatedUser, label: str, needle: str) -> BotMessage:
    await user.press(label)
    return await expect(user, needle)


async def onboard(env: BotEnv, user: SimulatedUser) -> Profile:
    """A straightforward onboarding to a saved profile (serveur, Paris, 10 km, 08:00)."""
    await step(user, "/start", "Étape 1/5")
    message = await step(user, "serveur", "Lequel correspond")
    assert message.button_texts[0] == "Serveur / Serveuse en restauration (G1803)"
    await press(user, message.button_texts[0], "Ajouté")
    await press(user, "Terminé", "Étape 2/5")
    await step(user, "service en salle, prise de commande", "2 compétences ajoutées")
    await press(user, "Terminé", "Étape 3/5")
    await step(user, "Paris", "Étape 4/5")
    await press(user, "10 km", "Étape 5/5")
    await press(user, "08:00", "Tout est correct")
    await press(user, "✅ Confirmer", "Profil enregistré")
    await expect(user, "/match G1803")
    profile = await env.storage.get_profile(user.id)
    assert profile is not None
    return profile


async def wait_until(condition: Any, timeout: float = WAIT) -> None:  # noqa: ASYNC109
    """Wait until `condition()` (sync or async) is true, for state the bot changes (storage…)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
