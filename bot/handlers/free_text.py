"""Plain text that reads like a search, and a location shared outside onboarding.

"je cherche un travail de développeur à Rennes", "serveuse paris", "cariste en CDI" typed
without /recherche are searched as if they followed it (instead of "Je n'ai pas compris").
A bare word ("serveur") is not taken for a search: it is often the late answer to a question
that is over, and "Je n'ai pas compris" then says what to do.
A shared location gets "📍 Vous êtes près de …" with "Offres autour de moi": the profile's
jobs around that commune. Registered by `bot.handlers.search`, after the onboarding and
/profil handlers, and never taking the answer to a question the bot just asked.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot import callbacks
from bot.criteria import DEFAULT_RADIUS_KM, criteria_for
from bot.handlers.common import Context, answer_query, reply_html, services
from bot.handlers.match import pending_question
from bot.render import escape
from bot.texts import offers as ot
from ft_client.matching import find_jobs, is_recognised
from ft_client.place_names import PlaceKind
from ft_client.referential import Referential
from ft_client.search_text import SearchRequest, parse_search_text

ACTION_NEAR: Final = "near"  # <INSEE code>: the profile's jobs around this commune
callbacks.register_action(ACTION_NEAR, callbacks.INSEE_CODE)

# Same bar as /recherche's ROME-code search: a job title, not a fuzzy guess.
JOB_WORDS_MIN_SCORE: Final = 0.85
_SEARCH_OPENERS: Final = ("je cherche", "cherche ", "recherche ", "je recherche")


def reads_like_search(text: str, ref: Referential) -> bool:
    """ "je cherche …", or a recognised job with a place or a search word (radius, contract,
    temps partiel, débutant)."""
    request = parse_search_text(text)
    if not isinstance(request, SearchRequest) or not request.job_words:
        return False
    if text.strip().lower().startswith(_SEARCH_OPENERS):
        return True
    flags = (
        request.place_kind is not PlaceKind.NONE
        or request.radius_km is not None
        or bool(request.contract_types)
        or request.alternance
        or request.part_time is not None
        or request.beginner
    )
    if not flags:
        return False
    try:
        hits = find_jobs(request.job_text, ref, limit=1)
    except ValueError:
        return False
    return is_recognised(hits) and hits[0].score >= JOB_WORDS_MIN_SCORE


TextSearch = Callable[[Update, Context, str], Coroutine[Any, Any, None]]
StartSearch = Callable[..., Coroutine[Any, Any, None]]


class SearchLikeTextHandler(MessageHandler):
    """Private plain text that reads like a search, unless it answers a pending question."""

    def __init__(self, application: Application, search: TextSearch) -> None:
        super().__init__(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
            functools.partial(free_text_search, search=search),
            block=False,
        )
        self._application = application

    def check_update(self, update: object) -> Any:
        result = super().check_update(update)
        if not result or not isinstance(update, Update) or update.effective_user is None:
            return False
        if pending_question(self._application, update.effective_user.id) is not None:
            return False  # the text answers the bot's question (skills, a time…)
        message = update.effective_message
        services_ = self._application.bot_data.get("services")
        if message is None or not message.text or services_ is None:
            return False
        return result if reads_like_search(message.text, services_.referential) else False


async def free_text_search(update: Update, context: Context, *, search: TextSearch) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await search(update, context, message.text)


async def shared_location(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or message.location is None:
        return
    try:
        place = services(context).referential.nearest_place(
            message.location.latitude, message.location.longitude
        )
    except ValueError:
        place = None
    if place is None:
        await reply_html(update, context, ot.LOCATION_UNKNOWN)
        return
    button = InlineKeyboardButton(
        ot.LOCATION_AROUND_ME_BUTTON,
        callback_data=callbacks.encode(ACTION_NEAR, place.insee_code),
    )
    await reply_html(
        update,
        context,
        ot.LOCATION_FOUND.format(place=escape(place.display_label)),
        InlineKeyboardMarkup([[button]]),
    )


async def around_me_button(update: Update, context: Context, *, start: StartSearch) -> None:
    data = callbacks.from_update(update)
    user = update.effective_user
    svc = services(context)
    place = svc.referential.place(data.args[0]) if data is not None else None
    if place is None or user is None:
        await answer_query(update, ot.LOCATION_UNKNOWN, alert=True)
        return
    await answer_query(update)
    profile = await svc.storage.get_profile(user.id)
    if profile is None or not profile.target_jobs:
        await reply_html(update, context, ot.LOCATION_NO_JOB)
        return
    criteria = criteria_for(
        profile,
        svc.referential,
        commune_code=place.insee_code,
        place_label=place.display_label,
        radius_km=profile.radius_km or DEFAULT_RADIUS_KM,
    )
    job_text = ", ".join(job.label for job in profile.target_jobs)
    await start(update, context, job_text, criteria, edit=True)


def register(application: Application, search: TextSearch, start: StartSearch) -> None:
    """``search``: /recherche's line search; ``start``: shows a `Criteria` search's first page."""
    application.add_handler(SearchLikeTextHandler(application, search))
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.LOCATION,
            shared_location,
        )
    )
    application.add_handler(
        CallbackQueryHandler(
            functools.partial(around_me_button, start=start),
            pattern=callbacks.pattern(ACTION_NEAR),
            block=False,
        )
    )
