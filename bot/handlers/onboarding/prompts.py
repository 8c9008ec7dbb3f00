"""The question of each step (``ask_*``), and moving on to the next step.

Every answer handler ends by asking the next question through `after_step` or one of these
prompts, which record the step in the draft (so /start resumes there after a restart) and
return the conversation state.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot import texts
from bot.handlers.common import Context, reply_html, services
from bot.handlers.onboarding.draft import MAX_SKILL_LENGTH, draft_complete, get_draft
from bot.handlers.onboarding.keyboards import (
    alerts_keyboard,
    chosen_jobs_keyboard,
    contracts_keyboard,
    location_keyboard,
    radius_keyboard,
    skills_keyboard,
    summary_keyboard,
)
from bot.handlers.onboarding.profile_card import summary_text
from bot.handlers.onboarding.states import (
    ALERTS,
    CONTRACTS,
    JOBS,
    PLACE,
    RADIUS,
    SKILLS,
    SUMMARY,
)
from bot.render import escape

T = texts.onboarding

PROPOSED_SKILLS = 8


async def ask_jobs(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = JOBS
    if draft["jobs"]:
        listing = "\n".join(f"• {c} — {label}" for c, label in draft["jobs"])
        await reply_html(
            update,
            context,
            f"{T.ASK_JOB}\n\nDéjà choisis :\n{escape(listing)}",
            chosen_jobs_keyboard(),
        )
    else:
        await reply_html(update, context, T.ASK_JOB)
    return JOBS


def proposed_skills(context: Context, draft: dict[str, Any]) -> list[str]:
    """Top core skills of the chosen jobs, interleaved, savoir-faire first."""
    referential = services(context).referential
    per_job: list[list[str]] = []
    for code, _label in draft["jobs"]:
        job = referential.job(code)
        if job is None:
            continue
        core = [s for s in job.core_skills if s.kind == "savoir-faire"]
        others = [s for s in job.core_skills if s.kind != "savoir-faire"]
        per_job.append([s.label for s in core + others])
    proposed: list[str] = []
    seen: set[str] = set()
    for rank in range(max((len(x) for x in per_job), default=0)):
        for labels in per_job:
            if rank < len(labels) and labels[rank].casefold() not in seen:
                seen.add(labels[rank].casefold())
                proposed.append(labels[rank][:MAX_SKILL_LENGTH])
        if len(proposed) >= PROPOSED_SKILLS:
            break
    return proposed[:PROPOSED_SKILLS]


async def ask_skills(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = SKILLS
    draft["proposed"] = proposed_skills(context, draft)
    text = T.ASK_SKILLS
    if draft["skills"]:
        text += "\n\n" + T.skills_now(draft["skills"])
    await reply_html(update, context, text, skills_keyboard(draft))
    return SKILLS


async def ask_place(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = PLACE
    await reply_html(update, context, T.ASK_PLACE, location_keyboard())
    return PLACE


async def ask_radius(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = RADIUS
    await reply_html(update, context, T.ASK_RADIUS, radius_keyboard())
    return RADIUS


async def ask_alerts(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = ALERTS
    await reply_html(update, context, T.ASK_ALERTS, alerts_keyboard())
    return ALERTS


async def ask_contracts(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = CONTRACTS
    await reply_html(update, context, T.ASK_CONTRACTS, contracts_keyboard(draft))
    return CONTRACTS


async def show_summary(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = SUMMARY
    await reply_html(
        update, context, f"{summary_text(draft)}\n\n{T.SUMMARY_QUESTION}", summary_keyboard()
    )
    return SUMMARY


STEP_PROMPTS = {
    JOBS: ask_jobs,
    SKILLS: ask_skills,
    PLACE: ask_place,
    RADIUS: ask_radius,
    ALERTS: ask_alerts,
    CONTRACTS: ask_contracts,
    SUMMARY: show_summary,
}


async def after_step(update: Update, context: Context, next_step: str) -> str:
    """Go to `next_step`, or back to the summary when editing one part of a full draft."""
    draft = get_draft(context)
    if draft.get("editing") and next_step != SUMMARY and draft_complete(draft):
        return await show_summary(update, context)
    return await STEP_PROMPTS[next_step](update, context)
