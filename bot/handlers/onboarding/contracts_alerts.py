"""Answers to the preference steps: contract types (from the summary or /profil) and the
daily alert time (or no alerts)."""

from __future__ import annotations

from telegram import Update

from bot import callbacks, texts
from bot.handlers.common import Context, answer_query, edit_or_reply, reply_html
from bot.handlers.onboarding.draft import get_draft
from bot.handlers.onboarding.keyboards import CONTRACT_TYPES, alerts_keyboard, contracts_keyboard
from bot.handlers.onboarding.parsing import parse_time
from bot.handlers.onboarding.prompts import show_summary
from bot.handlers.onboarding.states import ALERTS, CONTRACTS

T = texts.onboarding


# --------------------------------------------------------------------------- contracts


async def contract_toggle(update: Update, context: Context) -> str:
    await answer_query(update)
    draft = get_draft(context)
    data = callbacks.from_update(update)
    code = data.args[0].upper() if data else ""
    if code not in CONTRACT_TYPES:
        await answer_query(update, texts.common.STALE_BUTTON, alert=True)
        return CONTRACTS
    if code in draft["contracts"]:
        draft["contracts"].remove(code)
    else:
        draft["contracts"].append(code)
    await edit_or_reply(update, context, T.ASK_CONTRACTS, contracts_keyboard(draft))
    return CONTRACTS


async def contracts_control(update: Update, context: Context) -> str:
    await answer_query(update)
    return await show_summary(update, context)


# --------------------------------------------------------------------------- alerts


async def _alerts_chosen(update: Update, context: Context, enabled: bool, at: str | None) -> str:
    draft = get_draft(context)
    draft["alerts"] = enabled
    if at:
        draft["alert_time"] = at
    return await show_summary(update, context)


async def alert_time_button(update: Update, context: Context) -> str:
    await answer_query(update)
    data = callbacks.from_update(update)
    raw = data.args[0] if data else "0800"
    at = f"{raw[:2]}:{raw[2:]}"
    await edit_or_reply(update, context, f"Alertes chaque jour à {at}.")
    return await _alerts_chosen(update, context, True, at)


async def alerts_control(update: Update, context: Context) -> str:
    await answer_query(update)
    data = callbacks.from_update(update)
    if data and data.args[0] == "alerts_off":
        await edit_or_reply(update, context, "Pas d'alertes quotidiennes.")
        return await _alerts_chosen(update, context, False, None)
    await reply_html(update, context, T.USE_BUTTONS, alerts_keyboard())
    return ALERTS


async def alerts_text(update: Update, context: Context) -> str:
    text = update.effective_message.text or ""
    lowered = text.strip().casefold()
    if lowered in {"non", "aucune", "pas d'alertes", "pas d'alerte", "off"}:
        return await _alerts_chosen(update, context, False, None)
    at = parse_time(text)
    if at is None:
        await reply_html(update, context, T.BAD_TIME, alerts_keyboard())
        return ALERTS
    return await _alerts_chosen(update, context, True, at)
