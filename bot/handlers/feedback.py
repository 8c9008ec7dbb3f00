"""🙈 « pas intéressé » on any offer (cards, digests) with its optional reason; ⭐ in a digest.

🙈 hides the offer for good (database, ``bot.hidden_offers``) with the offer's facts at that
time, then asks one optional reason (métier, entreprise, trop loin, salaire, contrat): the answer
changes the person's next digests (``ft_client.alert_feedback``), visibly and reversibly in
/alertes. Every button names an offer only: the row changed is always the presser's own.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks, offer_cards
from bot.criteria import CONTRACT_SHORT_LABELS, origin_of
from bot.handlers.common import Context, answer_query, edit_or_reply, reply_html, services
from bot.handlers.offer import offer_cache, snapshot_of
from bot.hidden_offers import hide_offer
from bot.render import escape, truncate
from bot.texts import offers as ot
from bot.texts import saved_alerts as st
from ft_client.alert_feedback import (
    FAR_FACTOR,
    MIN_RADIUS_KM,
    Effect,
    Feedback,
    Reason,
    effects,
    feedback_for,
)
from ft_client.models import Offer
from ft_client.offer_facts import distance_km

logger = logging.getLogger(__name__)

ACTION_REASON: Final = "fbr"  # <offer id> <reason>
ACTION_DIGEST_SAVE: Final = "dsav"  # <offer id>: ⭐ under a digest (the digest keeps its buttons)
REASON_ARG: Final = "|".join(reason.value for reason in Reason)
callbacks.register_action(ACTION_REASON, callbacks.OFFER_ID, REASON_ARG)
callbacks.register_action(ACTION_DIGEST_SAVE, callbacks.OFFER_ID)
OFFER_LOOKUP_SECONDS: Final = 5.0  # the facts of a reason are a bonus: hiding never waits long


def effect_text(effect: Effect) -> str:
    """The effect of one reason, in French (escaped HTML)."""
    value = effect.value
    if effect.kind is Reason.JOB:
        return st.EFFECT_JOB.format(code=escape(str(value)))
    if effect.kind is Reason.COMPANY:
        return st.EFFECT_COMPANY.format(company=escape(truncate(str(value), 60)))
    if effect.kind is Reason.TOO_FAR:
        return st.EFFECT_TOO_FAR.format(km=round(max(MIN_RADIUS_KM, float(value) * FAR_FACTOR)))
    if effect.kind is Reason.SALARY:
        return st.EFFECT_SALARY.format(amount=f"{int(value):,}".replace(",", "\u202f"))
    code = str(value)
    return st.EFFECT_CONTRACT.format(contract=escape(CONTRACT_SHORT_LABELS.get(code, code)))


def reason_keyboard(offer_id: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(label, callback_data=callbacks.encode(ACTION_REASON, offer_id, code))
        for code, label in st.REASON_BUTTONS.items()
    ]
    return InlineKeyboardMarkup([buttons[:3], buttons[3:]])


async def _offer_facts(context: Context, offer_id: str) -> Offer | None:
    """The offer (recently shown, else asked to France Travail briefly); None if unknown."""
    cached = offer_cache(context).get(offer_id)
    if isinstance(cached, Offer):
        return cached
    try:
        return await asyncio.wait_for(
            services(context).ft.get_offer(offer_id), OFFER_LOOKUP_SECONDS
        )
    except Exception:
        logger.info("offer facts unavailable for a hidden offer")
        return None


async def hide_offer_button(update: Update, context: Context) -> None:
    """🙈: hide for good, then ask the optional reason."""
    data = callbacks.from_update(update)
    user = update.effective_user
    if data is None or user is None:
        return
    offer_id = data.args[0].upper()
    svc = services(context)
    # The user row may not exist yet (an old button); private chats only: chat id = user id.
    await svc.storage.upsert_user(user.id, user.id, user.first_name, user.language_code)
    offer = await _offer_facts(context, offer_id)
    feedback = Feedback(offer_id)
    if offer is not None:
        profile = await svc.storage.get_profile(user.id)
        origin = origin_of(svc.referential, profile.place_code) if profile else None
        feedback = feedback_for(offer, distance_km=distance_km(offer, origin))
    await hide_offer(svc.storage, user.id, feedback)
    await answer_query(update, ot.HIDDEN_DONE)
    question = (
        st.REASON_QUESTION.format(title=escape(truncate(offer.title, 80)))
        if offer is not None
        else st.REASON_QUESTION_NO_TITLE
    )
    await reply_html(update, context, question, reason_keyboard(offer_id))


async def reason_button(update: Update, context: Context) -> None:
    """One reason for an offer the presser hid; nothing changes for an offer they did not hide."""
    data = callbacks.from_update(update)
    user = update.effective_user
    if data is None or user is None:
        return
    offer_id, reason = data.args[0].upper(), Reason(data.args[1])
    storage = services(context).storage
    if not await storage.set_feedback_reason(user.id, offer_id, reason):
        await callbacks.stale_button(update, context)
        return
    await answer_query(update)
    mine = next((f for f in await storage.list_feedback(user.id) if f.offer_id == offer_id), None)
    effect = _effect_of(mine) if mine is not None else None
    text = (
        st.REASON_NOTED.format(effect=effect_text(effect)) if effect else st.REASON_NOTED_NO_EFFECT
    )
    await edit_or_reply(update, context, text)


def _effect_of(feedback: Feedback) -> Effect | None:
    found = effects([feedback])
    return found[0] if found else None


async def digest_save_button(update: Update, context: Context) -> None:
    """⭐ under a digest: save the offer; the digest keeps its buttons."""
    data = callbacks.from_update(update)
    user = update.effective_user
    if data is None or user is None:
        return
    offer_id = data.args[0].upper()
    offer = await _offer_facts(context, offer_id)
    if offer is None:
        await answer_query(update, st.DIGEST_OFFER_GONE, alert=True)
        return
    storage = services(context).storage
    await storage.upsert_user(user.id, user.id, user.first_name, user.language_code)
    created = await storage.add_favourite(user.id, snapshot_of(offer))
    await answer_query(update, st.DIGEST_SAVED if created else st.DIGEST_ALREADY_SAVED)


def register(application: Application) -> None:
    application.add_handler(
        CallbackQueryHandler(
            hide_offer_button, pattern=callbacks.pattern(offer_cards.ACTION_HIDE), block=False
        )
    )
    application.add_handler(
        CallbackQueryHandler(reason_button, pattern=callbacks.pattern(ACTION_REASON))
    )
    application.add_handler(
        CallbackQueryHandler(
            digest_save_button, pattern=callbacks.pattern(ACTION_DIGEST_SAVE), block=False
        )
    )
