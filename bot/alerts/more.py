"""The buttons of a digest: ⭐ / 🙈 per offer (`digest_keyboard`) and "+N autres offres"
(its callback data and its handler).

The button carries the digest's window (epoch seconds in base 36); pressing it sends the next
best offers of that window not sent yet, fetched again from France Travail (nothing about a
digest is stored but the offers sent).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import callbacks, texts
from bot.alerts import digest as digest_mod
from bot.alerts import fetching
from bot.alerts.planning import alert_query_key, offers_in_window, rank_for
from bot.texts import saved_alerts as saved_texts
from ft_client import FTError
from ft_client.alert_feedback import adjust
from ft_client.alert_filters import apply_filters

if TYPE_CHECKING:
    from telegram import Update

    from bot.services import Services
    from storage import Profile

# Callback action of the "+N autres offres" button: the digest's window, epoch seconds in base 36.
MORE_ACTION = "am"
_EPOCH36 = r"[0-9a-z]{1,8}"
callbacks.register_action(MORE_ACTION, _EPOCH36, _EPOCH36)
# Handled by bot.handlers.feedback (registered there too, with the same shapes).
DIGEST_SAVE_ACTION = "dsav"
HIDE_ACTION = "hide"
callbacks.register_action(DIGEST_SAVE_ACTION, callbacks.OFFER_ID)
callbacks.register_action(HIDE_ACTION, callbacks.OFFER_ID)


def more_keyboard(count: int, start: datetime, end: datetime) -> InlineKeyboardMarkup | None:
    if count <= 0:
        return None
    data = encode_more(start, end)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(digest_mod.more_button_text(count), callback_data=data)]]
    )


def digest_keyboard(
    digest: digest_mod.Digest, start: datetime, end: datetime, *, first_number: int = 1
) -> InlineKeyboardMarkup | None:
    """⭐ save and 🙈 pas intéressé per offer (numbered as in the message), then "+N autres".

    Two offers per row; at most `digest_mod` size offers, so far below Telegram's 100 buttons.
    """
    buttons: list[InlineKeyboardButton] = []
    for number, item in enumerate(digest.items, start=first_number):
        buttons.append(
            InlineKeyboardButton(
                saved_texts.SAVE_BUTTON.format(number=number),
                callback_data=callbacks.encode(DIGEST_SAVE_ACTION, item.offer_id),
            )
        )
        buttons.append(
            InlineKeyboardButton(
                saved_texts.NOT_INTERESTED_BUTTON.format(number=number),
                callback_data=callbacks.encode(HIDE_ACTION, item.offer_id),
            )
        )
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    more = more_keyboard(digest.more_count, start, end)
    if more is not None:
        rows.extend(list(row) for row in more.inline_keyboard)
    return InlineKeyboardMarkup(rows) if rows else None


def _without_more(message: object) -> InlineKeyboardMarkup | None:
    """A digest's keyboard without its "+N autres offres" row."""
    markup = getattr(message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return None
    rows = [
        list(row)
        for row in markup.inline_keyboard
        if not any(_is_more(b.callback_data) for b in row)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def _is_more(data: object) -> bool:
    decoded = callbacks.decode(data)
    return decoded is not None and decoded.action == MORE_ACTION


def _b36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if value <= 0:
        return "0"
    out = ""
    while value:
        value, rem = divmod(value, 36)
        out = digits[rem] + out
    return out


def encode_more(start: datetime, end: datetime) -> str:
    """Callback data of the "+N autres offres" button: the user's digest window (epoch seconds)."""
    return callbacks.encode(
        MORE_ACTION, _b36(int(start.timestamp())), _b36(math.ceil(end.timestamp()))
    )


def decode_more(data: object) -> tuple[datetime, datetime] | None:
    decoded = callbacks.decode(data)
    if decoded is None or decoded.action != MORE_ACTION or len(decoded.args) != 2:
        return None
    try:
        start, end = (datetime.fromtimestamp(int(a, 36), tz=UTC) for a in decoded.args)
    except (ValueError, OverflowError, OSError):
        return None
    if not start < end:
        return None
    return start, end


async def on_more_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "+N autres offres": show the next best unsent offers of that digest's window."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    services = context.application.bot_data["services"]
    window = decode_more(query.data)
    profile = await services.storage.get_profile(user.id) if window else None
    if window is None or profile is None:
        # A forged window, or a user who deleted their data since: the generic answer.
        await callbacks.stale_button(update, context)
        return
    start, end = window
    # Digest windows never exceed the lookback; a forged one must not cost more than that.
    end = min(end, datetime.now(UTC))
    start = max(start, end - timedelta(days=services.settings.alert_lookback_days))
    if start >= end:
        await callbacks.stale_button(update, context)
        return
    with contextlib.suppress(TelegramError):
        await query.answer()
    chat_id = update.effective_chat.id if update.effective_chat else user.id
    try:
        page = await more_page(services, profile, start, end)
    except FTError as exc:
        with contextlib.suppress(Exception):
            await services.storage.record_ft_error(exc.endpoint or "offres_search", exc.status)
        await context.bot.send_message(chat_id, texts.common.FT_UNAVAILABLE)
        return
    with contextlib.suppress(TelegramError):
        # The old button would show the same page again: the new message carries the next one.
        # The digest's ⭐ / 🙈 buttons stay.
        await query.edit_message_reply_markup(reply_markup=_without_more(query.message))
    await context.bot.send_message(
        chat_id=chat_id,
        text=digest_mod.render_more_page(page),
        parse_mode=ParseMode.HTML,
        reply_markup=digest_keyboard(page, start, end),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    # Recorded only once Telegram accepted the page, as for the digest itself.
    if page.items:
        await services.storage.mark_sent(profile.user_id, list(page.offer_ids))


async def more_page(
    services: Services, profile: Profile, start: datetime, end: datetime
) -> digest_mod.Digest:
    """The next page of a digest: offers of [start, end) not sent yet, best first.

    Raises `FTError` when France Travail fails (the caller tells the user)."""
    settings = services.settings
    try:
        key = alert_query_key(profile, services.referential)
    except ValueError:
        key = None
    if key is None:
        return digest_mod.Digest(items=())
    query = dataclasses.replace(key, created_after=start, created_before=end)
    offers = [o async for o in services.ft.iter_offers(query, limit=fetching.MAX_OFFERS_PER_QUERY)]
    offers = offers_in_window(offers, start, end)
    if offers:
        unsent = set(await services.storage.filter_unsent(profile.user_id, [o.id for o in offers]))
        offers = [o for o in offers if o.id in unsent]
    # As in the digest: the profile alert's filters, then « pas intéressé » (hidden offers too).
    storage = services.storage
    feedback = (await storage.feedback_of([profile.user_id])).get(profile.user_id, [])
    filters = (await storage.get_profile_alert_settings(profile.user_id)).filters
    ranked = rank_for(profile, services.referential, offers, end)
    ranked = adjust(apply_filters(ranked, filters).kept, feedback)
    return digest_mod.build_more_page(
        ranked, min_score=settings.alert_min_score, size=settings.alert_digest_size
    )
