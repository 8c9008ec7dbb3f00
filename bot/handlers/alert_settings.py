"""/alertes (alias /alerts): daily digest on/off, time (buttons or typed HH:MM), days.

``/alertes 07:30`` sets the time directly, ``/alertes off`` / ``/alertes on`` switch them.
Every change goes through ``storage`` (``set_alerts`` / ``modify_profile``) and the settings card
is edited in place.
"""

from __future__ import annotations

import re
from datetime import time

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks, cards
from bot.handlers.common import (
    Context,
    answer_query,
    command_args_text,
    edit_or_reply,
    reply_html,
    services,
)
from bot.handlers.match import AwaitingTextHandler, clear_awaiting, set_awaiting
from bot.render import escape, truncate
from bot.texts import commands as t
from storage import Profile

COMMANDS: list[tuple[str, str]] = [("alertes", t.ALERTS_DESCRIPTION)]

AWAIT_ALERT_TIME = "alert_time"
_TIME_RE = re.compile(r"^\s*([01]?\d|2[0-3])\s*(?:(?:[:hH.]|\s)\s*([0-5]\d)?)?\s*$")
_ON_WORDS = frozenset({"on", "oui", "activer", "active", "marche"})
_OFF_WORDS = frozenset({"off", "non", "desactiver", "désactiver", "stop", "arret", "arrêt"})


def parse_time(text: str) -> time | None:
    """ "07:30", "7h30", "7 h", "18" → a time; None for anything else."""
    if len(text) > 20:
        return None
    match = _TIME_RE.match(text)
    if match is None:
        return None
    return time(int(match.group(1)), int(match.group(2) or 0))


def time_label(value: time) -> str:
    return value.strftime("%H:%M")


def settings_card(profile: Profile) -> tuple[str, object]:
    label = time_label(profile.alert_time)
    return (
        cards.alert_settings(profile.alerts_enabled, label, profile.alert_days),
        cards.alert_settings_keyboard(profile.alerts_enabled, label, profile.alert_days),
    )


async def _profile_or_explain(update: Update, context: Context) -> Profile | None:
    user = update.effective_user
    if user is None:
        return None
    profile = await services(context).storage.get_profile(user.id)
    if profile is None:
        await answer_query(update)
        await reply_html(update, context, t.ALERTS_NEED_PROFILE)
    return profile


async def alerts_command(update: Update, context: Context) -> None:
    profile = await _profile_or_explain(update, context)
    if profile is None:
        return
    storage = services(context).storage
    argument = command_args_text(context)
    if argument:
        word = argument.casefold()
        if word in _ON_WORDS or word in _OFF_WORDS:
            await storage.set_alerts(profile.user_id, word in _ON_WORDS)
        elif (parsed := parse_time(argument)) is not None:
            await storage.set_alerts(profile.user_id, True, parsed)
            await reply_html(update, context, t.ALERTS_TIME_SET.format(time=time_label(parsed)))
        else:
            await reply_html(
                update, context, t.ALERTS_BAD_TIME.format(text=escape(truncate(argument, 40)))
            )
        profile = await storage.get_profile(profile.user_id) or profile
    text, markup = settings_card(profile)
    await reply_html(update, context, text, markup)  # type: ignore[arg-type]


async def alerts_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    profile = await _profile_or_explain(update, context)
    if data is None or profile is None:
        return
    storage = services(context).storage
    note: str | None = None
    if data.action == cards.ACTION_ALERTS and data.args[0] in ("on", "off"):
        await storage.set_alerts(profile.user_id, data.args[0] == "on")
    elif data.action == cards.ACTION_ALERTS:  # "ask": the next text message is the time
        set_awaiting(context, AWAIT_ALERT_TIME)
        await answer_query(update)
        await reply_html(update, context, t.ALERTS_ASK_TIME)
        return
    elif data.action == cards.ACTION_ALERT_TIME:
        hhmm = data.args[0]
        await storage.set_alerts(
            profile.user_id, profile.alerts_enabled, time(int(hhmm[:2]), int(hhmm[2:]))
        )
    else:  # toggle one day; at least one day must stay (else: turn alerts off)
        day = int(data.args[0])
        refused = False

        def toggle(current: Profile) -> Profile:
            nonlocal refused
            days = current.alert_days ^ {day}
            refused = not days
            return current.replace(alert_days=days) if days else current

        # Read-modify-write in one transaction: two quick presses never lose a change.
        await storage.modify_profile(profile.user_id, toggle)
        if refused:
            note = t.ALERTS_KEEP_ONE_DAY
    await answer_query(update, note, alert=note is not None)
    updated = await storage.get_profile(profile.user_id) or profile
    text, markup = settings_card(updated)
    await edit_or_reply(update, context, text, markup)  # type: ignore[arg-type]


async def typed_time(update: Update, context: Context) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    parsed = parse_time(message.text)
    if parsed is None:
        await reply_html(
            update, context, t.ALERTS_BAD_TIME.format(text=escape(truncate(message.text, 40)))
        )
        return
    clear_awaiting(context)
    storage = services(context).storage
    profile = await storage.get_profile(user.id)
    if profile is None:
        await reply_html(update, context, t.ALERTS_NEED_PROFILE)
        return
    await storage.set_alerts(user.id, True, parsed)
    await reply_html(update, context, t.ALERTS_TIME_SET.format(time=time_label(parsed)))
    updated = await storage.get_profile(user.id) or profile
    text, markup = settings_card(updated)
    await reply_html(update, context, text, markup)  # type: ignore[arg-type]


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["alertes", "alerts"], alerts_command))
    application.add_handler(
        CallbackQueryHandler(
            alerts_button,
            pattern=callbacks.pattern(
                cards.ACTION_ALERTS, cards.ACTION_ALERT_TIME, cards.ACTION_ALERT_DAY
            ),
        )
    )
    application.add_handler(AwaitingTextHandler(AWAIT_ALERT_TIME, typed_time, application))
