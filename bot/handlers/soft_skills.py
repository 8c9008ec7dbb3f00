"""/savoiretre [métier]: the soft skills employers expect for a métier (Match via Soft Skills),
each a button the person touches to tick it as theirs; kept in their profile data
(``bot.soft_skill_profile``) and shown by /match as a savoir-être part of its own.

Callback data (other screens link here; both take a ROME code):
- ``v1|ssv|<ROME>`` — open this screen for a métier (``soft_skills_button`` builds it, and
  returns None while the service is off, so the feature stays hidden);
- ``v1|sst|<ROME>|<n>`` — tick or untick the n-th soft skill shown (0-based).

Service off (not subscribed): the command explains it; busy or down: said plainly, nothing lost.
"""

from __future__ import annotations

import logging
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.handlers.common import (
    Context,
    answer_query,
    command_args_text,
    edit_or_reply,
    get_profile,
    record_ft_error,
    reply_html,
    services,
)
from bot.handlers.job_place import MAX_INPUT_CHARS, call_service, find_job
from bot.render import escape, truncate
from bot.services import Services
from bot.soft_skill_profile import shown_soft_skills, soft_share, ticked, toggle
from bot.texts import careers as t
from ft_client import FTError, FTServiceNotEnabled
from ft_client.models import SoftSkill

logger = logging.getLogger(__name__)

COMMANDS: list[tuple[str, str]] = [("savoiretre", t.SOFT_SKILLS_DESCRIPTION)]

ACTION_VIEW: Final = "ssv"  # <ROME code>: open the soft-skills screen of a métier
ACTION_TOGGLE: Final = "sst"  # <ROME code> <n>: tick / untick the n-th soft skill shown
callbacks.register_action(ACTION_VIEW, callbacks.ROME_CODE)
callbacks.register_action(ACTION_TOGGLE, callbacks.ROME_CODE, r"[0-9]{1,2}")

SERVICE_API: Final = "softskills"
BUTTON_LABEL: Final = "🤝 Savoir-être"


def view_callback_data(rome_code: str) -> str:
    """``v1|ssv|<ROME>``: the callback data of a "Savoir-être" button for a métier."""
    return callbacks.encode(ACTION_VIEW, rome_code)


def soft_skills_button(rome_code: str, svc: Services) -> InlineKeyboardButton | None:
    """The "Savoir-être" button other screens put under a métier; None while the service is
    off (the feature is hidden rather than offered and refused)."""
    if not svc.ft.service_enabled(SERVICE_API):
        return None
    return InlineKeyboardButton(BUTTON_LABEL, callback_data=view_callback_data(rome_code))


def soft_skills_screen(
    rome_code: str, job_label: str, shown: list[SoftSkill], ticked_keys: set[str]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message and its toggle buttons."""
    job = escape(truncate(job_label, 70))
    title = t.SOFT_SKILLS_TITLE.format(job=job)
    if not shown:
        return "\n".join([title, "", t.SOFT_SKILLS_NONE.format(job=job)]), None
    count = sum(1 for s in shown if s.key in ticked_keys)
    percent = round(soft_share(shown, ticked_keys) * 100)
    lines = [
        title,
        "",
        t.SOFT_SKILLS_INTRO,
        "",
        t.SOFT_SKILLS_SHARE.format(count=count, total=len(shown), percent=percent),
        "",
        t.SOFT_SKILLS_SOURCE,
    ]
    rows = [
        [
            InlineKeyboardButton(
                (t.SOFT_SKILL_TICKED if s.key in ticked_keys else t.SOFT_SKILL_UNTICKED).format(
                    label=truncate(s.label, 48)
                ),
                callback_data=callbacks.encode(ACTION_TOGGLE, rome_code, str(index)),
            )
        ]
        for index, s in enumerate(shown)
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def _show(update: Update, context: Context, rome_code: str, job_label: str) -> None:
    request = services(context).ft.get_soft_skills(rome_code)
    result = await call_service(update, context, t.SOFT_SKILLS_SERVICE, request)
    if result is None:
        return
    shown = shown_soft_skills(result[0])
    text, markup = soft_skills_screen(
        rome_code, job_label, shown, set(ticked(context.user_data, rome_code))
    )
    await reply_html(update, context, text, markup)


async def soft_skills_command(update: Update, context: Context) -> None:
    words = command_args_text(context)
    if len(words) > MAX_INPUT_CHARS:
        await reply_html(update, context, t.SOFT_SKILLS_TOO_LONG.format(limit=MAX_INPUT_CHARS))
        return
    ref = services(context).referential
    if words:
        found = await find_job(ref, words)
        if found is None:
            escaped = escape(truncate(words, 60))
            await reply_html(update, context, t.SOFT_SKILLS_UNKNOWN_JOB.format(words=escaped))
            return
        code, label = found
    else:
        profile = await get_profile(update, context)
        if profile is None or not profile.target_jobs:
            await reply_html(update, context, t.SOFT_SKILLS_USAGE)
            return
        code, label = profile.target_jobs[0].code, profile.target_jobs[0].label
    await _show(update, context, code, label)


async def view_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    await answer_query(update)
    if data is None:
        return
    job = services(context).referential.job(data.args[0])
    if job is None:
        await reply_html(update, context, t.SOFT_SKILLS_STALE)
        return
    await _show(update, context, job.code, job.label)


async def toggle_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    if data is None or context.user_data is None:
        await answer_query(update)
        return
    svc = services(context)
    job = svc.referential.job(data.args[0])
    if job is None:
        await answer_query(update, t.SOFT_SKILLS_STALE, alert=True)
        return
    try:
        skills = await svc.ft.get_soft_skills(job.code)  # cached since the screen was shown
    except FTError as error:
        logger.warning("soft skills unavailable for a toggle: %s", type(error).__name__)
        if not isinstance(error, FTServiceNotEnabled):
            await record_ft_error(context, error)
        await answer_query(update, t.SOFT_SKILLS_UNAVAILABLE, alert=True)
        return
    shown = shown_soft_skills(skills)
    index = int(data.args[1])
    if index >= len(shown):
        await answer_query(update, t.SOFT_SKILLS_STALE, alert=True)
        return
    toggle(context.user_data, job.code, job.label, shown[index], shown)
    await answer_query(update)
    text, markup = soft_skills_screen(
        job.code, job.label, shown, set(ticked(context.user_data, job.code))
    )
    await edit_or_reply(update, context, text, markup)


def register(application: Application) -> None:
    # block=False: a slow France Travail answer must not hold up the other users' updates.
    application.add_handler(CommandHandler("savoiretre", soft_skills_command, block=False))
    application.add_handler(
        CallbackQueryHandler(view_button, pattern=callbacks.pattern(ACTION_VIEW), block=False)
    )
    application.add_handler(
        CallbackQueryHandler(toggle_button, pattern=callbacks.pattern(ACTION_TOGGLE))
    )
