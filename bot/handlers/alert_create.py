"""« 🔔 Créer une alerte pour cette recherche » under /recherche results (issue 15).

The button carries the search's key (``bot.searches``): the alert takes that search's criteria,
the profile alert's time, and is refused clearly once the person has `MAX_ALERTS` alerts.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks
from bot import saved_alert_cards as sc
from bot.criteria import Criteria
from bot.handlers.common import Context, answer_query, reply_html, services
from bot.render import escape, truncate
from bot.searches import recall_search
from bot.texts import saved_alerts as st
from ft_client.alert_schedule import Schedule
from storage.saved_alerts import MAX_ALERTS, SavedAlert, TooManyAlertsError


def alert_label(job_text: str, criteria: Criteria) -> str:
    place = criteria.place_label if criteria.has_place else "toute la France"
    return truncate(f"{job_text.strip() or 'Recherche'} · {place}", 80)


async def create_button(update: Update, context: Context) -> None:
    """« 🔔 Créer une alerte pour cette recherche »."""
    data = callbacks.from_update(update)
    user = update.effective_user
    if data is None or user is None:
        return
    search = recall_search(context, data.args[0])
    criteria = Criteria.from_dict(search.get("c")) if search else None
    if search is None or criteria is None:
        await answer_query(update, st.SEARCH_GONE, alert=True)
        return
    svc = services(context)
    profile = await svc.storage.get_profile(user.id)
    await svc.storage.upsert_user(user.id, user.id, user.first_name, user.language_code)
    schedule = Schedule(at=profile.alert_time) if profile is not None else Schedule()
    draft = SavedAlert(
        user_id=user.id,
        alert_no=0,
        label=alert_label(str(search.get("q", "")), criteria),
        criteria=sc.alert_criteria_of(criteria),
        schedule=schedule,
    )
    try:
        stored = await svc.storage.add_saved_alert(draft)
    except TooManyAlertsError:
        await answer_query(update)
        await reply_html(update, context, st.TOO_MANY.format(limit=MAX_ALERTS))
        return
    await answer_query(update)
    await reply_html(
        update,
        context,
        st.CREATED.format(label=escape(stored.label), schedule=sc.schedule_text(stored.schedule)),
    )


def register(application: Application) -> None:
    application.add_handler(
        CallbackQueryHandler(create_button, pattern=callbacks.pattern(sc.ACTION_CREATE))
    )
