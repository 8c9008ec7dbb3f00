"""/alertes, when a saved alert is sent (issue 15): the frequency (daily, Monday to Friday,
weekly on a day). The profile's own alert (number 0) keeps its days as a mask set on its card
(``bot.handlers.alert_settings``); choosing a frequency sets that mask.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks
from bot import saved_alert_cards as sc
from bot.handlers.alert_screens_common import modify_alert, show_alert, show_overview, with_schedule
from bot.handlers.common import Context, answer_query, services
from ft_client.alert_schedule import ALL_DAYS, WEEKDAYS, Frequency


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
    alert = await modify_alert(update, context, alert_no, lambda a: with_schedule(a, **values))
    if alert is None:
        return
    await answer_query(update)
    await show_alert(update, context, alert)


def register(application: Application) -> None:
    application.add_handler(
        CallbackQueryHandler(frequency_button, pattern=callbacks.pattern(sc.ACTION_FREQUENCY))
    )
