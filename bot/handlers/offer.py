"""/offre <id> (alias /offer): the full offer card with "⭐ Sauvegarder"; the open/save buttons.

Offers seen in /recherche and /match results are kept a few minutes in a per-application cache,
so that opening or saving one of them does not ask France Travail again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import weakref
from typing import Final

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks, cards, offer_cards
from bot.criteria import origin_of
from bot.handlers.common import (
    Context,
    answer_query,
    command_args_text,
    ft_guard,
    reply_html,
    services,
)
from bot.render import escape, truncate
from bot.services import SearchCache
from bot.texts import commands as t
from bot.texts import offers as ot
from ft_client import FTBadRequest
from ft_client.matching import rank_offers
from ft_client.models import Offer
from ft_client.offer_facts import profile_fit_lines
from storage.models import MAX_SNAPSHOT_TEXT_LENGTH, FavouriteSnapshot

logger = logging.getLogger(__name__)

COMMANDS: list[tuple[str, str]] = [("offre", t.OFFER_DESCRIPTION)]

# France Travail ids are 7 characters ("193XKZP"); partner offers use digits ("4007869").
OFFER_ID_RE: Final = re.compile(r"^[0-9A-Za-z]{5,15}$")
OFFER_CACHE_SECONDS: Final = 900.0
OFFER_CACHE_SIZE: Final = 2048

_offer_caches: weakref.WeakKeyDictionary[Application, SearchCache] = weakref.WeakKeyDictionary()


def offer_cache(context: Context) -> SearchCache:
    """Offers recently shown in this application, by id."""
    cache = _offer_caches.get(context.application)
    if cache is None:
        cache = SearchCache(ttl=OFFER_CACHE_SECONDS, size=OFFER_CACHE_SIZE)
        _offer_caches[context.application] = cache
    return cache


def remember_offers(context: Context, offers: object) -> None:
    cache = offer_cache(context)
    for offer in offers:  # type: ignore[attr-defined]
        if isinstance(offer, Offer):
            cache.put(offer.id, offer)


def normalise_offer_id(text: str) -> str | None:
    """The offer id typed by a user ("193xkzp" → "193XKZP"); None when it cannot be one."""
    candidate = text.strip().upper()
    return candidate if OFFER_ID_RE.match(candidate) else None


async def fetch_offer(
    update: Update, context: Context, offer_id: str
) -> tuple[Offer | None] | None:
    """``(offer,)`` (offer None when France Travail does not know it), or None when France
    Travail failed — the user has then already been told."""
    cached = offer_cache(context).get(offer_id)
    if cached is not None:
        return (cached,)

    async def ask() -> tuple[Offer | None]:
        try:
            offer = await services(context).ft.get_offer(offer_id)
        except FTBadRequest:
            # France Travail answers 400 for an id it considers malformed: same as unknown.
            return (None,)
        # Cached here, not after ft_guard: an answer arriving after the user's deadline
        # still serves their next try.
        if offer is not None:
            offer_cache(context).put(offer_id, offer)
        return (offer,)

    return await ft_guard(update, context, ask())


async def send_offer_card(update: Update, context: Context, offer_id: str) -> None:
    fetched = await fetch_offer(update, context, offer_id)
    if fetched is None:
        return
    offer = fetched[0]
    if offer is None:
        await reply_html(update, context, t.OFFER_NOT_FOUND.format(offer_id=escape(offer_id)))
        return
    user = update.effective_user
    saved = False
    svc = services(context)
    origin = None
    have: list[str] = []
    lack: list[str] = []
    fit: list[str] = []
    if user is not None:
        saved = await svc.storage.is_favourite(user.id, offer.id)
        profile = await svc.storage.get_profile(user.id)
        if profile is not None:
            origin = origin_of(svc.referential, profile.place_code)
            fit = profile_fit_lines(offer, profile)
            if profile.skills:
                # "Vous avez / Il vous manque": the offer's skills against the person's own words.
                ranked = await asyncio.to_thread(
                    functools.partial(
                        rank_offers,
                        svc.match_profile(profile),
                        [offer],
                        referential=svc.referential,
                    )
                )
                if ranked:
                    have = list(dict.fromkeys(m.skill_label for m in ranked[0].matched))
                    lack = list(dict.fromkeys(m.label for m in ranked[0].missing))
    await reply_html(
        update,
        context,
        cards.offer_card(offer, origin=origin, have=have, lack=lack, fit=fit),
        cards.offer_keyboard(offer, saved=saved),
    )


async def offer_command(update: Update, context: Context) -> None:
    text = command_args_text(context)
    if not text:
        await reply_html(update, context, t.OFFER_USAGE)
        return
    offer_id = normalise_offer_id(text)
    if offer_id is None:
        await reply_html(
            update, context, t.OFFER_BAD_ID.format(offer_id=escape(truncate(text, 40)))
        )
        return
    await send_offer_card(update, context, offer_id)


async def open_offer_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    await answer_query(update)
    if data is None:  # the pattern let it through, so this cannot happen; stay safe anyway
        return
    await send_offer_card(update, context, data.args[0].upper())


def snapshot_of(offer: Offer) -> FavouriteSnapshot:
    def cut(text: str | None) -> str | None:
        return truncate(text, MAX_SNAPSHOT_TEXT_LENGTH) if text else None

    return FavouriteSnapshot(
        offer_id=offer.id,
        title=cut(offer.title) or "Offre",
        company=cut(offer.company.name),
        place=cut(cards.offer_place(offer)),
        url=offer.page_url,
    )


async def save_offer_button(update: Update, context: Context) -> None:
    query = update.callback_query
    data = callbacks.from_update(update)
    user = update.effective_user
    if query is None or data is None or user is None:
        return
    offer_id = data.args[0].upper()
    fetched = await fetch_offer(update, context, offer_id)
    if fetched is None:
        await answer_query(update)
        return
    offer = fetched[0]
    if offer is None:
        await answer_query(update)
        await reply_html(update, context, t.OFFER_NOT_FOUND.format(offer_id=escape(offer_id)))
        return
    storage = services(context).storage
    # The user row may not exist yet (first contact through an old button).
    # Private chats only (bot.private_chat): the private chat's id is the user's id.
    await storage.upsert_user(user.id, user.id, user.first_name, user.language_code)
    created = await storage.add_favourite(user.id, snapshot_of(offer))
    await answer_query(update, t.OFFER_SAVED if created else t.OFFER_ALREADY_SAVED)
    await _edit_keyboard(update, context, offer.id, saved=True)


async def unsave_offer_button(update: Update, context: Context) -> None:
    """⭐ on a saved offer's card: remove it from the favourites (the star toggles)."""
    data = callbacks.from_update(update)
    user = update.effective_user
    if data is None or user is None:
        return
    offer_id = data.args[0].upper()
    removed = await services(context).storage.remove_favourite(user.id, offer_id)
    await answer_query(update, ot.UNSAVE_DONE if removed else t.FAVOURITE_NOT_FOUND)
    await _edit_keyboard(update, context, offer_id, saved=False)


async def _edit_keyboard(update: Update, context: Context, offer_id: str, *, saved: bool) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    cached = offer_cache(context).get(offer_id)
    offer = cached if isinstance(cached, Offer) else Offer.from_json({"id": offer_id})
    try:
        await query.edit_message_reply_markup(offer_cards.offer_keyboard(offer, saved=saved))
    except TelegramError as error:  # "message is not modified", too-old messages
        logger.debug("could not update the save button: %s", type(error).__name__)


def register(application: Application) -> None:
    # block=False: a slow France Travail answer must not hold up the other users' updates
    # (PTB handles updates one after the other otherwise).
    application.add_handler(CommandHandler(["offre", "offer"], offer_command, block=False))
    application.add_handler(
        CallbackQueryHandler(
            open_offer_button, pattern=callbacks.pattern(cards.ACTION_OFFER), block=False
        )
    )
    application.add_handler(
        CallbackQueryHandler(
            save_offer_button, pattern=callbacks.pattern(cards.ACTION_SAVE), block=False
        )
    )
    application.add_handler(
        CallbackQueryHandler(
            unsave_offer_button, pattern=callbacks.pattern(offer_cards.ACTION_UNSAVE), block=False
        )
    )
