"""/alertes, an alert's filters (issue 15): the filters card's toggles and typed answers (salary,
words, companies), and the contract-type and driving-licence screens.

The same code serves a saved alert and the profile's own alert (number 0). Typed answers use
the bot's one pending-question mechanism (``bot.handlers.match.set_awaiting``: persisted,
expires after 15 minutes); the question kinds are the ``AWAIT_*`` constants and carry the alert
number. Buttons carry the alert number and a code; the number is looked up among the presser's
own alerts, and a code that is not one the screen offers (forged button) is refused with a
French answer, nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks
from bot import saved_alert_cards as sc
from bot.handlers.alert_screens_common import (
    change_filters,
    current_filters,
    own_alert,
    with_filters,
)
from bot.handlers.common import Context, answer_query, edit_or_reply, reply_html
from bot.handlers.match import AwaitingTextHandler, clear_awaiting, get_awaiting, set_awaiting
from bot.render import escape
from bot.texts import saved_alerts as st
from ft_client.alert_filters import (
    MAX_WORD_CHARS,
    MAX_WORDS,
    AlertFilters,
    FilterInputError,
    parse_min_salary,
    parse_word_list,
)

AWAIT_SALARY: Final = "alert_salary"
AWAIT_WORDS: Final = "alert_words"
AWAIT_COMPANIES: Final = "alert_companies"

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
_Card = Callable[[str, int, AlertFilters], tuple[str, InlineKeyboardMarkup]]


async def show_filters(update: Update, context: Context, alert_no: int) -> None:
    """The filters card of the presser's alert ``alert_no`` (0: the profile alert's)."""
    found = await current_filters(update, context, alert_no)
    if found is None:
        return
    await answer_query(update)
    text, markup = sc.filters_card(found[0], alert_no, found[1])
    await edit_or_reply(update, context, text, markup)


async def filter_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    user = update.effective_user
    if data is None or user is None:
        return
    alert_no, op = int(data.args[0]), data.args[1]
    if op in _QUESTIONS:
        if alert_no != sc.PROFILE_ALERT and await own_alert(update, context, alert_no) is None:
            return
        kind, question = _QUESTIONS[op]
        await answer_query(update)
        set_awaiting(context, kind, alert=str(alert_no))
        await reply_html(update, context, question)
        return
    toggle = _TOGGLES[op]
    changed = await change_filters(
        update, context, alert_no, lambda f: with_filters(f, **toggle(f))
    )
    if changed is None:
        return
    await answer_query(update)
    text, markup = sc.filters_card(changed[0], alert_no, changed[1])
    await edit_or_reply(update, context, text, markup)


# ------------------------------------------------------------------ typed answers


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
    changed = await change_filters(update, context, alert_no, lambda f: with_filters(f, **values))
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


# ------------------------------------------------------------------ contracts, licences


def _toggled(values: tuple[str, ...], code: str, order: tuple[str, ...]) -> tuple[str, ...]:
    """``values`` with ``code`` added or removed, in the screen's order."""
    chosen = set(values) ^ {code}
    return tuple(c for c in order if c in chosen)


async def _code_screen(
    update: Update,
    context: Context,
    *,
    field: str,
    choices: tuple[str, ...],
    card: _Card,
    unknown: str,
) -> None:
    """One toggle screen over a tuple field of the filters: « open » shows it, « any » empties
    the field, a code of ``choices`` is toggled, anything else is refused with ``unknown``."""
    data = callbacks.from_update(update)
    if data is None or update.effective_user is None:
        return
    alert_no, op = int(data.args[0]), data.args[1]
    if op != "open" and op != "any" and op not in choices:
        await answer_query(update, unknown, alert=True)
        return
    if op == "open":
        found = await current_filters(update, context, alert_no)
    else:

        def change(filters: AlertFilters) -> AlertFilters:
            current: tuple[str, ...] = getattr(filters, field)
            return with_filters(
                filters, **{field: () if op == "any" else _toggled(current, op, choices)}
            )

        found = await change_filters(update, context, alert_no, change)
    if found is None:
        return
    await answer_query(update)
    text, markup = card(found[0], alert_no, found[1])
    await edit_or_reply(update, context, text, markup)


async def contracts_button(update: Update, context: Context) -> None:
    """« 📄 Contrats »: the contract types an alert keeps (empty: every type)."""
    await _code_screen(
        update,
        context,
        field="contract_types",
        choices=sc.CONTRACT_CHOICES,
        card=sc.contracts_card,
        unknown=st.UNKNOWN_CONTRACT,
    )


async def licences_button(update: Update, context: Context) -> None:
    """« 🚗 Permis »: the driving licences held (offers requiring another are dropped)."""
    await _code_screen(
        update,
        context,
        field="licences_held",
        choices=sc.LICENCE_CHOICES,
        card=sc.licences_card,
        unknown=st.UNKNOWN_LICENCE,
    )


def register(application: Application) -> None:
    for action, callback in (
        (sc.ACTION_FILTER, filter_button),
        (sc.ACTION_CONTRACTS, contracts_button),
        (sc.ACTION_LICENCES, licences_button),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=callbacks.pattern(action)))
    for kind, callback in (
        (AWAIT_SALARY, typed_salary),
        (AWAIT_WORDS, typed_words),
        (AWAIT_COMPANIES, typed_companies),
    ):
        application.add_handler(AwaitingTextHandler(kind, callback, application))
