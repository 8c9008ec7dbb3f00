"""What every /alertes screen shares (issue 15): the overview, finding the presser's own alert,
changing it in one transaction, and showing its card.

Every button and typed answer carries an alert number only; it is looked up among the
presser's own alerts (``storage`` scopes every call by user id), so a forged or stale number
gets `UNKNOWN_ALERT` and changes nothing. Number 0 (`saved_alert_cards.PROFILE_ALERT`) is the
profile's own alert: its filters and pause live in ``profile_alert_settings``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from telegram import InlineKeyboardMarkup, Update

from bot import cards
from bot import saved_alert_cards as sc
from bot.alerts import explain
from bot.handlers.common import Context, answer_query, edit_or_reply, reply_html, services
from bot.services import Services
from bot.texts import saved_alerts as st
from ft_client.alert_feedback import effects
from ft_client.alert_filters import AlertFilters
from ft_client.alert_schedule import Schedule
from storage import Profile
from storage.saved_alerts import SavedAlert


def today(svc: Services) -> date:
    return datetime.now(svc.settings.alert_timezone).date()


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


async def show_overview(update: Update, context: Context, user_id: int) -> None:
    svc = services(context)
    profile = await svc.storage.get_profile(user_id)
    if profile is None:
        await reply_html(update, context, st.NEED_START)
        return
    text, markup = await overview(svc, profile)
    await edit_or_reply(update, context, text, markup)


async def tell_unknown_alert(update: Update, context: Context) -> None:
    """`UNKNOWN_ALERT` as the button's answer, or as a message after a typed answer."""
    await answer_query(update, st.UNKNOWN_ALERT, alert=True)
    if update.callback_query is None:
        await reply_html(update, context, st.UNKNOWN_ALERT)


async def own_alert(update: Update, context: Context, alert_no: int) -> SavedAlert | None:
    """The presser's alert number ``alert_no``; None (and told) when they have none."""
    user = update.effective_user
    found = (
        await services(context).storage.get_saved_alert(user.id, alert_no)
        if user is not None
        else None
    )
    if found is None:
        await tell_unknown_alert(update, context)
    return found


async def modify_alert(
    update: Update, context: Context, alert_no: int, change: Callable[[SavedAlert], SavedAlert]
) -> SavedAlert | None:
    """Read-modify-write the presser's alert in one transaction; None (and told) if not theirs."""
    user = update.effective_user
    if user is None:
        return None
    updated = await services(context).storage.modify_saved_alert(user.id, alert_no, change)
    if updated is None:
        await tell_unknown_alert(update, context)
    return updated


async def show_alert(update: Update, context: Context, alert: SavedAlert) -> None:
    text, markup = sc.alert_card(alert, today(services(context)))
    await edit_or_reply(update, context, text, markup)


def with_schedule(alert: SavedAlert, **changes: object) -> SavedAlert:
    """``alert`` with some of its schedule's fields changed."""
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


def with_filters(filters: AlertFilters, **changes: object) -> AlertFilters:
    """``filters`` with some fields changed (validated again by `AlertFilters`)."""
    values = {name: getattr(filters, name) for name in AlertFilters.__slots__}
    return AlertFilters(**{**values, **changes})  # type: ignore[arg-type]


async def _has_profile(update: Update, context: Context, user_id: int) -> bool:
    """True when the presser has a profile (its alert's filters exist); else they are told."""
    if await services(context).storage.get_profile(user_id) is None:
        await answer_query(update)
        await reply_html(update, context, st.NEED_START)
        return False
    return True


async def change_filters(
    update: Update, context: Context, alert_no: int, change: Callable[[AlertFilters], AlertFilters]
) -> tuple[str, AlertFilters] | None:
    """Apply ``change`` to the presser's alert's filters (alert 0: the profile alert's), in one
    transaction; (label, new filters), or None (and told) when the alert is not theirs."""
    user = update.effective_user
    if user is None:
        return None
    storage = services(context).storage
    if alert_no == sc.PROFILE_ALERT:
        if not await _has_profile(update, context, user.id):
            return None
        settings = await storage.modify_profile_alert_settings(
            user.id, lambda s: s.replace(filters=change(s.filters))
        )
        return st.PROFILE_ALERT_LABEL, settings.filters
    alert = await storage.modify_saved_alert(
        user.id, alert_no, lambda a: a.replace(filters=change(a.filters))
    )
    if alert is None:
        await tell_unknown_alert(update, context)
        return None
    return alert.label, alert.filters


async def current_filters(
    update: Update, context: Context, alert_no: int
) -> tuple[str, AlertFilters] | None:
    """(label, filters) of the presser's alert, or None (and told) when it is not theirs."""
    user = update.effective_user
    if user is None:
        return None
    storage = services(context).storage
    if alert_no == sc.PROFILE_ALERT:
        if not await _has_profile(update, context, user.id):
            return None
        settings = await storage.get_profile_alert_settings(user.id)
        return st.PROFILE_ALERT_LABEL, settings.filters
    alert = await own_alert(update, context, alert_no)
    return None if alert is None else (alert.label, alert.filters)
