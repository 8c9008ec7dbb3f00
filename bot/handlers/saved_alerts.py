"""/alertes, saved alerts part (issue 15): the list under the profile alert's card, one alert's
card (on/off, fréquence, filtres, pause, supprimer), filter editing and « annuler » of a « pas
intéressé » effect. Creating one from /recherche is ``bot.handlers.alert_create``.

Typed answers (salary, words, companies, a pause date) use the bot's one pending-question
mechanism (``bot.handlers.match.set_awaiting``: persisted, expires after 15 minutes); the
question kinds are the ``AWAIT_*`` constants and carry the alert number. Every button and answer
looks the alert number up among the presser's own alerts: a forged or stale number gets
`UNKNOWN_ALERT` and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Final

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks, cards
from bot import saved_alert_cards as sc
from bot.alerts import explain
from bot.handlers.common import Context, answer_query, edit_or_reply, reply_html, services
from bot.handlers.match import AwaitingTextHandler, clear_awaiting, get_awaiting, set_awaiting
from bot.render import escape, format_date_fr, truncate
from bot.services import Services
from bot.texts import saved_alerts as st
from ft_client.alert_feedback import effects
from ft_client.alert_filters import (
    MAX_WORD_CHARS,
    MAX_WORDS,
    AlertFilters,
    FilterInputError,
    parse_min_salary,
    parse_word_list,
)
from ft_client.alert_schedule import ALL_DAYS, WEEKDAYS, Frequency, Schedule
from storage import Profile
from storage.saved_alerts import SavedAlert

AWAIT_SALARY: Final = "alert_salary"
AWAIT_WORDS: Final = "alert_words"
AWAIT_COMPANIES: Final = "alert_companies"
AWAIT_PAUSE: Final = "alert_pause"
_DATE_RE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2}|\d{4}))?\s*$")


def today(svc: Services) -> date:
    return datetime.now(svc.settings.alert_timezone).date()


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


# ------------------------------------------------------------------ the overview


def profile_card(profile: Profile) -> tuple[str, list[list]]:
    """The profile alert's card (time, days, on/off) and its buttons."""
    label = profile.alert_time.strftime("%H:%M")
    keyboard = cards.alert_settings_keyboard(profile.alerts_enabled, label, profile.alert_days)
    rows = [list(row) for row in keyboard.inline_keyboard]
    rows.append([explain.test_button()])
    return cards.alert_settings(profile.alerts_enabled, label, profile.alert_days), rows


async def overview(svc: Services, profile: Profile) -> tuple[str, InlineKeyboardMarkup]:
    """/alertes: the profile alert's card, then the saved alerts and the feedback effects."""
    user_id = profile.user_id
    alerts = await svc.storage.list_saved_alerts(user_id)
    settings = await svc.storage.get_profile_alert_settings(user_id)
    in_force = effects(await svc.storage.list_feedback(user_id))
    text, rows = profile_card(profile)
    section = sc.list_section(alerts, settings.filters, settings.paused_until, in_force, today(svc))
    rows.extend(sc.list_buttons(alerts, in_force))
    return f"{text}\n\n{section}", InlineKeyboardMarkup(rows)


async def _show_overview(update: Update, context: Context, user_id: int) -> None:
    svc = services(context)
    profile = await svc.storage.get_profile(user_id)
    if profile is None:
        await reply_html(update, context, st.NEED_START)
        return
    text, markup = await overview(svc, profile)
    await edit_or_reply(update, context, text, markup)


# ------------------------------------------------------------------ one alert


async def _own_alert(update: Update, context: Context, alert_no: int) -> SavedAlert | None:
    """The presser's alert number ``alert_no``; None (and told) when they have none."""
    user = update.effective_user
    found = (
        await services(context).storage.get_saved_alert(user.id, alert_no)
        if user is not None
        else None
    )
    if found is None:
        await answer_query(update, st.UNKNOWN_ALERT, alert=True)
    return found


async def _modify(
    update: Update, context: Context, alert_no: int, change: Callable[[SavedAlert], SavedAlert]
) -> SavedAlert | None:
    user = update.effective_user
    if user is None:
        return None
    updated = await services(context).storage.modify_saved_alert(user.id, alert_no, change)
    if updated is None:
        await answer_query(update, st.UNKNOWN_ALERT, alert=True)
    return updated


async def _show_alert(update: Update, context: Context, alert: SavedAlert) -> None:
    text, markup = sc.alert_card(alert, today(services(context)))
    await edit_or_reply(update, context, text, markup)


def _with_schedule(alert: SavedAlert, **changes: object) -> SavedAlert:
    schedule = alert.schedule
    values = {
        "frequency": schedule.frequency,
        "at": schedule.at,
        "weekday": schedule.weekday,
        "paused_until": schedule.paused_until,
        "enabled": schedule.enabled,
        "quiet_days": schedule.quiet_days,
        **changes,
    }
    return alert.replace(schedule=Schedule(**values))  # type: ignore[arg-type]


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
    alert = await _own_alert(update, context, alert_no)
    if alert is None:
        return
    if op == "back":
        await answer_query(update)
        await _show_overview(update, context, user.id)
        return
    if op == "freq":
        await answer_query(update)
        question = st.FREQUENCY_QUESTION.format(label=escape(truncate(alert.label, 60)))
        await edit_or_reply(update, context, question, sc.frequency_keyboard(alert_no))
        return
    if op == "filt":
        await answer_query(update)
        text, markup = sc.filters_card(alert.label, alert_no, alert.filters)
        await edit_or_reply(update, context, text, markup)
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
        await _show_overview(update, context, user.id)
        return
    if op in ("on", "off"):
        changed = await _modify(
            update, context, alert_no, lambda a: _with_schedule(a, enabled=op == "on")
        )
        alert = changed or alert
    elif op == "resume":
        alert = (
            await _modify(update, context, alert_no, lambda a: _with_schedule(a, paused_until=None))
            or alert
        )
    await answer_query(update)
    await _show_alert(update, context, alert)


async def _profile_alert_op(update: Update, context: Context, user_id: int, op: str) -> None:
    """Alert 0, the profile's own: filters and pause here; time, days, on/off on its card."""
    svc = services(context)
    profile = await svc.storage.get_profile(user_id)
    if profile is None:
        await answer_query(update)
        await reply_html(update, context, st.NEED_START)
        return
    if op == "filt":
        await answer_query(update)
        settings = await svc.storage.get_profile_alert_settings(user_id)
        text, markup = sc.filters_card(st.PROFILE_ALERT_LABEL, sc.PROFILE_ALERT, settings.filters)
        await edit_or_reply(update, context, text, markup)
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
    await _show_overview(update, context, user_id)


async def frequency_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    user = update.effective_user
    if data is None or user is None:
        return
    alert_no, choice = int(data.args[0]), data.args[1]
    if choice.startswith("w"):
        values: dict[str, object] = {"frequency": Frequency.WEEKLY, "weekday": int(choice[1])}
    else:
        values = {"frequency": Frequency(choice)}
    if alert_no == sc.PROFILE_ALERT:  # the profile alert's days are its mask
        days = {"daily": ALL_DAYS, "weekdays": WEEKDAYS}.get(choice)
        storage = services(context).storage
        profile = await storage.get_profile(user.id)
        if profile is not None:
            await storage.set_alerts(
                user.id, profile.alerts_enabled, days=days or frozenset({int(choice[1])})
            )
        await answer_query(update)
        await _show_overview(update, context, user.id)
        return
    alert = await _modify(update, context, alert_no, lambda a: _with_schedule(a, **values))
    if alert is None:
        return
    await answer_query(update)
    await _show_alert(update, context, alert)


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
            user.id, alert_no, lambda a: _with_schedule(a, paused_until=until)
        )
        if alert is None:
            await answer_query(update, st.UNKNOWN_ALERT, alert=True)
            if update.callback_query is None:
                await reply_html(update, context, st.UNKNOWN_ALERT)
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


# ------------------------------------------------------------------ filters


async def _change_filters(
    update: Update, context: Context, alert_no: int, change: Callable[[AlertFilters], AlertFilters]
) -> tuple[str, AlertFilters] | None:
    """Apply ``change`` to the presser's alert's filters; (label, filters) or None if not theirs."""
    user = update.effective_user
    if user is None:
        return None
    storage = services(context).storage
    if alert_no == sc.PROFILE_ALERT:
        if await storage.get_profile(user.id) is None:
            await reply_html(update, context, st.NEED_START)
            return None
        settings = await storage.modify_profile_alert_settings(
            user.id, lambda s: s.replace(filters=change(s.filters))
        )
        return st.PROFILE_ALERT_LABEL, settings.filters
    alert = await storage.modify_saved_alert(
        user.id, alert_no, lambda a: a.replace(filters=change(a.filters))
    )
    if alert is None:
        await answer_query(update, st.UNKNOWN_ALERT, alert=True)
        if update.callback_query is None:
            await reply_html(update, context, st.UNKNOWN_ALERT)
        return None
    return alert.label, alert.filters


_TOGGLES: Final[dict[str, Callable[[AlertFilters], dict[str, object]]]] = {
    "unsal": lambda f: {"keep_unsalaried": not f.keep_unsalaried},
    "remote": lambda f: {"remote_only": not f.remote_only},
    "begin": lambda f: {"beginners_only": not f.beginners_only},
    "full": lambda f: {"working_time": None if f.working_time == "temps_plein" else "temps_plein"},
    "part": lambda f: {
        "working_time": None if f.working_time == "temps_partiel" else "temps_partiel"
    },
}
_QUESTIONS: Final = {
    "salary": (AWAIT_SALARY, st.ASK_SALARY),
    "words": (AWAIT_WORDS, st.ASK_WORDS.format(max=MAX_WORDS, chars=MAX_WORD_CHARS)),
    "comp": (AWAIT_COMPANIES, st.ASK_COMPANIES.format(max=MAX_WORDS)),
}


async def filter_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    user = update.effective_user
    if data is None or user is None:
        return
    alert_no, op = int(data.args[0]), data.args[1]
    if op in _QUESTIONS:
        if alert_no != sc.PROFILE_ALERT and await _own_alert(update, context, alert_no) is None:
            return
        kind, question = _QUESTIONS[op]
        await answer_query(update)
        set_awaiting(context, kind, alert=str(alert_no))
        await reply_html(update, context, question)
        return
    toggle = _TOGGLES[op]
    changed = await _change_filters(
        update, context, alert_no, lambda f: AlertFilters(**{**_fields(f), **toggle(f)})
    )
    if changed is None:
        return
    await answer_query(update)
    text, markup = sc.filters_card(changed[0], alert_no, changed[1])
    await edit_or_reply(update, context, text, markup)


def _fields(filters: AlertFilters) -> dict[str, object]:
    return {name: getattr(filters, name) for name in AlertFilters.__slots__}


async def _typed_filter(
    update: Update, context: Context, parse: Callable[[str], dict[str, object]]
) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    try:
        values = parse(message.text)
    except FilterInputError as refused:
        await reply_html(update, context, escape(refused.message))
        return
    alert_no = int(str(get_awaiting(context).get("alert", "-1")) or -1)
    clear_awaiting(context)
    changed = await _change_filters(
        update, context, alert_no, lambda f: AlertFilters(**{**_fields(f), **values})
    )
    if changed is None:
        return
    text, markup = sc.filters_card(changed[0], alert_no, changed[1])
    await reply_html(update, context, f"{st.FILTER_SAVED}\n\n{text}", markup)


async def typed_salary(update: Update, context: Context) -> None:
    await _typed_filter(update, context, lambda text: {"min_salary": parse_min_salary(text)})


async def typed_words(update: Update, context: Context) -> None:
    await _typed_filter(update, context, lambda text: {"excluded_words": parse_word_list(text)})


async def typed_companies(update: Update, context: Context) -> None:
    await _typed_filter(update, context, lambda text: {"excluded_companies": parse_word_list(text)})


# ------------------------------------------------------------------ feedback, creation


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
    await _show_overview(update, context, user.id)


def register(application: Application) -> None:
    for action, callback in (
        (sc.ACTION_ALERT, alert_button),
        (sc.ACTION_FREQUENCY, frequency_button),
        (sc.ACTION_PAUSE, pause_button),
        (sc.ACTION_FILTER, filter_button),
        (sc.ACTION_UNDO, undo_button),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=callbacks.pattern(action)))
    for kind, callback in (
        (AWAIT_SALARY, typed_salary),
        (AWAIT_WORDS, typed_words),
        (AWAIT_COMPANIES, typed_companies),
        (AWAIT_PAUSE, typed_pause),
    ):
        application.add_handler(AwaitingTextHandler(kind, callback, application))
