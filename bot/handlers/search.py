"""/recherche <free French> (alias /search): offers search, 5 per page, the profile applied.

The line is read by `ft_client.search_text.parse_search_text` ("serveuse à Paris 20 km en CDI",
"aide soignante a lyon temps partiel", "cariste près de 69003 débutant"). Job words go through
the matcher's job look-up (`find_jobs`): a recognised job is searched by its ROME code (France
Travail then finds "Serveuse" and "Serveur" alike), other words as keywords. The place is
resolved by `resolve_place`: an ambiguous or unknown place is asked about, never substituted.
What the search did not say comes from the profile (`bot.criteria.criteria_for`), and the
answer states the criteria applied with buttons to change them.

« Précédent / Suivant » and the criteria buttons edit the same message. France Travail is asked
for 50 offers at a time through `Services.search_offers` (a TTL cache). The search is kept in
``user_data["searches"]`` under a short key that the buttons carry; an unknown key is stale.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks, offer_cards
from bot import saved_alert_cards as sc
from bot.criteria import DEFAULT_RADIUS_KM, Criteria, criteria_for, origin_of
from bot.handlers import free_text
from bot.handlers.common import (
    Context,
    answer_query,
    command_args_text,
    edit_or_reply,
    ft_guard,
    reply_html,
    services,
)
from bot.handlers.companies import search_companies_button
from bot.handlers.offer import remember_offers
from bot.hidden_offers import hidden_set, visible
from bot.render import escape, truncate
from bot.searches import recall_search, remember_criteria, remember_search, search_key
from bot.texts import commands as t
from bot.texts import offers as ot
from bot.texts import saved_alerts as st
from ft_client import FTBadRequest
from ft_client.matching import find_jobs, is_recognised
from ft_client.models import OfferPage
from ft_client.place_names import (
    PlaceChoice,
    PlaceKind,
    ResolutionStatus,
    resolve_place,
)
from ft_client.query import clean_keywords
from ft_client.referential import Place, Referential
from ft_client.search_text import SearchErrorKind, SearchRequest, SearchTextError, parse_search_text

COMMANDS: list[tuple[str, str]] = [("recherche", t.SEARCH_DESCRIPTION)]

PAGE_SIZE: Final = 5
FETCH_SIZE: Final = 50  # offers asked per France Travail call (10 pages)
MAX_CHOICES: Final = 6
# A job searched by its ROME code: true title hits score ≥ 0.85, fuzzy guesses 0.6–0.76
# ("zythologue" → "Ethologue" 0.76), which are better searched as the words typed.
SEARCH_JOB_MIN_SCORE: Final = 0.85
_KIND_LETTER: Final = {PlaceKind.COMMUNE: "c", PlaceKind.DEPARTEMENT: "d", PlaceKind.REGION: "r"}


def error_text(error: SearchTextError) -> str:
    """A clear French answer for a line that cannot be a search."""
    if error.kind is SearchErrorKind.TOO_LONG:
        return ot.SEARCH_TOO_LONG
    if error.kind is SearchErrorKind.MARKUP:
        return ot.SEARCH_MARKUP
    if error.kind in (
        SearchErrorKind.RADIUS_ZERO,
        SearchErrorKind.RADIUS_TOO_LARGE,
        SearchErrorKind.RADIUS_NOT_A_NUMBER,
    ):
        return ot.SEARCH_RADIUS.format(fragment=escape(truncate(error.fragment or "", 30)))
    return ot.SEARCH_EMPTY


def job_criteria(ref: Referential, job_text: str) -> tuple[dict[str, Any], str] | None:
    """Job words → criteria overrides (ROME code, else keywords) and the label to show."""
    try:
        hits = find_jobs(job_text, ref, limit=1)
    except ValueError:
        hits = []
    if is_recognised(hits) and hits[0].score >= SEARCH_JOB_MIN_SCORE:
        return {"rome_codes": (hits[0].rome_code,), "keywords": None}, hits[0].job_label
    # France Travail matches keywords regardless of case: one cache entry for "Serveur"/"serveur".
    keywords = clean_keywords(job_text.lower())
    if not keywords:
        return None
    return {"rome_codes": (), "keywords": keywords}, job_text


def _find(ref: Referential, text: str) -> list[Place]:
    """Communes named ``text``; none for text the referential refuses (empty, too long)."""
    try:
        return ref.find_places(text, limit=20)
    except ValueError:
        return []


def place_overrides(choice: PlaceChoice, label: str, radius_km: int) -> dict[str, Any]:
    if choice.kind is PlaceKind.DEPARTEMENT:
        return {"departement": choice.code, "place_label": label}
    if choice.kind is PlaceKind.REGION:
        return {"region": choice.code, "place_label": label}
    name = choice.place.display_label if choice.place is not None else label
    return {"commune_code": choice.code, "place_label": name, "radius_km": radius_km}


def filter_overrides(request: SearchRequest) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if request.contract_types or request.alternance:
        overrides["contract_types"] = request.contract_types
        overrides["alternance"] = request.alternance
    if request.part_time is not None:
        overrides["part_time"] = request.part_time
    if request.beginner:
        overrides["beginner"] = True
    return overrides


async def _wrapped(coro: Awaitable[OfferPage | None]) -> tuple[OfferPage | None]:
    """``(page or None,)``: tells "refused" (None inside) from "France Travail failed" (None)."""
    return (await coro,)


async def render_page(
    update: Update, context: Context, key: str, search: dict[str, Any], page: int
) -> tuple[str, Any, offer_cards.SearchPageView] | None:
    """Text, keyboard and view of one page; None if France Travail failed (user told)."""
    ref = services(context).referential
    criteria = Criteria.from_dict(search.get("c"))
    try:
        if criteria is None:
            raise ValueError("stored search without criteria")
        query = criteria.query(ref)
    except ValueError:
        await reply_html(update, context, ot.SEARCH_EMPTY)
        return None
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
    user = update.effective_user
    hidden = (
        await hidden_set(services(context).storage, user.id, context.user_data)
        if user is not None
        else frozenset()
    )
    shown = visible(result.offers, hidden)
    offers = shown[first - chunk_start : first - chunk_start + PAGE_SIZE]
    remember_offers(context, offers)
    view = offer_cards.SearchPageView(
        job_text=str(search.get("q", "")),
        criteria=criteria,
        offers=tuple(offers),
        total=max(0, result.total - (len(result.offers) - len(shown))),
        page=page,
        page_size=PAGE_SIZE,
        origin=origin_of(ref, criteria.commune_code),
    )
    keyboard = offer_cards.search_keyboard(view, key)
    companies = (
        search_companies_button(criteria, key, services(context)) if view.total == 0 else None
    )
    if companies is not None:  # a dead end: companies that hire without a published offer
        rows = list(keyboard.inline_keyboard) if keyboard is not None else []
        keyboard = InlineKeyboardMarkup([*rows, [companies]])
    elif view.total > 0 and page == 0:  # results worth following: one tap makes them an alert
        rows = list(keyboard.inline_keyboard) if keyboard is not None else []
        create = InlineKeyboardButton(
            st.CREATE_BUTTON, callback_data=callbacks.encode(sc.ACTION_CREATE, key)
        )
        keyboard = InlineKeyboardMarkup([*rows, [create]])
    return offer_cards.search_page(view), keyboard, view


async def start_search(
    update: Update, context: Context, job_text: str, criteria: Criteria, *, edit: bool = False
) -> None:
    """Remember the search and show its first page (editing the pressed message if ``edit``)."""
    key = remember_criteria(context, job_text, criteria)
    search = recall_search(context, key) or {}
    rendered = await render_page(update, context, key, search, 0)
    if rendered is None:
        return
    if edit:
        await edit_or_reply(update, context, rendered[0], rendered[1])
    else:
        await reply_html(update, context, rendered[0], rendered[1])


async def run_text_search(update: Update, context: Context, text: str) -> None:
    """Everything a typed search line can lead to: results, a question, or a clear refusal."""
    user = update.effective_user
    if user is None:
        return
    request = parse_search_text(text)
    if isinstance(request, SearchTextError):
        await reply_html(update, context, error_text(request))
        return
    if not request.job_words:
        await reply_html(update, context, ot.SEARCH_EMPTY)
        return
    svc = services(context)
    ref = svc.referential
    job = await asyncio.to_thread(job_criteria, ref, request.job_text)
    if job is None:
        await reply_html(update, context, ot.SEARCH_EMPTY)
        return
    overrides, job_label = job
    overrides.update(filter_overrides(request))
    profile = await svc.storage.get_profile(user.id)
    radius = request.radius_km or (profile.radius_km if profile else 0) or DEFAULT_RADIUS_KM
    if request.place_kind is PlaceKind.EVERYWHERE:
        overrides["commune_code"] = None
    elif request.place_kind is PlaceKind.NONE:
        if request.radius_km:
            overrides["radius_km"] = request.radius_km
    else:
        resolution = await asyncio.to_thread(
            resolve_place, request.place_kind, request.place_text, functools.partial(_find, ref)
        )
        shown = escape(truncate(resolution.query or request.place_text or "", 60))
        if resolution.status is ResolutionStatus.UNIQUE and resolution.unique is not None:
            choice = resolution.unique
            overrides.update(place_overrides(choice, choice.label, radius))
        elif resolution.status in (ResolutionStatus.AMBIGUOUS, ResolutionStatus.SUGGESTIONS):
            base = criteria_for(profile, ref, **overrides)
            await ask_place(
                update,
                context,
                job_label,
                base,
                radius,
                resolution.choices,
                shown,
                ambiguous=resolution.status is ResolutionStatus.AMBIGUOUS,
            )
            return
        else:
            await reply_html(update, context, ot.PLACE_UNKNOWN.format(place=shown))
            return
    await start_search(update, context, job_label, criteria_for(profile, ref, **overrides))


async def ask_place(
    update: Update,
    context: Context,
    job_label: str,
    base: Criteria,
    radius: int,
    choices: tuple[PlaceChoice, ...],
    shown: str,
    *,
    ambiguous: bool,
) -> None:
    """Ask which place was meant, the question under its buttons."""
    tokens = {
        f"{_KIND_LETTER[c.kind]}{c.code}": c.label
        for c in choices[:MAX_CHOICES]
        if c.kind in _KIND_LETTER
    }
    key = search_key(job_label + "?", base)
    remember_search(
        context, key, {"q": job_label[:100], "c": base.to_dict(), "p": tokens, "r": radius}
    )
    rows = [
        [
            InlineKeyboardButton(
                offer_cards.button_text(label),
                callback_data=callbacks.encode(offer_cards.ACTION_SEARCH_PLACE, key, token),
            )
        ]
        for token, label in tokens.items()
    ]
    question = ot.PLACE_WHICH if ambiguous else ot.PLACE_DID_YOU_MEAN
    await reply_html(update, context, question.format(place=shown), InlineKeyboardMarkup(rows))


async def search_command(update: Update, context: Context) -> None:
    await run_text_search(update, context, command_args_text(context))


async def place_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    if data is None:
        return
    key, token = data.args
    search = recall_search(context, key)
    tokens = search.get("p") if search is not None else None
    base = Criteria.from_dict(search.get("c")) if search is not None else None
    if base is None or not isinstance(tokens, dict) or token not in tokens:
        await answer_query(update, t.STALE_BUTTON, alert=True)
        return
    await answer_query(update)
    kind = {"c": PlaceKind.COMMUNE, "d": PlaceKind.DEPARTEMENT, "r": PlaceKind.REGION}[token[0]]
    code = token[1:]
    place = services(context).referential.place(code) if kind is PlaceKind.COMMUNE else None
    choice = PlaceChoice(kind, code, str(tokens[token]), place)
    radius = int(search.get("r") or DEFAULT_RADIUS_KM)
    overrides = place_overrides(choice, str(tokens[token]), radius)
    criteria = Criteria(**{**base.everywhere().to_dict(), **overrides})
    await start_search(update, context, str(search.get("q", "")), criteria, edit=True)


async def change_button(update: Update, context: Context) -> None:
    """ "Élargir à 50 km", "Toute la France", "Sans filtre de contrat"."""
    data = callbacks.from_update(update)
    if data is None:
        return
    key, change = data.args
    search = recall_search(context, key)
    criteria = Criteria.from_dict(search.get("c")) if search is not None else None
    if search is None or criteria is None:
        await answer_query(update, t.STALE_BUTTON, alert=True)
        return
    await answer_query(update)
    if change == "wide":
        criteria = criteria.widened()
    elif change == "all":
        criteria = criteria.everywhere()
    else:
        criteria = criteria.any_contract()
    await start_search(update, context, str(search.get("q", "")), criteria, edit=True)


async def page_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    if data is None:
        return
    key, page = data.args[0], int(data.args[1])
    search = recall_search(context, key)
    if search is None or "p" in search or page * PAGE_SIZE >= offer_cards.MAX_SEARCH_RESULTS:
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
    # Plain text that reads like a search, and shared locations.
    free_text.register(application, run_text_search, start_search)
    # block=False: a slow France Travail answer must not hold up the other users' updates
    # (PTB handles updates one after the other otherwise).
    application.add_handler(CommandHandler(["recherche", "search"], search_command, block=False))
    for action, callback in (
        (offer_cards.ACTION_SEARCH_PAGE, page_button),
        (offer_cards.ACTION_SEARCH_CHANGE, change_button),
        (offer_cards.ACTION_SEARCH_PLACE, place_button),
    ):
        application.add_handler(
            CallbackQueryHandler(callback, pattern=callbacks.pattern(action), block=False)
        )
