"""/alertes, saved alerts part (issue 15): one alert's card (on/off, supprimer, and the way to
its frequency and filters screens), the pause (buttons or a typed date) and « annuler » of a
« pas intéressé » effect. The overview is ``alert_screens_common.overview``; the frequency and
quiet days are ``alert_schedule_screens``; the filters ``alert_filter_screens``; creating an
alert from /recherche ``alert_create``.

A typed pause date uses the bot's one pending-question mechanism
(``bot.handlers.match.set_awaiting``: persisted, expires after 15 minutes), kind `AWAIT_PAUSE`
with the alert number. Every button and answer looks the alert number up among the presser's
own alerts: a forged or stale number gets `UNKNOWN_ALERT` and changes nothing.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks
from bot import saved_alert_cards as sc
from bot.handlers import alert_filter_screens, alert_schedule_screens
from bot.handlers.alert_screens_common import (
    modify_alert,
    overview,
    own_alert,
    show_alert,
    show_overview,
    tell_unknown_alert,
    today,
    with_schedule,
)
from bot.handlers.common import Context, answer_query, edit_or_reply, reply_html, services
from bot.handlers.match import AwaitingTextHandler, clear_awaiting, get_awaiting, set_awaiting
from bot.render import escape, format_date_fr, truncate
from bot.texts import saved_alerts as st

# ``overview`` is /alertes' screen; ``bot.handlers.alert_settings`` reaches it through here.
__all__ = ["AWAIT_PAUSE", "overview", "parse_pause_date", "register"]

AWAIT_PAUSE: Final = "alert_pause"
_DATE_RE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2}|\d{4}))?\s*$")


def parse_pause_date(text: str, now: date) -> date | None:
    """« 24/12 », « 24/12/2026 » → a date from tomorrow to `MAX_PAUSE_DAYS` ahead; else None.
    A day and month without a year is the next such date."""
    match = _DATE_RE.match(text) if len(text) <= 20 else None
    if match is None:
        return None
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    try:
        if year is None:
            found = date(now.year, month, day)
            if found <= now:
                found = date(now.year + 1, month, day)
        else:
            found = date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    except ValueError:
        return None
    if not now < found <= now + timedelta(days=sc.MAX_PAUSE_DAYS):
        return None
    return found


# ------------------------------------------------------------------ one alert


async def alert_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    user = update.effective_user
    if data is None or user is None:
        return
    alert_no, op = int(data.args[0]), data.args[1]
    svc = services(context)
    if alert_no == sc.PROFILE_ALERT:
        await _profile_alert_op(update, context, user.id, op)
        return
    alert = await own_alert(update, context, alert_no)
    if alert is None:
        return
    if op == "back":
        await answer_query(update)
        await show_overview(update, context, user.id)
        return
    if op == "freq":
        await answer_query(update)
        question = alert_schedule_screens.frequency_question(alert)
        await edit_or_reply(update, context, question, sc.frequency_keyboard(alert_no))
        return
    if op == "filt":
        await alert_filter_screens.show_filters(update, context, alert_no)
        return
    if op == "pause":
        await _ask_pause(update, context, alert_no, alert.label)
        return
    if op == "del":
        await answer_query(update)
        await edit_or_reply(
            update,
            context,
            st.DELETE_CONFIRM.format(label=escape(truncate(alert.label, 60))),
            InlineKeyboardMarkup(
                [
                    [
                        sc.button(st.DELETE_YES, sc.ACTION_ALERT, alert_no, "delyes"),
                        sc.button(st.DELETE_NO, sc.ACTION_ALERT, alert_no, "open"),
                    ]
                ]
            ),
        )
        return
    if op == "delyes":
        await svc.storage.delete_saved_alert(user.id, alert_no)
        await answer_query(update, st.DELETED.format(label=truncate(alert.label, 60)))
        await show_overview(update, context, user.id)
        return
    if op in ("on", "off"):
        changed = await modify_alert(
            update, context, alert_no, lambda a: with_schedule(a, enabled=op == "on")
        )
        alert = changed or alert
    elif op == "resume":
        alert = (
            await modify_alert(
                update, context, alert_no, lambda a: with_schedule(a, paused_until=None)
            )
            or alert
        )
    await answer_query(update)
    await show_alert(update, context, alert)


async def _profile_alert_op(update: Update, context: Context, user_id: int, op: str) -> None:
    """Alert 0, the profile's own: filters and pause here; time, days, on/off on its card."""
    svc = services(context)
    profile = await svc.storage.get_profile(user_id)
    if profile is None:
        await answer_query(update)
        await reply_html(update, context, st.NEED_START)
        return
    if op == "filt":
        await alert_filter_screens.show_filters(update, context, sc.PROFILE_ALERT)
        return
    if op == "pause":
        await _ask_pause(update, context, sc.PROFILE_ALERT, st.PROFILE_ALERT_LABEL)
        return
    if op == "resume":
        await svc.storage.modify_profile_alert_settings(
            user_id, lambda s: s.replace(paused_until=None)
        )
    elif op in ("on", "off"):
        await svc.storage.set_alerts(user_id, op == "on")
    await answer_query(update)
    await show_overview(update, context, user_id)


# ------------------------------------------------------------------ pause


async def _ask_pause(update: Update, context: Context, alert_no: int, label: str) -> None:
    await answer_query(update)
    set_awaiting(context, AWAIT_PAUSE, alert=str(alert_no))
    await reply_html(
        update,
        context,
        st.PAUSE_QUESTION.format(label=escape(truncate(label, 60)), days=sc.MAX_PAUSE_DAYS),
        sc.pause_keyboard(alert_no),
    )


async def _pause(update: Update, context: Context, alert_no: int, until: date) -> bool:
    """Pause the presser's alert until ``until``; False (and told) when it is not theirs."""
    user = update.effective_user
    if user is None:
        return False
    storage = services(context).storage
    if alert_no == sc.PROFILE_ALERT:
        if await storage.get_profile(user.id) is None:
            await reply_html(update, context, st.NEED_START)
            return False
        await storage.modify_profile_alert_settings(
            user.id, lambda s: s.replace(paused_until=until)
        )
        label = st.PROFILE_ALERT_LABEL
    else:
        alert = await storage.modify_saved_alert(
            user.id, alert_no, lambda a: with_schedule(a, paused_until=until)
        )
        if alert is None:
            await tell_unknown_alert(update, context)
            return False
        label = alert.label
    clear_awaiting(context)
    await answer_query(update)
    await reply_html(
        update,
        context,
        st.PAUSED.format(label=escape(truncate(label, 60)), date=format_date_fr(until)),
    )
    return True


async def pause_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    if data is None:
        return
    days = int(data.args[1])
    if days not in sc.PAUSE_CHOICES:
        await callbacks.stale_button(update, context)
        return
    until = today(services(context)) + timedelta(days=days)
    await _pause(update, context, int(data.args[0]), until)


async def typed_pause(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    now = today(services(context))
    until = parse_pause_date(message.text, now)
    if until is None:
        await reply_html(
            update,
            context,
            st.PAUSE_BAD_DATE.format(
                text=escape(truncate(message.text, 40)), days=sc.MAX_PAUSE_DAYS
            ),
        )
        return
    alert_no = int(str(get_awaiting(context).get("alert", "-1")) or -1)
    await _pause(update, context, alert_no, until)


# ------------------------------------------------------------------ feedback


async def undo_button(update: Update, context: Context) -> None:
    """« Annuler » an effect: the reason is cleared, the offer stays hidden."""
    data = callbacks.from_update(update)
    user = update.effective_user
    if data is None or user is None:
        return
    storage = services(context).storage
    if not await storage.set_feedback_reason(user.id, data.args[0].upper(), None):
        await callbacks.stale_button(update, context)
        return
    await answer_query(update, st.UNDONE)
    await show_overview(update, context, user.id)


def register(application: Application) -> None:
    """This module's handlers and its screens' (frequency and quiet days, filters)."""
    for action, callback in (
        (sc.ACTION_ALERT, alert_button),
        (sc.ACTION_PAUSE, pause_button),
        (sc.ACTION_UNDO, undo_button),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=callbacks.pattern(action)))
    application.add_handler(AwaitingTextHandler(AWAIT_PAUSE, typed_pause, application))
    alert_schedule_screens.register(application)
    alert_filter_screens.register(application)
