"""/metiers (alias /jobs): the métiers that best fit the user's skills, each with a button;
under them, for the first métier, "Évolution" (career moves, offline: always there) and
"Savoir-être" (only while the soft-skills service is on)."""

from __future__ import annotations

import asyncio
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler

from bot import cards
from bot.handlers.common import Context, reply_html, services
from bot.handlers.evolution import evolution_button
from bot.handlers.match import AwaitingTextHandler, set_awaiting, store_typed_skills
from bot.handlers.soft_skills import soft_skills_button
from bot.render import escape, truncate
from bot.services import Services
from bot.texts import commands as t
from ft_client.matching import suggest_jobs

COMMANDS: list[tuple[str, str]] = [("metiers", t.JOBS_DESCRIPTION)]

SUGGESTIONS: Final = 5
AWAIT_SKILLS_FOR_JOBS: Final = "skills_jobs"
# The whole list stays readable on a phone screen.
MESSAGE_LIMIT: Final = 1200
FIRST_JOB_CHARS: Final = 40
# Says which métier the buttons under the list are for.
FIRST_JOB_BUTTONS = "🧭 Évolution, 🤝 Savoir-être : pour <b>{job}</b>"
FIRST_JOB_EVOLUTION = "🧭 Évolution : pour <b>{job}</b>"


def with_first_job_buttons(
    message: str, keyboard: InlineKeyboardMarkup, first: cards.JobSuggestionView, svc: Services
) -> tuple[str, InlineKeyboardMarkup]:
    """The list with one more row — Évolution, and Savoir-être when the service is on — for
    the first (best covered) métier, and a line saying so."""
    soft_skills = soft_skills_button(first.code, svc)
    row = [evolution_button(first.code)] + ([soft_skills] if soft_skills else [])
    line = (FIRST_JOB_BUTTONS if soft_skills else FIRST_JOB_EVOLUTION).format(
        job=escape(truncate(first.label, FIRST_JOB_CHARS))
    )
    if len(message) + 2 + len(line) <= MESSAGE_LIMIT:
        message = f"{message}\n\n{line}"
    rows: list[list[InlineKeyboardButton]] = [list(r) for r in keyboard.inline_keyboard]
    return message, InlineKeyboardMarkup([*rows, row])


async def send_suggestions(update: Update, context: Context, skills: tuple[str, ...]) -> None:
    svc = services(context)
    # CPU work (the first call builds indexes): off the event loop, other users keep being served.
    found = await asyncio.to_thread(suggest_jobs, skills, svc.referential, SUGGESTIONS)
    # A job none of the skills touches is no suggestion at all. suggest_jobs picks the five by
    # relevance (which also weighs the user's words in job titles); a user reads the list top
    # down by the one figure shown, so it is sorted by that coverage ("40 %" never comes after
    # "38 %"; equal coverage keeps the relevance order) and its heading says so.
    found = sorted((s for s in found if s.score > 0), key=lambda s: -s.score)
    if not found:
        await reply_html(update, context, t.JOBS_NONE)
        return
    views = [cards.JobSuggestionView(s.rome_code, s.job_label, s.score) for s in found]
    message, keyboard = with_first_job_buttons(
        cards.job_suggestions(views), cards.job_suggestions_keyboard(views), views[0], svc
    )
    await reply_html(update, context, message, keyboard)


async def jobs_command(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    profile = await services(context).storage.get_profile(user.id)
    if profile is None or not profile.skills:
        set_awaiting(context, AWAIT_SKILLS_FOR_JOBS)
        await reply_html(update, context, t.JOBS_NEED_SKILLS)
        return
    await send_suggestions(update, context, profile.skills)


async def skills_for_jobs(update: Update, context: Context) -> None:
    skills = await store_typed_skills(update, context)
    if skills is not None:
        await send_suggestions(update, context, tuple(skills))


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["metiers", "jobs"], jobs_command))
    application.add_handler(
        AwaitingTextHandler(AWAIT_SKILLS_FOR_JOBS, skills_for_jobs, application)
    )
