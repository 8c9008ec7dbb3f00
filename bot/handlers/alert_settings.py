"""/alertes (alias /alerts): the profile alert's on/off, time (buttons or typed HH:MM), days, and
« Tester maintenant »: the alert runs now and, when it sends nothing, says why and offers to widen
the place (« Élargir à 50 km », « Toute la France »).

``/alertes 07:30`` sets the time directly, ``/alertes off`` / ``/alertes on`` switch them.
Every change goes through ``storage`` (``set_alerts`` / ``modify_profile``) and the settings card
is edited in place. Under it, the saved alerts, filters, pause and « pas intéressé » effects
(``bot.handlers.saved_alerts``); 🙈 and its reason are ``bot.handlers.feedback``.
"""

from __future__ import annotations

import re
from datetime import time

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks, cards
from bot.alerts import explain
from bot.alerts.try_now import run_alert_now
from bot.handlers import alert_create, feedback, saved_alerts
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
from bot.texts import alerts as alert_texts
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


async def settings_card(context: Context, profile: Profile) -> tuple[str, InlineKeyboardMarkup]:
    """The profile alert's card, then the saved alerts and « pas intéressé » effects."""
    return await saved_alerts.overview(services(context), profile)


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
    text, markup = await settings_card(context, profile)
    await reply_html(update, context, text, markup)


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
    text, markup = await settings_card(context, updated)
    await edit_or_reply(update, context, text, markup)


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
    text, markup = await settings_card(context, updated)
    await reply_html(update, context, text, markup)


async def run_test(update: Update, context: Context, user_id: int) -> None:
    """Run the user's alert now; when it sends nothing, say why and offer to widen."""
    result = await run_alert_now(context.application, services(context), user_id)
    if result.busy:
        await reply_html(update, context, alert_texts.ALERT_TEST_BUSY)
        return
    if result.outcome is not None and result.outcome.sent:
        return  # the digest is the answer
    profile = await services(context).storage.get_profile(user_id)
    if profile is None:
        await reply_html(update, context, t.ALERTS_NEED_PROFILE)
        return
    text, markup = explain.explain(
        result.outcome, profile, services(context).settings.alert_timezone
    )
    await reply_html(update, context, text, markup)


async def test_button(update: Update, context: Context) -> None:
    """« Tester maintenant »."""
    profile = await _profile_or_explain(update, context)
    if profile is None:
        return
    await answer_query(update)
    await run_test(update, context, profile.user_id)


async def widen_button(update: Update, context: Context) -> None:
    """« Élargir à 50 km » / « Toute la France »: change the profile's place, then test again."""
    data = callbacks.from_update(update)
    profile = await _profile_or_explain(update, context)
    if data is None or profile is None:
        return
    storage = services(context).storage
    await answer_query(update)
    if data.args[0] == "fr":
        await storage.set_place(profile.user_id, None, None, profile.radius_km)
        note = alert_texts.ALERT_TEST_WIDENED_FRANCE
    elif profile.place_code:
        km = max(profile.radius_km, explain.WIDEN_RADIUS_KM)
        await storage.set_place(profile.user_id, profile.place_code, profile.place_label, km)
        note = alert_texts.ALERT_TEST_WIDENED_RADIUS.format(
            km=km, place=escape(profile.place_label or profile.place_code)
        )
    else:  # already all of France (a stale button)
        note = alert_texts.ALERT_TEST_WIDENED_FRANCE
    await reply_html(update, context, note)
    await run_test(update, context, profile.user_id)


def register(application: Application) -> None:
    saved_alerts.register(application)  # saved alerts, filters, pause, « annuler »
    feedback.register(application)  # 🙈 with its reason, ⭐ in digests
    alert_create.register(application)  # 🔔 under /recherche results
    application.add_handler(CommandHandler(["alertes", "alerts"], alerts_command))
    application.add_handler(
        CallbackQueryHandler(
            alerts_button,
            pattern=callbacks.pattern(
                cards.ACTION_ALERTS, cards.ACTION_ALERT_TIME, cards.ACTION_ALERT_DAY
            ),
        )
    )
    application.add_handler(
        CallbackQueryHandler(test_button, pattern=callbacks.pattern(explain.ACTION_ALERT_TEST))
    )
    application.add_handler(
        CallbackQueryHandler(widen_button, pattern=callbacks.pattern(explain.ACTION_ALERT_WIDEN))
    )
    application.add_handler(AwaitingTextHandler(AWAIT_ALERT_TIME, typed_time, application))
