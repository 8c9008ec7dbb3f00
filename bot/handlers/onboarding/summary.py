"""The summary step: confirm (save the draft as the profile), modify a part, or go back."""

from __future__ import annotations

from datetime import time

from telegram import Update

from bot import callbacks, texts
from bot.handlers.common import Context, answer_query, edit_or_reply, reply_html, services
from bot.handlers.onboarding.draft import clear_draft, draft_complete, get_draft
from bot.handlers.onboarding.keyboards import edit_keyboard, summary_keyboard
from bot.handlers.onboarding.profile_card import summary_text, summary_text_from
from bot.handlers.onboarding.prompts import STEP_PROMPTS
from bot.handlers.onboarding.states import END, JOBS, PLACE, RADIUS, SKILLS, SUMMARY

T = texts.onboarding


async def summary_choice(update: Update, context: Context) -> str | int:
    await answer_query(update)
    data = callbacks.from_update(update)
    choice = data.args[0] if data else ""
    if choice == "confirm":
        return await save_profile(update, context)
    if choice == "edit":
        await edit_or_reply(update, context, T.CHOOSE_WHAT_TO_EDIT, edit_keyboard())
        return SUMMARY
    if choice == "back":
        draft = get_draft(context)
        await edit_or_reply(
            update, context, f"{summary_text(draft)}\n\n{T.SUMMARY_QUESTION}", summary_keyboard()
        )
        return SUMMARY
    await reply_html(update, context, T.USE_BUTTONS, summary_keyboard())
    return SUMMARY


async def save_profile(update: Update, context: Context) -> str | int:
    from storage import Profile, TargetJob

    draft = get_draft(context)
    user = update.effective_user
    if not draft_complete(draft):
        # Only reachable with a damaged draft: restart the missing step.
        step = (
            JOBS
            if not draft["jobs"]
            else SKILLS
            if not draft["skills"]
            else PLACE
            if not draft["place"]
            else RADIUS
        )
        return await STEP_PROMPTS[step](update, context)
    storage = services(context).storage
    existing = await storage.get_profile(user.id)
    hour, minute = (int(x) for x in draft["alert_time"].split(":"))
    values = {
        "target_jobs": tuple(TargetJob(code, label) for code, label in draft["jobs"]),
        "skills": tuple(draft["skills"]),
        "place_code": draft["place"]["code"],
        "place_label": draft["place"]["label"],
        "radius_km": int(draft["radius"]),
        "contract_types": tuple(draft["contracts"]),
        "alert_time": time(hour, minute),
        "alerts_enabled": bool(draft["alerts"]),
        "driving_licences": tuple(draft["licences"]),
        "languages": tuple(draft["languages"]),
        "experience": draft["experience"],
        "working_time": draft["working_time"],
        "remote_wanted": draft["remote"],
    }
    # Keep what this conversation does not edit (alert days, last alert time).
    profile = existing.replace(**values) if existing else Profile(user_id=user.id, **values)
    await storage.upsert_profile(profile)
    clear_draft(context)
    first_code = draft["jobs"][0][0] if draft["jobs"] else None
    await edit_or_reply(update, context, f"{T.SAVED}\n\n{summary_text_from(profile)}")
    await reply_html(update, context, T.first_match_hint(first_code))
    return END
