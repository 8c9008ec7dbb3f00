"""Answers to the search-area steps: the place (typed town, button or shared location), then
the radius around it."""

from __future__ import annotations

import contextlib
from typing import Any

from telegram import ReplyKeyboardRemove, Update
from telegram.error import TelegramError

from bot import callbacks, texts
from bot.handlers.common import Context, answer_query, edit_or_reply, reply_html, services
from bot.handlers.onboarding.draft import draft_complete, get_draft
from bot.handlers.onboarding.keyboards import (
    RADII,
    location_keyboard,
    places_keyboard,
    radius_keyboard,
)
from bot.handlers.onboarding.parsing import (
    MIN_PLACE_SCORE,
    SURE_PLACE_SCORE,
    check_place_text,
    check_text,
    parse_radius,
    pick_place,
    place_score,
    radius_problem,
)
from bot.handlers.onboarding.prompts import after_step, ask_radius, show_summary
from bot.handlers.onboarding.states import ALERTS, PLACE, RADIUS

T = texts.onboarding

PLACE_CHOICES = 6


# --------------------------------------------------------------------------- place


def _place_label(place: Any) -> str:
    return place.display_label


async def _place_chosen(update: Update, context: Context, place: Any) -> str:
    draft = get_draft(context)
    draft["place"] = {"code": place.insee_code, "label": _place_label(place)}
    # Remove the "share location" keyboard, then ask the radius with inline buttons.
    await reply_html(update, context, T.place_chosen(_place_label(place)), ReplyKeyboardRemove())
    if draft.get("editing") and draft["radius"] and draft_complete(draft):
        return await show_summary(update, context)
    return await ask_radius(update, context)


async def place_text(update: Update, context: Context) -> str:
    text = update.effective_message.text or ""
    if text == T.BTN_SHARE_LOCATION:
        # A client without location support sent the button's text.
        await reply_html(update, context, T.ASK_PLACE, location_keyboard())
        return PLACE
    problem = check_text(text) or check_place_text(text)
    if problem:
        await reply_html(update, context, problem)
        return PLACE
    referential = services(context).referential
    try:
        found = referential.find_places(text, limit=PLACE_CHOICES)
    except ValueError:
        found = []
    scores = {place.insee_code: place_score(text, place) for place in found}
    # Like the job step: typo-tolerant search finds something for any text, keep close hits.
    places = [place for place in found if scores[place.insee_code] >= MIN_PLACE_SCORE]
    if not places:
        await reply_html(update, context, T.place_not_found(text))
        return PLACE
    chosen = pick_place(text, places)
    if chosen is not None and scores[chosen.insee_code] >= SURE_PLACE_SCORE:
        return await _place_chosen(update, context, chosen)
    # Several communes, or one not close enough to be sure: ask.
    unsure = any(scores[place.insee_code] < SURE_PLACE_SCORE for place in places)
    question = T.PLACE_UNSURE if unsure else T.PLACE_CHOICES
    await reply_html(update, context, question, places_keyboard(places))
    return PLACE


async def place_retype(update: Update, context: Context) -> str:
    """ "Aucune, je retape": none of the proposed communes; ask the place again."""
    await answer_query(update)
    with contextlib.suppress(TelegramError):
        await update.callback_query.edit_message_reply_markup(None)
    await reply_html(update, context, T.ASK_PLACE_AGAIN, location_keyboard())
    return PLACE


async def place_button(update: Update, context: Context) -> str:
    await answer_query(update)
    data = callbacks.from_update(update)
    place = services(context).referential.place(data.args[0]) if data else None
    if place is None:
        await reply_html(update, context, T.place_not_found(data.args[0] if data else ""))
        return PLACE
    # The choice is made: drop the other buttons (the confirmation follows).
    with contextlib.suppress(TelegramError):
        await update.callback_query.edit_message_reply_markup(None)
    return await _place_chosen(update, context, place)


async def place_location(update: Update, context: Context) -> str:
    location = update.effective_message.location
    try:
        place = services(context).referential.nearest_place(location.latitude, location.longitude)
    except ValueError:
        place = None
    if place is None:
        await reply_html(update, context, T.PLACE_LOCATION_UNKNOWN, location_keyboard())
        return PLACE
    return await _place_chosen(update, context, place)


# --------------------------------------------------------------------------- radius


async def _radius_chosen(update: Update, context: Context, km: int) -> str:
    draft = get_draft(context)
    draft["radius"] = km
    return await after_step(update, context, ALERTS)


async def radius_button(update: Update, context: Context) -> str:
    await answer_query(update)
    data = callbacks.from_update(update)
    km = int(data.args[0]) if data else 0
    if km not in RADII:
        await reply_html(update, context, T.RADIUS_USE_BUTTONS, radius_keyboard())
        return RADIUS
    await edit_or_reply(update, context, T.radius_chosen(km))
    return await _radius_chosen(update, context, km)


async def radius_text(update: Update, context: Context) -> str:
    """A typed distance: the buttons' range, and the same confirmation line."""
    km = parse_radius(update.effective_message.text or "")
    if km is None:
        await reply_html(update, context, T.RADIUS_USE_BUTTONS, radius_keyboard())
        return RADIUS
    problem = radius_problem(km)
    if problem:
        await reply_html(update, context, problem, radius_keyboard())
        return RADIUS
    await reply_html(update, context, T.radius_chosen(km))
    return await _radius_chosen(update, context, km)
