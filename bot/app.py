"""The application factory: Telegram settings, persistence, the command handlers, the fallbacks
and the error handler.

Optional features (the daily alerts, the demo's command) are unknown here: `bot.assemble`, the one
place that assembles the bot, passes their `register` functions in as `features`.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import traceback
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BasePersistence,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import callbacks, private_chat, texts
from bot.config import Settings
from bot.services import Services

logger = logging.getLogger(__name__)

# Handler modules in registration order: the onboarding conversation first (it must see its
# users' messages before any command handler), then /profil, then the commands.
CORE_HANDLER_MODULES = ("onboarding", "profile")
COMMAND_HANDLER_MODULES = (
    "match",
    "jobs",
    "search",
    "offer",
    "favourites",
    "companies",
    "market",
    "evolution",
    "soft_skills",
    "alert_settings",
    "privacy",
    "help",
    "admin",
)
HANDLER_MODULES = CORE_HANDLER_MODULES + COMMAND_HANDLER_MODULES

# Sentinel of `persistence`: SqlitePersistence on the bot's database.
DEFAULT_PERSISTENCE: Any = object()
SERVICES_KEY = "services"


def handler_modules() -> list[ModuleType]:
    return [importlib.import_module(f"bot.handlers.{name}") for name in HANDLER_MODULES]


def command_menu(modules: list[ModuleType]) -> list[BotCommand]:
    """The setMyCommands menu, in module order, from each module's COMMANDS list."""
    menu: list[BotCommand] = []
    seen: set[str] = set()
    for module in modules:
        for name, description in getattr(module, "COMMANDS", ()):
            if name not in seen:
                seen.add(name)
                menu.append(BotCommand(name, description))
    return menu


def get_services(application: Application) -> Services:
    return application.bot_data[SERVICES_KEY]


async def track_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Group -1: every update from a known user refreshes them in storage (and unblocks them).

    Private chats only (`bot.private_chat` stops the others before this), and only people who
    already use the bot: a message alone stores nothing (a row is created by /start, a saved
    favourite or typed skills), so /mesdonnees after /supprimer finds nothing.
    """
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot or chat is None or chat.type != ChatType.PRIVATE:
        return
    services = context.application.bot_data.get(SERVICES_KEY)
    if services is None:
        return
    member = update.my_chat_member
    if member is not None and member.new_chat_member.status == ChatMemberStatus.BANNED:
        # "kicked" in a private chat: the user blocked the bot.
        try:
            await services.storage.mark_blocked(user.id)
        except Exception:
            logger.exception("could not mark user of update %s blocked", update.update_id)
        return
    try:
        await services.storage.touch_user(user.id, user.first_name, user.language_code)
    except Exception:
        # Never lose the update because bookkeeping failed.
        logger.exception("could not record user of update %s", update.update_id)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure without personal data or token; tell the user briefly."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    user = update.effective_user if isinstance(update, Update) else None
    services = context.application.bot_data.get(SERVICES_KEY)

    if isinstance(error, Forbidden):
        # The user blocked the bot (or deactivated): stop talking to them.
        logger.info("update %s: user blocked the bot, marking them", update_id)
        if user is not None and services is not None:
            try:
                await services.storage.mark_blocked(user.id)
            except Exception:
                logger.exception("could not mark user blocked")
        return

    from ft_client import FTError

    if isinstance(error, FTError):
        logger.warning(
            "update %s: France Travail %s (status %s, endpoint %s)",
            update_id,
            type(error).__name__,
            error.status,
            error.endpoint,
        )
        if services is not None:
            try:
                await services.storage.record_ft_error(error.endpoint or "unknown", error.status)
            except Exception:
                logger.exception("could not record France Travail error")
        message = texts.common.FT_UNAVAILABLE
    else:
        # Frames only: exception messages may quote user text or URLs.
        frames = "".join(traceback.format_tb(error.__traceback__)) if error else ""
        logger.error(
            "unhandled %s in update %s\n%s", type(error).__name__, update_id, frames.rstrip()
        )
        logger.debug("details of update %s: %r", update_id, error)
        message = texts.common.UNEXPECTED_ERROR

    if isinstance(update, Update) and update.effective_chat is not None:
        if update.callback_query is not None:
            # Stop the button's spinner; it may have been answered already.
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        try:
            await context.bot.send_message(update.effective_chat.id, message)
        except Forbidden:
            if user is not None and services is not None:
                await services.storage.mark_blocked(user.id)
        except TelegramError as send_error:
            logger.warning("could not send the apology: %s", type(send_error).__name__)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.common.UNKNOWN_COMMAND)


async def not_understood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.common.NOT_UNDERSTOOD)


def _make_post_init(settings: Settings, modules: list[ModuleType]) -> Any:
    async def post_init(application: Application) -> None:
        if SERVICES_KEY not in application.bot_data:
            application.bot_data[SERVICES_KEY] = await Services.open(settings)
            application.bot_data["_services_owned"] = True
        elif application.bot_data.get("_services_passed") is not None:
            # Persistence may have replaced bot_data while initialising: put them back.
            application.bot_data[SERVICES_KEY] = application.bot_data["_services_passed"]
        try:
            await application.bot.set_my_commands(command_menu(modules))
        except TelegramError as error:
            logger.warning("could not register the command menu: %s", type(error).__name__)
        logger.info(texts.common.READY_LOG.format(username=application.bot.username))

    return post_init


async def post_shutdown(application: Application) -> None:
    services = application.bot_data.get(SERVICES_KEY)
    if services is not None and application.bot_data.get("_services_owned"):
        application.bot_data.pop(SERVICES_KEY, None)
        application.bot_data.pop("_services_owned", None)
        await services.close()


def _default_persistence(settings: Settings, services: Services | None) -> BasePersistence:
    from storage import SqlitePersistence

    if services is not None:
        return SqlitePersistence(services.storage)
    return SqlitePersistence(settings.database_location)


def build_core_application(
    settings: Settings,
    *,
    features: Sequence[Callable[[Application], None]] = (),
    services: Services | None = None,
    base_url: str | None = None,
    base_file_url: str | None = None,
    request: BaseRequest | None = None,
    persistence: BasePersistence | None = DEFAULT_PERSISTENCE,
) -> Application:
    """Build the bot application (not initialised, not started) with the command handlers.

    `features` add their own handlers and jobs, after the commands and before the catch-all
    fallbacks. `services` given: used as they are (the caller closes them); otherwise post_init
    opens them from `settings` and post_shutdown closes them. `persistence=None` disables it
    (the onboarding conversation is then not persistent).
    """
    url = base_url or settings.telegram_api_base_url
    if base_file_url is None:
        if base_url is None:
            base_file_url = settings.telegram_file_base_url
        else:
            base_file_url = (
                base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url
            )
    if persistence is DEFAULT_PERSISTENCE:
        persistence = _default_persistence(settings, services)
    modules = handler_modules()

    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(url)
        .base_file_url(base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=settings.alert_timezone,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(_make_post_init(settings, modules))
        .post_shutdown(post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if persistence is not None:
        builder = builder.persistence(persistence)
    application = builder.build()
    application.bot_data["settings"] = settings
    if services is not None:
        application.bot_data[SERVICES_KEY] = services
        application.bot_data["_services_passed"] = services

    private_chat.register(application)  # group -2: groups and channels stop there
    application.add_handler(TypeHandler(Update, track_user), group=-1)
    for module in modules:
        module.register(application)
    for register_feature in features:
        register_feature(application)
    # Last in group 0: anything no feature handler took.
    callbacks.register(application)
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command)
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE,
            not_understood,
        )
    )
    application.add_error_handler(on_error)
    return application
