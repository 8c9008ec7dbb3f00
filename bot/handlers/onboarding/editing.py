"""Editing one part of a profile: from the /profil buttons (saved profile) or the summary.

The /profil buttons (``pf|<part>``) are entry points of the conversation: they load the saved
profile into a draft marked "editing", ask that part's question, then go back to the summary
(see `prompts.after_step`); the summary's "Modifier" buttons (``obe|<part>``) do the same
with the draft in progress.
"""

from __future__ import annotations

from telegram import Update

from bot import callbacks, texts
from bot.handlers.common import Context, answer_query, reply_html, services
from bot.handlers.onboarding.draft import DRAFT, draft_from_profile, get_draft
from bot.handlers.onboarding.profile_fields import ask_field
from bot.handlers.onboarding.prompts import (
    ask_alerts,
    ask_contracts,
    ask_jobs,
    ask_place,
    ask_radius,
    ask_skills,
    show_summary,
)
from bot.handlers.onboarding.states import END
from bot.render import format_days_fr

FIELD_PARTS = frozenset({"licences", "languages", "experience", "worktime", "remote"})
EDIT_PARTS = frozenset({"jobs", "skills", "place", "radius", "contracts", "alerts"}) | FIELD_PARTS


async def edit_entry(update: Update, context: Context) -> str | int:
    """/profil buttons (pf|part): edit one part of the saved profile, then the summary."""
    data = callbacks.from_update(update)
    if data is not None and data.args[0] not in EDIT_PARTS:
        await answer_query(update, texts.common.STALE_BUTTON, alert=True)
        return END
    await answer_query(update)
    user = update.effective_user
    profile = await services(context).storage.get_profile(user.id) if user else None
    if profile is None or data is None:
        await reply_html(update, context, texts.common.NO_PROFILE)
        return END
    draft = draft_from_profile(profile)
    draft["alert_days_label"] = format_days_fr(profile.alert_days)
    context.user_data[DRAFT] = draft
    return await edit_part(update, context, data.args[0])


async def summary_edit_part(update: Update, context: Context) -> str:
    """Summary buttons (obe|part): edit one part of the draft in progress."""
    await answer_query(update)
    data = callbacks.from_update(update)
    return await edit_part(update, context, data.args[0] if data else "")


async def edit_part(update: Update, context: Context, part: str) -> str:
    draft = get_draft(context)
    draft["editing"] = True
    if part == "jobs":
        return await ask_jobs(update, context)
    if part == "skills":
        return await ask_skills(update, context)
    if part == "place":
        return await ask_place(update, context)
    if part == "radius":
        return await ask_radius(update, context)
    if part == "contracts":
        return await ask_contracts(update, context)
    if part == "alerts":
        return await ask_alerts(update, context)
    if part in FIELD_PARTS:
        return await ask_field(update, context, part)
    return await show_summary(update, context)
