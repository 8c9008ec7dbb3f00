"""/recherche <mots-clés> [à <lieu>] (alias /search): offers search, 5 per page.

« Précédent / Suivant » edit the same message. France Travail is asked for 50 offers at a time
and pages go through `Services.search_offers` (a TTL cache), so paging through the first ten
pages costs one call. The search itself (keywords, place) is kept in ``user_data["searches"]``
under a short key that the paging buttons carry; an unknown key is a stale button.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable
from typing import Any, Final

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks, cards
from bot.handlers.common import (
    Context,
    answer_query,
    command_args_text,
    edit_or_reply,
    ft_guard,
    reply_html,
    services,
)
from bot.handlers.offer import remember_offers
from bot.render import escape, truncate
from bot.texts import commands as t
from ft_client import FTBadRequest, OfferQuery
from ft_client.matching import find_jobs
from ft_client.models import OfferPage
from ft_client.query import clean_keywords
from ft_client.referential import Place, Referential
from storage.models import DEFAULT_RADIUS_KM

COMMANDS: list[tuple[str, str]] = [("recherche", t.SEARCH_DESCRIPTION)]

PAGE_SIZE: Final = 5
FETCH_SIZE: Final = 50  # offers asked per France Travail call (10 pages)
SEARCHES_KEPT: Final = 10
SEARCHES_KEY: Final = "searches"
MAX_INPUT_CHARS: Final = 300
MAX_PLACE_CHARS: Final = 100
# find_jobs score of a text that is a job title itself ("aide à domicile" 1.0, "agent à quai"
# 0.94) rather than job words followed by a place ("serveur à Lyon" 0.6).
JOB_TITLE_SCORE: Final = 0.9
# "serveur à Lyon", "serveur a lyon 3e": the last " à " separates the place.
_PLACE_ONLY_RE: Final = re.compile(r"^(?:à|a)\s+\S", re.IGNORECASE)
_PLACE_RE: Final = re.compile(r"^(?P<keywords>.*\S)\s+(?:à|a)\s+(?P<place>\S.*)$", re.IGNORECASE)


def split_query(text: str) -> tuple[str, str | None]:
    """ "serveur à Lyon" → ("serveur", "Lyon"); "serveur" → ("serveur", None)."""
    text = " ".join(text.split())
    if _PLACE_ONLY_RE.match(text):  # "à Lyon": a place but no keywords
        return "", text[2:].strip()[:MAX_PLACE_CHARS]
    match = _PLACE_RE.match(text)
    if match is None:
        return text[:MAX_INPUT_CHARS], None
    return match.group("keywords")[:MAX_INPUT_CHARS], match.group("place")[:MAX_PLACE_CHARS]


async def _find_places(ref: Referential, typed_place: str) -> list[Place]:
    try:
        return await asyncio.to_thread(ref.find_places, typed_place, 1)
    except ValueError:
        return []


async def _names_a_job(ref: Referential, text: str) -> bool:
    """Whether the whole text is a job title (a near-exact match, not a fuzzy guess)."""
    try:
        hits = await asyncio.to_thread(find_jobs, text[:MAX_INPUT_CHARS], ref, 1)
    except ValueError:
        return False
    return bool(hits) and hits[0].score >= JOB_TITLE_SCORE


def search_key(keywords: str, commune: str | None, radius: int | None) -> str:
    digest = hashlib.sha256(f"{keywords}|{commune}|{radius}".encode()).hexdigest()
    return digest[:10]


def remember_search(context: Context, key: str, search: dict[str, Any]) -> None:
    if context.user_data is None:
        return
    searches = context.user_data.get(SEARCHES_KEY)
    if not isinstance(searches, dict):
        searches = {}
    searches.pop(key, None)
    searches[key] = search
    while len(searches) > SEARCHES_KEPT:
        searches.pop(next(iter(searches)))
    context.user_data[SEARCHES_KEY] = searches


def recall_search(context: Context, key: str) -> dict[str, Any] | None:
    searches = context.user_data.get(SEARCHES_KEY) if context.user_data is not None else None
    found = searches.get(key) if isinstance(searches, dict) else None
    return found if isinstance(found, dict) else None


async def _wrapped(coro: Awaitable[OfferPage | None]) -> tuple[OfferPage | None]:
    """``(page or None,)``: tells "refused" (None inside) from "France Travail failed" (None)."""
    return (await coro,)


async def render_page(
    update: Update, context: Context, key: str, search: dict[str, Any], page: int
) -> tuple[str, Any, cards.SearchPageView] | None:
    """Text, keyboard and view of one page; None if France Travail failed (user told)."""
    query = OfferQuery(
        keywords=search["k"],
        commune=search.get("c"),
        distance_km=search.get("r") if search.get("c") else None,
    )
    first = page * PAGE_SIZE
    chunk_start = first // FETCH_SIZE * FETCH_SIZE

    async def ask() -> OfferPage | None:
        try:
            return await services(context).search_offers(query, chunk_start, FETCH_SIZE)
        except FTBadRequest:
            # France Travail refused the search itself (its message says why): not an outage.
            return None

    fetched = await ft_guard(update, context, _wrapped(ask()))
    if fetched is None:
        return None
    result = fetched[0]
    if result is None:
        await reply_html(update, context, t.SEARCH_REFUSED)
        return None
    offers = result.offers[first - chunk_start : first - chunk_start + PAGE_SIZE]
    remember_offers(context, offers)
    view = cards.SearchPageView(
        keywords=search["q"],
        place_label=search.get("l"),
        radius_km=search.get("r") if search.get("c") else None,
        offers=tuple(offers),
        total=result.total,
        page=page,
        page_size=PAGE_SIZE,
    )
    return cards.search_page(view), cards.search_keyboard(view, key), view


async def search_command(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    text = command_args_text(context)
    typed_keywords, typed_place = split_query(text)
    ref = services(context).referential
    places = await _find_places(ref, typed_place) if typed_place is not None else []
    if typed_place is not None and not places and await _names_a_job(ref, text):
        # "aide à domicile", "chargé à la clientèle": the " à " is part of the job title.
        typed_keywords, typed_place = " ".join(text.split())[:MAX_INPUT_CHARS], None
    # France Travail matches keywords regardless of case: one cache entry for "Serveur"/"serveur".
    keywords = clean_keywords(typed_keywords.lower())
    if not keywords:
        await reply_html(update, context, t.SEARCH_USAGE)
        return
    svc = services(context)
    commune: str | None = None
    label: str | None = None
    radius: int | None = None
    if typed_place is not None:
        if not places:
            await reply_html(
                update,
                context,
                t.SEARCH_UNKNOWN_PLACE.format(place=escape(truncate(typed_place, 60))),
            )
            return
        commune, label = ref.query_commune(places[0]), places[0].display_label
        profile = await svc.storage.get_profile(user.id)
        radius = profile.radius_km if profile else DEFAULT_RADIUS_KM
    else:
        profile = await svc.storage.get_profile(user.id)
        if profile and profile.place_code and ref.place(profile.place_code) is not None:
            commune = ref.query_commune(profile.place_code)
            label, radius = profile.place_label, profile.radius_km
    try:
        OfferQuery(keywords=keywords, commune=commune, distance_km=radius if commune else None)
    except ValueError:
        await reply_html(update, context, t.SEARCH_USAGE)
        return
    key = search_key(keywords, commune, radius)
    search = {"q": typed_keywords[:100], "k": keywords, "c": commune, "l": label, "r": radius}
    remember_search(context, key, search)
    rendered = await render_page(update, context, key, search, 0)
    if rendered is not None:
        await reply_html(update, context, rendered[0], rendered[1])


async def page_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    if data is None:
        return
    key, page = data.args[0], int(data.args[1])
    search = recall_search(context, key)
    if search is None or page * PAGE_SIZE >= cards.MAX_SEARCH_RESULTS:
        await answer_query(update, t.STALE_BUTTON, alert=True)
        return
    rendered = await render_page(update, context, key, search, page)
    if rendered is None:  # France Travail failed; the user has been told
        await answer_query(update)
        return
    text, markup, view = rendered
    if page > 0 and page >= view.page_count:  # forged, or the results shrank since
        await answer_query(update, t.STALE_BUTTON, alert=True)
        return
    await answer_query(update)
    await edit_or_reply(update, context, text, markup)


def register(application: Application) -> None:
    # block=False: a slow France Travail answer must not hold up the other users' updates
    # (PTB handles updates one after the other otherwise).
    application.add_handler(CommandHandler(["recherche", "search"], search_command, block=False))
    application.add_handler(
        CallbackQueryHandler(
            page_button, pattern=callbacks.pattern(cards.ACTION_SEARCH_PAGE), block=False
        )
    )
