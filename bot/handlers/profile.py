"""/profil: the profile card with a button to edit each part, and removing one job or skill.

The edit buttons (``pf|<part>``) are entry points of the onboarding conversation
(`bot.handlers.onboarding`), which edits that part and shows the summary to confirm.
"➖ Retirer un métier / une compétence" (``pfl|jobs|skills``) list the saved items as buttons
(``pfrj|<rome code>``, ``pfrs|<index>|<checksum>``); one press removes that item at once.
"""

from __future__ import annotations

import zlib

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks, texts
from bot.handlers.common import Context, answer_query, get_profile, reply_html, services
from bot.handlers.onboarding import edit_keyboard, summary_text_from
from bot.handlers.onboarding.keyboards import inline_keyboard
from storage import Profile

F = texts.profile_fields


def skill_checksum(skill: str) -> str:
    return f"{zlib.crc32(skill.encode('utf-8')):08x}"


def _card(profile: Profile) -> str:
    return f"{summary_text_from(profile)}\n\n{texts.onboarding.CHOOSE_WHAT_TO_EDIT}"


async def show_profile(update: Update, context: Context) -> None:
    profile = await get_profile(update, context)
    if profile is None:
        await reply_html(update, context, texts.common.NO_PROFILE)
        return
    await reply_html(update, context, _card(profile), edit_keyboard("pf"))


def removal_keyboard(profile: Profile, what: str) -> InlineKeyboardMarkup:
    if what == "jobs":
        rows = [[(f"➖ {j.label}", callbacks.encode("pfrj", j.code))] for j in profile.target_jobs]
    else:
        rows = [
            [(f"➖ {skill}", callbacks.encode("pfrs", i, skill_checksum(skill)))]
            for i, skill in enumerate(profile.skills)
        ]
    return inline_keyboard(rows)


async def list_for_removal(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    profile = await get_profile(update, context)
    await answer_query(update)
    if profile is None or data is None:
        await reply_html(update, context, texts.common.NO_PROFILE)
        return
    what = data.args[0]
    count = len(profile.target_jobs if what == "jobs" else profile.skills)
    if count <= 1:
        await reply_html(update, context, F.KEEP_ONE_JOB if what == "jobs" else F.KEEP_ONE_SKILL)
        return
    question = F.ASK_REMOVE_JOB if what == "jobs" else F.ASK_REMOVE_SKILL
    await reply_html(update, context, question, removal_keyboard(profile, what))


async def remove_item(update: Update, context: Context) -> None:
    """Remove one job or skill in one transaction; a stale button changes nothing."""
    data = callbacks.from_update(update)
    user = update.effective_user
    if data is None or user is None:
        await answer_query(update, texts.common.STALE_BUTTON, alert=True)
        return
    removed: list[str] = []
    refusal: list[str] = []

    def change(profile: Profile) -> Profile:
        if data.action == "pfrj":
            kept = tuple(j for j in profile.target_jobs if j.code != data.args[0])
            gone = [j.label for j in profile.target_jobs if j.code == data.args[0]]
            if gone and not kept:
                refusal.append(F.KEEP_ONE_JOB)
                return profile
            removed.extend(gone)
            return profile.replace(target_jobs=kept)
        index, checksum = int(data.args[0]), data.args[1]
        skills = profile.skills
        if index >= len(skills) or skill_checksum(skills[index]) != checksum:
            return profile
        if len(skills) == 1:
            refusal.append(F.KEEP_ONE_SKILL)
            return profile
        removed.append(skills[index])
        return profile.replace(skills=skills[:index] + skills[index + 1 :])

    storage = services(context).storage
    if await storage.get_profile(user.id) is None:
        await answer_query(update)
        await reply_html(update, context, texts.common.NO_PROFILE)
        return
    profile = await storage.modify_profile(user.id, change)
    if refusal:
        await answer_query(update)
        await reply_html(update, context, refusal[0])
        return
    if not removed:
        await answer_query(update, texts.common.STALE_BUTTON, alert=True)
        return
    await answer_query(update)
    await reply_html(
        update, context, f"{F.removed(removed[0])}\n\n{_card(profile)}", edit_keyboard("pf")
    )


COMMANDS: list[tuple[str, str]] = []  # "profil" is listed by bot.handlers.onboarding


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["profil", "profile"], show_profile))
    application.add_handler(
        CallbackQueryHandler(list_for_removal, pattern=callbacks.pattern("pfl"))
    )
    application.add_handler(
        CallbackQueryHandler(remove_item, pattern=callbacks.pattern("pfrj", "pfrs"))
    )
