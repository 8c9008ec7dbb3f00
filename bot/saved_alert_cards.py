"""Text and buttons of /alertes' saved alerts, filters and « pas intéressé » effects (pure).

Alert number 0 is the profile's own alert (its filters and pause); 1… are saved searches
(``storage.saved_alerts``). Every button carries the alert number only: handlers look it up among
the presser's own alerts, so a forged number reaches nobody else's alert.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence
from datetime import date
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.alerts.due import criteria_of
from bot.criteria import CONTRACT_SHORT_LABELS, Criteria
from bot.handlers.feedback import effect_text
from bot.render import escape, format_date_fr, truncate
from bot.texts import saved_alerts as st
from ft_client.alert_feedback import Effect
from ft_client.alert_filters import AlertFilters
from ft_client.alert_schedule import DAY_NAMES_FR, WEEKDAYS, Frequency, Schedule
from storage.saved_alerts import MAX_ALERTS, AlertCriteria, SavedAlert

PROFILE_ALERT: Final = 0
ACTION_ALERT: Final = "sa"  # <alert no> <op>
ACTION_FREQUENCY: Final = "saf"  # <alert no> daily | weekdays | w0…w6
ACTION_PAUSE: Final = "sap"  # <alert no> <days>
ACTION_FILTER: Final = "sfl"  # <alert no> <op>
ACTION_UNDO: Final = "fbu"  # <offer id>: clear the reason of a « pas intéressé »
ACTION_CREATE: Final = "sac"  # <search key>
ACTION_CONTRACTS: Final = "sfc"  # <alert no> open | any | <contract type code>
ACTION_LICENCES: Final = "sfp"  # <alert no> open | any | <licence code>
ACTION_QUIET: Final = "sqd"  # <alert no> open | none | d0…d6
ALERT_OPS: Final = r"open|on|off|freq|filt|pause|resume|del|delyes|back"
FILTER_OPS: Final = r"salary|unsal|words|comp|remote|begin|full|part"
ALERT_NO: Final = r"[0-9]{1,4}"
# Any short code: the handlers tell an unknown one apart (« Type de contrat inconnu »).
CODE_OPS: Final = r"open|any|[A-Z0-9]{1,4}"
# France Travail contract types (typeContrat), as /recherche names them, most common first.
CONTRACT_CHOICES: Final = tuple(CONTRACT_SHORT_LABELS)
# Driving licence categories (``ft_client.offer_facts``), one row per family.
LICENCE_ROWS: Final = (
    ("B", "BE", "B96", "B1"),
    ("C1", "C", "C1E", "CE"),
    ("D1", "D", "D1E", "DE"),
    ("AM", "A1", "A2", "A"),
)
LICENCE_CHOICES: Final = tuple(code for row in LICENCE_ROWS for code in row)
PAUSE_CHOICES: Final = (7, 14, 30)
MAX_PAUSE_DAYS: Final = 365
MAX_EFFECTS_SHOWN: Final = 5
callbacks.register_action(ACTION_ALERT, ALERT_NO, ALERT_OPS)
callbacks.register_action(ACTION_FREQUENCY, ALERT_NO, r"daily|weekdays|w[0-6]")
callbacks.register_action(ACTION_PAUSE, ALERT_NO, r"[0-9]{1,3}")
callbacks.register_action(ACTION_FILTER, ALERT_NO, FILTER_OPS)
callbacks.register_action(ACTION_UNDO, callbacks.OFFER_ID)
callbacks.register_action(ACTION_CREATE, callbacks.KEY)
callbacks.register_action(ACTION_CONTRACTS, ALERT_NO, CODE_OPS)
callbacks.register_action(ACTION_LICENCES, ALERT_NO, CODE_OPS)
callbacks.register_action(ACTION_QUIET, ALERT_NO, r"open|none|d[0-6]")


def button(text: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(action, *args))


def alert_criteria_of(criteria: Criteria) -> AlertCriteria:
    """What storage keeps of `/recherche` criteria (the same fields; see `criteria_of`)."""
    fields = dataclasses.fields(criteria)
    return AlertCriteria(**{f.name: getattr(criteria, f.name) for f in fields})


def base_days(frequency: Frequency, weekday: int) -> tuple[int, ...]:
    """The days a frequency sends on before quiet days are taken out (0 = Monday)."""
    if frequency is Frequency.WEEKLY:
        return (weekday,)
    return tuple(sorted(WEEKDAYS)) if frequency is Frequency.WEEKDAYS else tuple(range(7))


def day_list(days: Sequence[int]) -> str:
    """(5, 6) → « samedi et dimanche »; (0, 2, 4) → « lundi, mercredi et vendredi »."""
    names = [DAY_NAMES_FR[day] for day in sorted(days)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} et {names[-1]}"


def effective_quiet_days(schedule: Schedule) -> tuple[int, ...]:
    """The quiet days that take a day out of this frequency (others change nothing)."""
    return tuple(
        d for d in base_days(schedule.frequency, schedule.weekday) if d in schedule.quiet_days
    )


def schedule_text(schedule: Schedule) -> str:
    if schedule.frequency is Frequency.WEEKLY:
        days = st.WEEKLY.format(day=DAY_NAMES_FR[schedule.weekday])
    elif schedule.frequency is Frequency.WEEKDAYS:
        days = st.WEEKDAYS
    else:
        days = st.DAILY
    quiet = effective_quiet_days(schedule)
    if quiet:
        days = st.QUIET_EXCEPT.format(days=days, quiet=day_list(quiet))
    return st.SCHEDULE_LINE.format(days=days, time=schedule.at.strftime("%H:%M"))


def contract_label(code: str) -> str:
    """« CDI », « Intérim », « Saisonnier »… (a button or a summary)."""
    label = CONTRACT_SHORT_LABELS.get(code, code)
    return label[:1].upper() + label[1:]


def state_text(enabled: bool, paused_until: date | None, today: date) -> str:
    if paused_until is not None and paused_until >= today:
        return st.STATE_PAUSED.format(date=format_date_fr(paused_until))
    return st.STATE_ON if enabled else st.STATE_OFF


def filters_text(filters: AlertFilters) -> str:
    """« ≥ 1 800 €/mois, sans « nuit », télétravail » (escaped HTML)."""
    parts: list[str] = []
    if filters.min_salary is not None:
        parts.append(
            st.SUMMARY_SALARY.format(amount=f"{filters.min_salary:,}".replace(",", "\u202f"))
        )
        if not filters.keep_unsalaried:
            parts.append(st.SUMMARY_UNSALARIED)
    if filters.excluded_words:
        words = ", ".join(escape(truncate(w, 40)) for w in filters.excluded_words[:5])
        more = " …" if len(filters.excluded_words) > 5 else ""
        parts.append(st.SUMMARY_WORDS.format(words=words + more))
    if filters.excluded_companies:
        names = ", ".join(escape(truncate(c, 40)) for c in filters.excluded_companies[:3])
        more = " …" if len(filters.excluded_companies) > 3 else ""
        parts.append(st.SUMMARY_COMPANIES.format(companies=names + more))
    if filters.remote_only:
        parts.append(st.SUMMARY_REMOTE)
    if filters.beginners_only:
        parts.append(st.SUMMARY_BEGINNERS)
    if filters.working_time == "temps_plein":
        parts.append(st.FILTER_FULL_TIME.lower())
    elif filters.working_time == "temps_partiel":
        parts.append(st.FILTER_PART_TIME.lower())
    if filters.contract_types:
        # « / » inside a part: the parts themselves are separated by commas.
        contracts = " / ".join(CONTRACT_SHORT_LABELS.get(c, c) for c in filters.contract_types)
        parts.append(st.SUMMARY_CONTRACTS.format(contracts=escape(contracts)))
    if filters.licences_held:
        parts.append(st.SUMMARY_LICENCES.format(licences=escape(" / ".join(filters.licences_held))))
    return ", ".join(parts) if parts else st.FILTERS_NONE


def alert_block(alert: SavedAlert, today: date) -> str:
    state = state_text(alert.schedule.enabled, alert.schedule.paused_until, today)
    lines = [
        st.ALERT_LINE.format(
            number=alert.alert_no,
            label=escape(truncate(alert.label, 60)),
            state=state,
            criteria=escape(criteria_of(alert).summary()),
            schedule=schedule_text(alert.schedule),
        )
    ]
    if alert.filters.active:
        lines.append(st.ALERT_FILTERS_LINE.format(filters=filters_text(alert.filters)))
    return "\n".join(lines)


def list_section(
    alerts: Sequence[SavedAlert],
    profile_filters: AlertFilters,
    profile_paused: date | None,
    effects: Sequence[Effect],
    today: date,
) -> str:
    """What /alertes adds under the profile alert's card."""
    parts: list[str] = []
    if profile_filters.active:
        parts.append(st.ALERT_FILTERS_LINE.format(filters=filters_text(profile_filters)))
    if profile_paused is not None and profile_paused >= today:
        parts.append(st.STATE_PAUSED.format(date=format_date_fr(profile_paused)).capitalize())
    parts.append(st.LIST_TITLE.format(count=len(alerts) + 1, limit=MAX_ALERTS))
    parts.extend(alert_block(alert, today) for alert in alerts)
    if not alerts:
        parts.append(st.NO_SAVED_ALERT_HINT)
    if effects:
        parts.append(st.EFFECTS_TITLE)
        parts.extend(f"• {effect_text(e)}" for e in effects[:MAX_EFFECTS_SHOWN])
    return "\n\n".join(parts)


def list_buttons(
    alerts: Sequence[SavedAlert], effects: Sequence[Effect]
) -> list[list[InlineKeyboardButton]]:
    rows = [
        [
            button(st.FILTERS_BUTTON, ACTION_ALERT, PROFILE_ALERT, "filt"),
            button(st.PAUSE_BUTTON, ACTION_ALERT, PROFILE_ALERT, "pause"),
        ]
    ]
    rows.extend(
        [
            button(
                st.MANAGE_BUTTON.format(number=a.alert_no, label=truncate(a.label, 30)),
                ACTION_ALERT,
                a.alert_no,
                "open",
            )
        ]
        for a in alerts
    )
    rows.extend(
        [button(st.UNDO_BUTTON.format(effect=_plain_effect(e)), ACTION_UNDO, e.offer_id)]
        for e in effects[:MAX_EFFECTS_SHOWN]
    )
    return rows


def _plain_effect(effect: Effect) -> str:
    """Button labels are plain text: the effect without HTML entities, cut short."""
    return truncate(html.unescape(effect_text(effect)), 40)


def alert_card(alert: SavedAlert, today: date) -> tuple[str, InlineKeyboardMarkup]:
    text = "\n".join([st.CARD_TITLE.format(label=escape(alert.label)), alert_block(alert, today)])
    s = alert.schedule
    no = alert.alert_no
    toggle = (
        button(st.TURN_OFF_BUTTON, ACTION_ALERT, no, "off")
        if s.enabled
        else button(st.TURN_ON_BUTTON, ACTION_ALERT, no, "on")
    )
    paused = s.paused_until is not None and s.paused_until >= today
    pause = (
        button(st.RESUME_BUTTON, ACTION_ALERT, no, "resume")
        if paused
        else button(st.PAUSE_BUTTON, ACTION_ALERT, no, "pause")
    )
    rows = [
        [toggle, button(st.FREQUENCY_BUTTON, ACTION_ALERT, no, "freq")],
        [button(st.FILTERS_BUTTON, ACTION_ALERT, no, "filt"), pause],
        [button(st.DELETE_BUTTON, ACTION_ALERT, no, "del")],
        [button(st.BACK_BUTTON, ACTION_ALERT, no, "back")],
    ]
    return text, InlineKeyboardMarkup(rows)


def frequency_keyboard(alert_no: int) -> InlineKeyboardMarkup:
    weekly = [
        button(st.WEEKLY_BUTTON.format(day=name), ACTION_FREQUENCY, alert_no, f"w{index}")
        for index, name in enumerate(DAY_NAMES_FR)
    ]
    return InlineKeyboardMarkup(
        [
            [
                button(st.DAILY_BUTTON, ACTION_FREQUENCY, alert_no, "daily"),
                button(st.WEEKDAYS_BUTTON, ACTION_FREQUENCY, alert_no, "weekdays"),
            ],
            weekly[:4],
            weekly[4:],
            [button(st.QUIET_BUTTON, ACTION_QUIET, alert_no, "open")],
            [button(st.BACK_TO_ALERT_BUTTON, ACTION_ALERT, alert_no, "open")],
        ]
    )


def pause_keyboard(alert_no: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(f"{days} jours", ACTION_PAUSE, alert_no, days) for days in PAUSE_CHOICES]]
    )


def filters_card(
    label: str, alert_no: int, filters: AlertFilters
) -> tuple[str, InlineKeyboardMarkup]:
    text = "\n".join(
        [st.FILTERS_TITLE.format(label=escape(truncate(label, 60))), filters_text(filters)]
    )

    unsalaried = st.FILTER_UNSALARIED_KEEP if filters.keep_unsalaried else st.FILTER_UNSALARIED_DROP
    rows = [
        [button(st.FILTER_SALARY_BUTTON, ACTION_FILTER, alert_no, "salary")],
        [button(unsalaried, ACTION_FILTER, alert_no, "unsal")],
        [
            button(st.FILTER_WORDS_BUTTON, ACTION_FILTER, alert_no, "words"),
            button(st.FILTER_COMPANIES_BUTTON, ACTION_FILTER, alert_no, "comp"),
        ],
        [
            button(st.FILTER_CONTRACTS_BUTTON, ACTION_CONTRACTS, alert_no, "open"),
            button(st.FILTER_LICENCES_BUTTON, ACTION_LICENCES, alert_no, "open"),
        ],
        [button(_ticked(filters.remote_only, st.FILTER_REMOTE), ACTION_FILTER, alert_no, "remote")],
        [
            button(
                _ticked(filters.beginners_only, st.FILTER_BEGINNERS),
                ACTION_FILTER,
                alert_no,
                "begin",
            )
        ],
        [
            button(
                _ticked(filters.working_time == "temps_plein", st.FILTER_FULL_TIME),
                ACTION_FILTER,
                alert_no,
                "full",
            ),
            button(
                _ticked(filters.working_time == "temps_partiel", st.FILTER_PART_TIME),
                ACTION_FILTER,
                alert_no,
                "part",
            ),
        ],
        [button(st.BACK_BUTTON, ACTION_ALERT, alert_no, "back")],
    ]
    return text, InlineKeyboardMarkup(rows)


def _ticked(on: bool, label: str) -> str:
    return f"✅ {label}" if on else label


def contracts_card(
    label: str, alert_no: int, filters: AlertFilters
) -> tuple[str, InlineKeyboardMarkup]:
    """Contract types to keep: one toggle per type, « Tous les contrats » clears them."""
    chosen = filters.contract_types
    now = (
        st.CONTRACTS_NOW.format(contracts=escape(", ".join(contract_label(c) for c in chosen)))
        if chosen
        else st.CONTRACTS_ALL
    )
    title = st.CONTRACTS_TITLE.format(label=escape(truncate(label, 60)))
    toggles = [
        button(_ticked(code in chosen, contract_label(code)), ACTION_CONTRACTS, alert_no, code)
        for code in CONTRACT_CHOICES
    ]
    rows = [toggles[i : i + 2] for i in range(0, len(toggles), 2)]
    rows.append(
        [button(_ticked(not chosen, st.CONTRACTS_ANY_BUTTON), ACTION_CONTRACTS, alert_no, "any")]
    )
    rows.append([button(st.BACK_TO_FILTERS_BUTTON, ACTION_ALERT, alert_no, "filt")])
    return "\n".join([title, st.CONTRACTS_HELP, now]), InlineKeyboardMarkup(rows)


def licences_card(
    label: str, alert_no: int, filters: AlertFilters
) -> tuple[str, InlineKeyboardMarkup]:
    """Driving licences held: one toggle per category, « Ne pas filtrer » clears them."""
    held = filters.licences_held
    now = st.LICENCES_NOW.format(licences=escape(", ".join(held))) if held else st.LICENCES_ALL
    title = st.LICENCES_TITLE.format(label=escape(truncate(label, 60)))
    rows = [
        [button(_ticked(code in held, code), ACTION_LICENCES, alert_no, code) for code in row]
        for row in LICENCE_ROWS
    ]
    rows.append(
        [button(_ticked(not held, st.LICENCES_NONE_BUTTON), ACTION_LICENCES, alert_no, "any")]
    )
    rows.append([button(st.BACK_TO_FILTERS_BUTTON, ACTION_ALERT, alert_no, "filt")])
    return "\n".join([title, st.LICENCES_HELP, now]), InlineKeyboardMarkup(rows)


def quiet_days_card(alert: SavedAlert) -> tuple[str, InlineKeyboardMarkup]:
    """The days of the alert's frequency, each 🔕 (quiet) or ✅ (sent), to toggle."""
    schedule, no = alert.schedule, alert.alert_no
    title = st.QUIET_TITLE.format(label=escape(truncate(alert.label, 60)))
    toggles = [
        button(
            f"{'🔕' if day in schedule.quiet_days else '✅'} {DAY_NAMES_FR[day]}",
            ACTION_QUIET,
            no,
            f"d{day}",
        )
        for day in base_days(schedule.frequency, schedule.weekday)
    ]
    rows = [toggles[i : i + 4] for i in range(0, len(toggles), 4)]
    if effective_quiet_days(schedule):
        rows.append([button(st.QUIET_NONE_BUTTON, ACTION_QUIET, no, "none")])
    rows.append([button(st.BACK_TO_ALERT_BUTTON, ACTION_ALERT, no, "open")])
    text = "\n".join([title, schedule_text(schedule), st.QUIET_HELP])
    return text, InlineKeyboardMarkup(rows)
