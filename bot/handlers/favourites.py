"""/favoris (alias /favorites): the user's saved offers, with a remove button for each.

Removal is keyed by the user who pressed the button (``update.effective_user``), never by
anything in the callback data: a forged button can at most remove the presser's own favourite.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks, cards
from bot.handlers.common import Context, answer_query, edit_or_reply, reply_html, services
from bot.texts import commands as t
from storage import Favourite

COMMANDS: list[tuple[str, str]] = [("favoris", t.FAVOURITES_DESCRIPTION)]

MAX_SHOWN = 30  # keeps the keyboard usable; the list card trims with "…" beyond what fits


def favourite_views(favourites: list[Favourite]) -> list[cards.FavouriteView]:
    return [
        cards.FavouriteView(
            offer_id=fav.offer_id,
            title=fav.title,
            company=fav.company,
            place=fav.place,
            saved_at=fav.saved_at,
        )
        for fav in favourites
    ]


async def _render(user_id: int, context: Context) -> tuple[str, object]:
    favourites = await services(context).storage.list_favourites(user_id, limit=MAX_SHOWN)
    views = favourite_views(favourites)
    return cards.favourites_list(views), cards.favourites_keyboard(views)


async def favourites_command(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    text, markup = await _render(user.id, context)
    await reply_html(update, context, text, markup)  # type: ignore[arg-type]


async def remove_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    user = update.effective_user
    if data is None or user is None:
        return
    removed = await services(context).storage.remove_favourite(user.id, data.args[0])
    await answer_query(update, t.FAVOURITE_REMOVED if removed else t.FAVOURITE_NOT_FOUND)
    text, markup = await _render(user.id, context)
    await edit_or_reply(update, context, text, markup)  # type: ignore[arg-type]


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["favoris", "favorites"], favourites_command))
    application.add_handler(
        CallbackQueryHandler(remove_button, pattern=callbacks.pattern(cards.ACTION_REMOVE))
    )
