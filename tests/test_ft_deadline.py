"""One deadline on every France Travail wait a person sees (issue 11, defect 2).

A hung France Travail or a long Retry-After must not keep anyone waiting past
`ft_user_deadline_seconds`: the person gets the French "ne répond pas" answer, "typing…" shows
meanwhile, and the late call goes on in the background (bounded) to fill the cache. Timing is
asserted by the order of events seen by the emulators, not by wall-clock thresholds.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.config import ConfigError, Settings
from bot.handlers import common
from tests.helpers_bot import small_ft_config, wait_until
from tests.helpers_cmd import WAIT, add_offers, cmd_env

pytestmark = pytest.mark.timeout(120)

FT_DOWN = "France Travail ne répond pas pour le moment, réessayez dans quelques minutes."
# The production client's patience: 15 s per attempt, 3 retries (63 s before giving up).
PATIENT_CLIENT = {"timeout": 15.0, "max_retries": 3, "backoff_base": 0.05, "backoff_max": 0.2}
HELD_SECONDS = 40.0  # how long the emulator's "timeout" fault holds the request


async def test_hung_france_travail_answered_at_the_deadline_while_the_request_is_held(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "typing…" lasts 5 s on Telegram; a short refresh shows it being re-sent during the wait.
    monkeypatch.setattr(common, "TYPING_REFRESH_SECONDS", 0.2)
    async with cmd_env(
        tmp_path,
        ft_config=small_ft_config(timeout_fault_seconds=HELD_SECONDS),
        ft_client_kwargs=PATIENT_CLIENT,
        settings_overrides={
            "ft_user_deadline_seconds": 1.5,
            "ft_background_deadline_seconds": 3.0,
        },
    ) as env:
        user = env.user(401)
        env.ft.faults.fail_next(1, kind="timeout", endpoint="offres_search")
        await user.send("/recherche serveur")
        reply = await user.wait_reply(timeout=HELD_SECONDS / 2)
        assert reply.text == FT_DOWN
        # Answered while France Travail still held the hung request.
        assert env.ft.stats.faults_injected["timeout"] == 1
        assert env.ft.stats.responses[("offres_search", 504)] == 0
        assert env.tg.chat_actions(401).count("typing") >= 3
        # The background call is bounded too: given up while the request is still held.
        await wait_until(lambda: not env.services.background, timeout=HELD_SECONDS / 2)
        assert env.ft.stats.responses[("offres_search", 504)] == 0
        assert (await env.services.storage.stats())["ft_errors_24h"] == 1


async def test_long_retry_after_pauses_searches_but_not_the_answer(tmp_path) -> None:
    async with cmd_env(
        tmp_path,
        ft_config=small_ft_config(retry_after=5),
        ft_client_kwargs=PATIENT_CLIENT | {"max_retry_after": 30.0},
        settings_overrides={"ft_user_deadline_seconds": 1.0},
    ) as env:
        add_offers(env, "Zythologue", 2)
        first, second = env.user(402), env.user(403)
        env.ft.faults.fail_next(1, kind=429, endpoint="offres_search")
        await first.send("/recherche zythologue")
        assert (await first.wait_reply(timeout=WAIT)).text == FT_DOWN
        # Answered before the client retried after the Retry-After pause.
        assert env.ft.stats.calls["offres_search"] == 1

        # Another person's search during the pause: answered by the deadline too, without
        # having reached France Travail (the pause holds its call, not the person).
        await second.send("/recherche serveur")
        assert (await second.wait_reply(timeout=WAIT)).text == FT_DOWN
        assert env.ft.stats.calls["offres_search"] == 1

        # Both calls go on after the pause and fill the cache: the retry is served from it.
        async with asyncio.timeout(30):
            await env.ft.wait_until(lambda stats: stats.calls["offres_search"] >= 3)
        await wait_until(lambda: not env.services.background, timeout=WAIT)
        await first.send("/recherche zythologue")
        assert "2 offres" in (await first.wait_reply(timeout=WAIT)).text
        assert env.ft.stats.calls["offres_search"] == 3


async def test_offer_detail_arriving_late_serves_the_next_try_from_the_cache(tmp_path) -> None:
    async with cmd_env(
        tmp_path,
        ft_config=small_ft_config(retry_after=3),
        ft_client_kwargs=PATIENT_CLIENT | {"max_retry_after": 30.0},
        settings_overrides={"ft_user_deadline_seconds": 1.0},
    ) as env:
        [offer_id] = add_offers(env, "Zythologue", 1)
        user = env.user(404)
        env.ft.faults.fail_next(1, kind=429, endpoint="offres_detail")
        await user.send(f"/offre {offer_id}")
        assert (await user.wait_reply(timeout=WAIT)).text == FT_DOWN
        assert env.ft.stats.calls["offres_detail"] == 1
        async with asyncio.timeout(30):
            await env.ft.wait_until(lambda stats: stats.calls["offres_detail"] >= 2)
        await wait_until(lambda: not env.services.background, timeout=WAIT)
        await user.send(f"/offre {offer_id}")
        assert "Zythologue 1" in (await user.wait_reply(timeout=WAIT)).text
        assert env.ft.stats.calls["offres_detail"] == 2


def test_deadlines_from_the_environment() -> None:
    valid = {
        "TELEGRAM_BOT_TOKEN": "123456:ABCDEF",
        "FT_CLIENT_ID": "id",
        "FT_CLIENT_SECRET": "secret",
    }
    defaults = Settings.from_env(valid)
    assert (defaults.ft_user_deadline_seconds, defaults.ft_background_deadline_seconds) == (
        10.0,
        120.0,
    )
    settings = Settings.from_env(
        valid | {"FT_USER_DEADLINE_SECONDS": "4.5", "FT_BACKGROUND_DEADLINE_SECONDS": "60"}
    )
    assert (settings.ft_user_deadline_seconds, settings.ft_background_deadline_seconds) == (
        4.5,
        60.0,
    )
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(
            valid | {"FT_USER_DEADLINE_SECONDS": "0", "FT_BACKGROUND_DEADLINE_SECONDS": "soon"}
        )
    assert [problem.split(" ")[0] for problem in raised.value.problems] == [
        "FT_USER_DEADLINE_SECONDS",
        "FT_BACKGROUND_DEADLINE_SECONDS",
    ]
    with pytest.raises(ConfigError, match="FT_BACKGROUND_DEADLINE_SECONDS must not be shorter"):
        Settings.from_env(
            valid | {"FT_USER_DEADLINE_SECONDS": "30", "FT_BACKGROUND_DEADLINE_SECONDS": "20"}
        )
