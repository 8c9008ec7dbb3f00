"""Application-wide behaviour, end to end: users tracked and blocked, errors, France Travail down,
Telegram 429s, the command menu, fallbacks, long messages."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from telegram import Update
from telegram.error import Forbidden
from telegram.ext import CommandHandler

from bot import texts
from bot.handlers.common import Context, ft_guard, reply_html, services
from ft_client import OfferQuery
from tests.helpers_bot import FAST_TYPIST, WAIT, BotEnv, bot_env, expect, step, wait_until


async def test_users_tracked_blocked_and_unblocked(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(2001, first_name="Zoé", language_code="fr")
        await step(user, "/start", "Étape 1/5")
        stored = await env.storage.get_user(user.id)
        assert stored is not None
        assert (stored.first_name, stored.language, stored.blocked) == ("Zoé", "fr", False)

        # Blocking the bot (Telegram sends my_chat_member "kicked") marks the user.
        user.block_bot()
        await _wait_blocked(env, user.id, True)
        # Writing again unblocks them.
        await step(user, "/annuler", "C'est annulé")
        await _wait_blocked(env, user.id, False)

        # A 403 when the bot writes (blocked in between) goes through the error handler.
        user.block_bot()
        await _wait_blocked(env, user.id, True)
        await env.storage.upsert_user(user.id, user.id, "Zoé", "fr")  # pretend we missed it
        update = Update.de_json(
            {
                "update_id": 999_001,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": user.id, "type": "private"},
                    "from": {"id": user.id, "is_bot": False, "first_name": "Zoé"},
                    "text": "/aide",
                },
            },
            env.app.bot,
        )
        await env.app.process_error(update, Forbidden("Forbidden: bot was blocked by the user"))
        stored = await env.storage.get_user(user.id)
        assert stored is not None
        assert stored.blocked


async def _wait_blocked(env: BotEnv, user_id: int, blocked: bool) -> None:
    async def check() -> bool:
        stored = await env.storage.get_user(user_id)
        return stored is not None and stored.blocked == blocked

    await wait_until(check, timeout=WAIT)


async def test_unexpected_error_logged_without_personal_text_and_user_apologised_to(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(update: Update, context: Context) -> None:
        raise ValueError(f"cannot handle {update.effective_message.text!r}")

    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        env.app.add_handler(CommandHandler("boum", explode), group=-2)
        caplog.set_level(logging.INFO)
        user = env.user(2002)
        await step(user, "/boum mon secret 0612345678", "quelque chose s'est mal passé")
        errors = [r for r in caplog.records if r.name == "bot.app" and r.levelno >= logging.ERROR]
        assert errors, caplog.text
        logged = "\n".join(r.getMessage() for r in errors)
        assert "unhandled ValueError in update" in logged
        assert "0612345678" not in caplog.text
        assert env.settings.telegram_token not in caplog.text
        # The bot keeps serving.
        await step(user, "/start", "Étape 1/5")


async def test_france_travail_down_is_explained_and_other_commands_keep_working(
    tmp_path: Path,
) -> None:
    async def ftping(update: Update, context: Context) -> None:
        page = await ft_guard(
            update,
            context,
            services(context).ft.search_offers(OfferQuery(keywords="serveur"), start=0, count=1),
        )
        if page is not None:
            await reply_html(update, context, f"{page.total} offres")

    async def unguarded(update: Update, context: Context) -> None:
        # A handler that forgot ft_guard: the application's error handler still explains.
        await services(context).ft.get_offer("193XKZP")

    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        env.app.add_handler(CommandHandler("ftping", ftping), group=-2)
        env.app.add_handler(CommandHandler("unguarded", unguarded), group=-2)
        user = env.user(2003)
        env.ft.faults.fail_next(10, kind=500)
        await step(user, "/ftping", texts.common.FT_UNAVAILABLE)
        assert "typing" in env.tg.chat_actions(user.id)
        stats = await env.storage.stats()
        assert stats["ft_errors_24h"] == 1, stats  # recorded once per failed user request
        # Other commands do not need France Travail.
        await step(user, "/start", "Étape 1/5")
        env.ft.faults.fail_next(10, kind=429)
        await step(user, "/ftping", texts.common.FT_UNAVAILABLE)
        env.ft.faults.fail_next(10, kind="malformed")
        await step(user, "/ftping", texts.common.FT_UNAVAILABLE)
        assert (await env.storage.stats())["ft_errors_24h"] == 3
        env.ft.faults.fail_next(10, kind=503)
        await step(user, "/unguarded", texts.common.FT_UNAVAILABLE)
        assert (await env.storage.stats())["ft_errors_24h"] == 4
        env.ft.faults.clear()
        await step(user, "/ftping", "offres")


async def test_telegram_429_retried_by_the_rate_limiter(tmp_path: Path) -> None:
    # The emulator's real per-chat limit: 1 message/s after a burst of 10.
    async with bot_env(tmp_path, alert_job=False) as env:
        user = env.user(2004)
        for _ in range(14):
            await user.send("/annuler")
        messages = await user.replies(timeout=3 * WAIT, count=14)
        assert all("rien à annuler" in m.text for m in messages)
        assert env.tg.stats.too_many_requests > 0


async def test_menu_ready_log_and_fallbacks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.app")
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        assert "ready as @ft_job_bot" in caplog.text
        commands = next(iter(env.tg.commands.values()))
        names = [c["command"] for c in commands]
        assert names[:3] == ["start", "profil", "annuler"]
        assert len(names) == len(set(names))
        assert all(c["description"] for c in commands)
        user = env.user(2005)
        await step(user, "/nimportequoi", "Je ne connais pas cette commande")
        await step(user, "bonjour", "Je n'ai pas compris")


async def test_long_html_replies_are_split_within_limits(tmp_path: Path) -> None:
    async def long_reply(update: Update, context: Context) -> None:
        body = "\n".join(
            f"<b>Offre {i}</b> : serveur &amp; barman à <i>Paris</i>" for i in range(300)
        )
        await reply_html(update, context, body)

    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        env.app.add_handler(CommandHandler("long", long_reply), group=-2)
        user = env.user(2006)
        await user.send("/long")
        last = await expect(user, "Offre 299")
        messages = user.all_replies()
        assert len(messages) >= 3
        assert all(len(m.text) <= 4096 for m in messages)
        assert "Offre 0" in messages[0].text
        assert last.text.endswith("Paris")


def test_build_application_wiring() -> None:
    from telegram.constants import ParseMode
    from telegram.ext import AIORateLimiter, ConversationHandler, TypeHandler

    from bot.assemble import build_application
    from bot.config import Settings
    from storage import SqlitePersistence

    settings = Settings(
        telegram_token="123456:TEST-TOKEN",
        ft_client_id="id",
        ft_client_secret="secret",
        telegram_api_base_url="http://127.0.0.1:9/bot",
    )
    app = build_application(settings)
    assert isinstance(app.persistence, SqlitePersistence)
    assert isinstance(app.bot.rate_limiter, AIORateLimiter)
    assert app.bot.defaults.parse_mode == ParseMode.HTML
    assert str(app.bot.defaults.tzinfo) == "Europe/Paris"
    assert app.bot.defaults.link_preview_options.is_disabled
    assert app.bot.base_url == "http://127.0.0.1:9/bot123456:TEST-TOKEN"
    assert app.bot.base_file_url == "http://127.0.0.1:9/file/bot123456:TEST-TOKEN"
    assert isinstance(app.handlers[-1][0], TypeHandler)
    first = app.handlers[0][0]
    assert isinstance(first, ConversationHandler)
    assert (first.name, first.persistent) == ("onboarding", True)
    assert app.job_queue is not None
    assert app.error_handlers

    without = build_application(settings, persistence=None)
    assert without.persistence is None
    assert not without.handlers[0][0].persistent
