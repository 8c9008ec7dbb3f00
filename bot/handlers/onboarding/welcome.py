"""/start: welcome a new user, offer to keep or redo a saved profile, resume a draft."""

from __future__ import annotations

from telegram import Update

from bot import callbacks, texts
from bot.handlers.common import Context, answer_query, edit_or_reply, reply_html, services
from bot.handlers.onboarding.draft import DRAFT, clear_draft, get_draft, new_draft
from bot.handlers.onboarding.keyboards import welcome_keyboard
from bot.handlers.onboarding.profile_card import summary_text_from
from bot.handlers.onboarding.prompts import STEP_PROMPTS, ask_jobs
from bot.handlers.onboarding.states import END, JOBS, WELCOME

T = texts.onboarding


async def start(update: Update, context: Context) -> str:
    draft = context.user_data.get(DRAFT)
    if isinstance(draft, dict) and draft.get("step") in STEP_PROMPTS:
        return await resume(update, context)
    user = update.effective_user
    clear_draft(context)
    storage = services(context).storage
    if user is not None:
        # /start is where using the bot begins: the person is recorded from here on (with
        # their private chat, where alerts go), not from a mere message.
        await storage.upsert_user(user.id, user.id, user.first_name, user.language_code)
    profile = await storage.get_profile(user.id) if user else None
    welcome = T.welcome(user.first_name if user else None)
    if profile is not None:
        context.user_data[DRAFT] = {**new_draft(), "step": WELCOME}
        await reply_html(
            update,
            context,
            f"{welcome}\n\n{summary_text_from(profile)}\n\n{T.WELCOME_EXISTING}",
            welcome_keyboard(),
        )
        return WELCOME
    context.user_data[DRAFT] = new_draft()
    await reply_html(update, context, welcome)
    return await ask_jobs(update, context)


async def resume(update: Update, context: Context) -> str:
    """/start while a conversation is going on: repeat the current step's question."""
    draft = get_draft(context)
    step = draft.get("step", JOBS)
    await reply_html(update, context, T.RESUMED)
    return await STEP_PROMPTS.get(step, ask_jobs)(update, context)


async def welcome_choice(update: Update, context: Context) -> str | int:
    await answer_query(update)
    data = callbacks.from_update(update)
    choice = data.args[0] if data else ""
    if choice == "keep":
        clear_draft(context)
        await edit_or_reply(update, context, T.KEPT)
        return END
    if choice == "restart":
        context.user_data[DRAFT] = new_draft()
        return await ask_jobs(update, context)
    await reply_html(update, context, T.USE_BUTTONS)
    return WELCOME
