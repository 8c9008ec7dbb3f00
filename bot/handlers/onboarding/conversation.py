"""Wiring: the ConversationHandler mapping each state to its handlers, and its registration.

Registered first in group 0 (see `bot.app`): the conversation must see its users' messages
before any command handler. /annuler outside a conversation gets its own answer.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import callbacks, texts
from bot.handlers.onboarding.contracts_alerts import (
    alert_time_button,
    alerts_control,
    alerts_text,
    contract_toggle,
    contracts_control,
)
from bot.handlers.onboarding.editing import edit_entry, summary_edit_part
from bot.handlers.onboarding.fallbacks import (
    cancel,
    cancel_outside,
    stale_in_conversation,
    timeout,
    use_buttons,
    use_text,
)
from bot.handlers.onboarding.jobs_skills import (
    job_button,
    jobs_control,
    jobs_text,
    skill_toggle,
    skills_control,
    skills_text,
)
from bot.handlers.onboarding.place_radius import (
    place_button,
    place_location,
    place_retype,
    place_text,
    radius_button,
    radius_text,
)
from bot.handlers.onboarding.profile_fields import (
    FIELD_ACTIONS,
    field_button,
    fields_done,
    open_extras,
)
from bot.handlers.onboarding.states import (
    ALERTS,
    CONTRACTS,
    CONVERSATION_NAME,
    CONVERSATION_TIMEOUT_SECONDS,
    FIELDS,
    JOBS,
    PLACE,
    RADIUS,
    SKILLS,
    SUMMARY,
    WELCOME,
)
from bot.handlers.onboarding.summary import summary_choice
from bot.handlers.onboarding.welcome import start, welcome_choice


def _cb(callback: Any, *actions: str) -> CallbackQueryHandler:
    return CallbackQueryHandler(callback, pattern=callbacks.pattern(*actions))


def _is_choice(*choices: str) -> Any:
    def matches(data: object) -> bool:
        decoded = callbacks.decode(data)
        return decoded is not None and decoded.action == "ob" and decoded.args[0] in choices

    return matches


# New messages only: an edited old answer must not replay a step.
TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
OTHER = (
    filters.UpdateType.MESSAGE
    & ~filters.COMMAND
    & ~filters.TEXT
    & ~filters.LOCATION
    & ~filters.StatusUpdate.ALL
)


def build_conversation(
    *, persistent: bool, timeout_seconds: float = CONVERSATION_TIMEOUT_SECONDS
) -> ConversationHandler:
    onboarding_buttons = callbacks.pattern(
        "ob", "obe", "obj", "obs", "obp", "obr", "obt", "pfc", *FIELD_ACTIONS
    )
    with warnings.catch_warnings():
        # per_message=False with CallbackQueryHandlers is intended: the conversation is per
        # user and chat, buttons carry validated data (PTB warns about it by default).
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                CommandHandler("start", start),
                _cb(edit_entry, "pf"),
            ],
            states={
                WELCOME: [
                    CallbackQueryHandler(welcome_choice, pattern=_is_choice("keep", "restart")),
                    MessageHandler(TEXT | OTHER, use_buttons),
                ],
                JOBS: [
                    MessageHandler(TEXT, jobs_text),
                    _cb(job_button, "obj"),
                    CallbackQueryHandler(jobs_control, pattern=_is_choice("done", "clear_jobs")),
                    MessageHandler(OTHER, use_text),
                ],
                SKILLS: [
                    MessageHandler(TEXT, skills_text),
                    _cb(skill_toggle, "obs"),
                    CallbackQueryHandler(
                        skills_control, pattern=_is_choice("done", "clear_skills")
                    ),
                    MessageHandler(OTHER, use_text),
                ],
                PLACE: [
                    MessageHandler(filters.LOCATION, place_location),
                    MessageHandler(TEXT, place_text),
                    _cb(place_button, "obp"),
                    CallbackQueryHandler(place_retype, pattern=_is_choice("retype_place")),
                    MessageHandler(OTHER, use_text),
                ],
                RADIUS: [
                    _cb(radius_button, "obr"),
                    MessageHandler(TEXT, radius_text),
                    MessageHandler(OTHER, use_buttons),
                ],
                CONTRACTS: [
                    _cb(contract_toggle, "pfc"),
                    CallbackQueryHandler(contracts_control, pattern=_is_choice("done")),
                    MessageHandler(TEXT | OTHER, use_buttons),
                ],
                ALERTS: [
                    _cb(alert_time_button, "obt"),
                    CallbackQueryHandler(alerts_control, pattern=_is_choice("alerts_off")),
                    MessageHandler(TEXT, alerts_text),
                    MessageHandler(OTHER, use_buttons),
                ],
                FIELDS: [
                    _cb(field_button, *FIELD_ACTIONS),
                    CallbackQueryHandler(fields_done, pattern=_is_choice("done")),
                    MessageHandler(TEXT | OTHER, use_buttons),
                ],
                SUMMARY: [
                    CallbackQueryHandler(
                        summary_choice, pattern=_is_choice("confirm", "edit", "back")
                    ),
                    CallbackQueryHandler(open_extras, pattern=_is_choice("extras")),
                    _cb(summary_edit_part, "obe"),
                    MessageHandler(TEXT | OTHER, use_buttons),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timeout)],
            },
            fallbacks=[
                CommandHandler(["annuler", "cancel"], cancel),
                # Our own buttons from another step: "no longer valid", stay where we are.
                CallbackQueryHandler(stale_in_conversation, pattern=onboarding_buttons),
            ],
            name=CONVERSATION_NAME,
            persistent=persistent,
            per_chat=True,
            per_user=True,
            per_message=False,
            conversation_timeout=timeout_seconds,
            # /start and the /profil buttons work from any step (start() resumes a draft).
            allow_reentry=True,
        )


COMMANDS = [
    ("start", texts.common.MENU_START),
    ("profil", texts.common.MENU_PROFILE),
    ("annuler", texts.common.MENU_CANCEL),
]


def register(application: Application) -> None:
    settings = application.bot_data.get("settings")
    timeout_seconds = getattr(
        settings, "conversation_timeout_seconds", CONVERSATION_TIMEOUT_SECONDS
    )
    application.add_handler(
        build_conversation(
            persistent=application.persistence is not None, timeout_seconds=timeout_seconds
        )
    )
    application.add_handler(CommandHandler(["annuler", "cancel"], cancel_outside))
