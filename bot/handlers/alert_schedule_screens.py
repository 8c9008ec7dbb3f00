"""/alertes, when a saved alert is sent (issue 15): the frequency (daily, Monday to Friday,
weekly on a day) and the quiet days (days of that frequency on which nothing is sent).

A change that would leave the alert no day to be sent on (weekly on one of its quiet days,
every day of its frequency quiet) is refused with a French answer and changes nothing: turning
an alert off or pausing it is what stops it. The profile's own alert (number 0) keeps its days
as a mask set on its card (``bot.handlers.alert_settings``); choosing a frequency sets that mask.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks
from bot import saved_alert_cards as sc
from bot.handlers.alert_screens_common import (
    modify_alert,
    own_alert,
    show_alert,
    show_overview,
    with_schedule,
)
from bot.handlers.common import Context, answer_query, edit_or_reply, services
from bot.render import escape, truncate
from bot.texts import saved_alerts as st
from ft_client.alert_schedule import ALL_DAYS, DAY_NAMES_FR, WEEKDAYS, Frequency, Schedule
from storage.saved_alerts import SavedAlert


def refusal(before: Schedule, after: Schedule) -> str | None:
    """Why the change from ``before`` to ``after`` is refused (no day left to send on); None
    when it is fine."""
    if after.days:
        return None
    moved = (after.frequency, after.weekday) != (before.frequency, before.weekday)
    if after.frequency is Frequency.WEEKLY and moved:
        return st.WEEKLY_ON_QUIET_DAY.format(day=DAY_NAMES_FR[after.weekday])
    return st.NO_DAY_LEFT


async def _reschedule(
    update: Update,
    context: Context,
    alert_no: int,
    changes: Callable[[SavedAlert], dict[str, object]],
) -> SavedAlert | None:
    """Apply the schedule ``changes(alert)`` to the presser's alert, computed from the row read
    in the write's transaction (two quick presses both count); the changed alert, or None (and
    told why, nothing written) when it is not theirs or would be left no day to be sent on."""
    refused: str | None = None

    def change(alert: SavedAlert) -> SavedAlert:
        nonlocal refused
        updated = with_schedule(alert, **changes(alert))
        refused = refusal(alert.schedule, updated.schedule)
        return alert if refused else updated

    alert = await modify_alert(update, context, alert_no, change)
    if alert is not None and refused is not None:
        await answer_query(update, refused, alert=True)
        return None
    return alert


async def frequency_button(update: Update, context: Context) -> None:
    """« Tous les jours », « Lundi → vendredi », « Le <jour> »."""
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
        await show_overview(update, context, user.id)
        return
    alert = await _reschedule(update, context, alert_no, lambda _alert: values)
    if alert is None:
        return
    await answer_query(update)
    await show_alert(update, context, alert)


async def quiet_button(update: Update, context: Context) -> None:
    """« 🤫 Jours sans envoi »: ``open`` shows them, ``d<n>`` toggles a day, ``none`` clears."""
    data = callbacks.from_update(update)
    if data is None or update.effective_user is None:
        return
    alert_no, op = int(data.args[0]), data.args[1]
    if alert_no == sc.PROFILE_ALERT:
        await answer_query(update, st.QUIET_PROFILE_ALERT, alert=True)
        return
    if op == "open":
        alert = await own_alert(update, context, alert_no)
    elif op == "none":
        alert = await _reschedule(update, context, alert_no, lambda _a: {"quiet_days": frozenset()})
    else:
        day = int(op[1])
        found = await own_alert(update, context, alert_no)
        if found is None:
            return
        if day not in sc.base_days(found.schedule.frequency, found.schedule.weekday):
            await answer_query(update, st.NOT_A_SENDING_DAY, alert=True)
            return
        alert = await _reschedule(
            update, context, alert_no, lambda a: {"quiet_days": a.schedule.quiet_days ^ {day}}
        )
    if alert is None:
        return
    await answer_query(update)
    text, markup = sc.quiet_days_card(alert)
    await edit_or_reply(update, context, text, markup)


def frequency_question(alert: SavedAlert) -> str:
    """The frequency screen's text: the question and the alert's schedule now."""
    question = st.FREQUENCY_QUESTION.format(label=escape(truncate(alert.label, 60)))
    return f"{question}\n{sc.schedule_text(alert.schedule)}"


def register(application: Application) -> None:
    for action, callback in (
        (sc.ACTION_FREQUENCY, frequency_button),
        (sc.ACTION_QUIET, quiet_button),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=callbacks.pattern(action)))
