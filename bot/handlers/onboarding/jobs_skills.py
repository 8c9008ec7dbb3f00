"""Answers to the first two steps: the target jobs, then the skills.

Jobs are typed (words, or a ROME code) and picked from buttons. Words go to
`bot.job_lookup.look_up_jobs` (ROMEO first when subscribed and confident, the offline
`ft_client.matching.find_jobs` otherwise), except words the curated alias table knows
("plongeur", "ehpad"): there the offline answer is the project's own knowledge of what job
seekers mean, and stands. Recognised jobs are offered as choices, hits under the confidence
threshold only as « Vouliez-vous dire… » suggestions; a town typed here is named as a place,
and a town that reads as a job title ("Tours") is asked about. Skills are toggled from the
chosen jobs' core skills or typed as a list.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from telegram import Update

from bot import callbacks, texts
from bot.handlers.common import (
    Context,
    answer_query,
    edit_or_reply,
    has_letter,
    reply_html,
    services,
)
from bot.handlers.onboarding.draft import MAX_JOBS, MAX_SKILL_LENGTH, MAX_SKILLS, get_draft
from bot.handlers.onboarding.keyboards import done_keyboard, jobs_keyboard, skills_keyboard
from bot.handlers.onboarding.parsing import (
    MAX_SKILLS_INPUT,
    SURE_PLACE_SCORE,
    check_place_text,
    check_text,
    is_code_like,
    is_done_word,
    parse_rome_code,
    parse_skills,
    pick_place,
    place_score,
)
from bot.handlers.onboarding.prompts import after_step, ask_skills
from bot.handlers.onboarding.states import JOBS, PLACE, SKILLS
from bot.job_lookup import look_up_jobs
from bot.render import escape
from bot.services import Services
from ft_client.matching import (
    FIND_JOBS_THRESHOLD,
    find_jobs,
    is_alias,
    is_recognised,
    looks_like_place,
    town_or_job,
)
from ft_client.referential import JobHit, Referential

T = texts.onboarding

JOB_CHOICES = 5
# Close matches (under the confidence threshold) worth offering as « Vouliez-vous dire… »
# buttons; below, the words named nothing (same floor as /match).
MIN_CLOSE_MATCH = 0.5
CLOSE_MATCHES = 3


def town_or_job_question(town: str) -> str:
    """A town whose name reads as a job title ("Tours" → Régleur sur tour): which one?"""
    name = escape(town)
    return (
        f"<b>{name} : la ville ou un métier ?</b>\n"
        f"{name} est une ville (la commune se choisit à une autre étape). Si vous pensiez à un "
        "métier, touchez-le ci-dessous ; sinon, écrivez le métier que vous cherchez."
    )


@dataclass(frozen=True, slots=True)
class JobAnswer:
    """What typed job words name: jobs to offer (``recognised`` or close matches), or a town
    (``place``), or a town that may also be meant as a job (``town``, with ``hits``)."""

    hits: list[JobHit] = field(default_factory=list)
    recognised: bool = False
    place: str | None = None
    town: str | None = None


# --------------------------------------------------------------------------- jobs


def _add_job(draft: dict[str, Any], code: str, label: str) -> str | None:
    """Add a job to the draft; the French refusal when it cannot be added."""
    if any(existing == code for existing, _ in draft["jobs"]):
        return T.job_already(label)
    if len(draft["jobs"]) >= MAX_JOBS:
        return T.JOB_LIMIT
    draft["jobs"].append([code, label])
    return None


async def jobs_text(update: Update, context: Context) -> str:
    draft = get_draft(context)
    text = update.effective_message.text or ""
    problem = check_text(text)
    if problem:
        await reply_html(update, context, problem)
        return JOBS
    if is_done_word(text):
        return await _jobs_done(update, context)
    referential = services(context).referential
    code = parse_rome_code(text)
    if code:
        job = referential.job(code)
        if job is None:
            await reply_html(update, context, T.UNKNOWN_ROME_CODE)
            return JOBS
        return await _job_chosen(update, context, code, job.label)
    if len(draft["jobs"]) >= MAX_JOBS:
        await reply_html(update, context, T.JOB_LIMIT, done_keyboard())
        return JOBS
    if is_code_like(text):
        await reply_html(update, context, T.job_not_words(text))
        return JOBS
    answer = await _look_up_job(services(context), text)
    if answer.town is not None:
        choices = [(hit.rome_code, hit.job_label) for hit in answer.hits]
        keyboard = jobs_keyboard(choices, draft) if choices or draft["jobs"] else None
        await reply_html(update, context, town_or_job_question(answer.town), keyboard)
        return JOBS
    if answer.place is not None:
        await reply_html(update, context, T.job_is_place(answer.place))
        return JOBS
    if not answer.hits:
        await reply_html(update, context, T.job_not_found(text))
        return JOBS
    choices = [(hit.rome_code, hit.job_label) for hit in answer.hits]
    # Close matches are suggestions only: a tap on one is the user's own choice.
    message = (
        T.job_choices(text, answer.hits[0].why) if answer.recognised else T.job_close_matches(text)
    )
    await reply_html(update, context, message, jobs_keyboard(choices, draft))
    return JOBS


async def _look_up_job(svc: Services, text: str) -> JobAnswer:
    """The jobs to offer for typed words — the recognised ones, else the close matches — or
    the town the words are."""
    hits: list[JobHit] = []
    town = None
    if has_letter(text):
        if is_alias(text):
            hits = await asyncio.to_thread(_offline_jobs, svc.referential, text)
        else:
            hits = (await look_up_jobs([text], svc, limit=JOB_CHOICES))[0]
        # CPU work (place look-up): off the event loop.
        town = await asyncio.to_thread(town_or_job, text, svc.referential)
    if town is not None:
        # Asked before taking any hit: ROMEO may be confident about "Tours" too.
        return JobAnswer(_close_matches(hits), town=town.name)
    if is_recognised(hits):
        return JobAnswer([hit for hit in hits if hit.score >= FIND_JOBS_THRESHOLD], True)
    place = await asyncio.to_thread(_place_named, svc.referential, text)
    if place is not None:
        return JobAnswer(place=place)
    return JobAnswer(_close_matches(hits))


def _offline_jobs(referential: Referential, text: str) -> list[JobHit]:
    try:
        return find_jobs(text, referential, limit=JOB_CHOICES)
    except ValueError:
        return []


def _close_matches(hits: list[JobHit]) -> list[JobHit]:
    return [hit for hit in hits if hit.score >= MIN_CLOSE_MATCH][:CLOSE_MATCHES]


def _place_named(referential: Referential, text: str) -> str | None:
    """The town the words name ("Paris", "lyon 3e", "75011"), when they name no job."""
    place = looks_like_place(text, referential)
    if place is None and check_place_text(text) is None:
        # looks_like_place wants the exact name; "paris 11" is the 11th arrondissement too.
        found = pick_place(text, referential.find_places(text, limit=5))
        if found is not None and place_score(text, found) >= SURE_PLACE_SCORE:
            place = found
    return place.name if place is not None else None


async def _job_chosen(update: Update, context: Context, code: str, label: str) -> str:
    draft = get_draft(context)
    refusal = _add_job(draft, code, label)
    if refusal:
        await edit_or_reply(update, context, refusal, done_keyboard())
        return JOBS
    jobs = [(c, lab) for c, lab in draft["jobs"]]
    await edit_or_reply(update, context, T.job_added(label, code, jobs), done_keyboard())
    return JOBS


async def job_button(update: Update, context: Context) -> str:
    await answer_query(update)
    data = callbacks.from_update(update)
    job = services(context).referential.job(data.args[0]) if data else None
    if job is None:
        await reply_html(update, context, T.UNKNOWN_ROME_CODE)
        return JOBS
    return await _job_chosen(update, context, job.code, job.label)


async def jobs_control(update: Update, context: Context) -> str:
    await answer_query(update)
    draft = get_draft(context)
    data = callbacks.from_update(update)
    choice = data.args[0] if data else ""
    if choice == "clear_jobs":
        draft["jobs"] = []
        await edit_or_reply(update, context, T.ASK_JOB)
        return JOBS
    if choice != "done":
        await reply_html(update, context, T.USE_BUTTONS)
        return JOBS
    return await _jobs_done(update, context)


async def _jobs_done(update: Update, context: Context) -> str:
    if not get_draft(context)["jobs"]:
        await reply_html(update, context, T.JOB_NEED_ONE)
        return JOBS
    # Even when editing: new jobs mean new skill proposals, offered before the summary.
    return await ask_skills(update, context)


# --------------------------------------------------------------------------- skills


async def skills_text(update: Update, context: Context) -> str:
    draft = get_draft(context)
    text = update.effective_message.text or ""
    problem = check_text(text, MAX_SKILLS_INPUT)
    if problem:
        await reply_html(update, context, problem, skills_keyboard(draft))
        return SKILLS
    if is_done_word(text):
        return await _skills_done(update, context)
    parsed = parse_skills(text)
    if not parsed:
        await reply_html(update, context, T.SKILLS_NOTHING, skills_keyboard(draft))
        return SKILLS
    if any(len(skill) > MAX_SKILL_LENGTH for skill in parsed):
        await reply_html(update, context, T.SKILLS_TOO_LONG, skills_keyboard(draft))
        return SKILLS
    known = {s.casefold() for s in draft["skills"]}
    added = 0
    limited = False
    for skill in parsed:
        if skill.casefold() in known:
            continue
        if len(draft["skills"]) >= MAX_SKILLS:
            limited = True
            break
        draft["skills"].append(skill)
        known.add(skill.casefold())
        added += 1
    message = T.skills_added(added, draft["skills"]) if added else T.skills_now(draft["skills"])
    if limited:
        message += "\n\n" + T.SKILLS_LIMIT
    await reply_html(update, context, message, skills_keyboard(draft))
    return SKILLS


async def skill_toggle(update: Update, context: Context) -> str:
    draft = get_draft(context)
    data = callbacks.from_update(update)
    index = int(data.args[0]) if data else -1
    if not 0 <= index < len(draft["proposed"]):
        await answer_query(update, texts.common.STALE_BUTTON, alert=True)
        return SKILLS
    label = draft["proposed"][index]
    lowered = [s.casefold() for s in draft["skills"]]
    if label.casefold() in lowered:
        draft["skills"].pop(lowered.index(label.casefold()))
        await answer_query(update, "Retirée")
    elif len(draft["skills"]) >= MAX_SKILLS:
        await answer_query(update, T.SKILLS_LIMIT, alert=True)
        return SKILLS
    else:
        draft["skills"].append(label)
        await answer_query(update, "Ajoutée")
    text = T.ASK_SKILLS + "\n\n" + T.skills_now(draft["skills"])
    await edit_or_reply(update, context, text, skills_keyboard(draft))
    return SKILLS


async def skills_control(update: Update, context: Context) -> str:
    await answer_query(update)
    draft = get_draft(context)
    data = callbacks.from_update(update)
    choice = data.args[0] if data else ""
    if choice == "clear_skills":
        draft["skills"] = []
        await edit_or_reply(update, context, T.ASK_SKILLS, skills_keyboard(draft))
        return SKILLS
    if choice != "done":
        await reply_html(update, context, T.USE_BUTTONS)
        return SKILLS
    return await _skills_done(update, context)


async def _skills_done(update: Update, context: Context) -> str:
    draft = get_draft(context)
    if not draft["skills"]:
        await reply_html(update, context, T.SKILLS_NEED_ONE, skills_keyboard(draft))
        return SKILLS
    return await after_step(update, context, PLACE)
