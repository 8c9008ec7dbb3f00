"""The optional profile fields (issue 14 item 5): driving licences, languages, experience,
working time and remote work.

Onboarding offers them once, as one skippable step "Permis et expérience" reached from the
summary (``ob|extras``); /profil and the summary's "Modifier" edit each one alone
(``pf|<part>`` / ``obe|<part>``). Buttons: ``obl|<licence>`` and ``obg|<language index>``
toggle, ``obx|<level>``, ``obw|<time>``, ``obm|<remote>`` choose, ``ob|done`` goes back to the
summary. Every value is checked again against the fixed lists of `storage.models`.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot import callbacks, texts
from bot.handlers.common import Context, answer_query, edit_or_reply, reply_html
from bot.handlers.onboarding.draft import get_draft
from bot.handlers.onboarding.keyboards import done_button, inline_keyboard
from bot.handlers.onboarding.prompts import show_summary
from bot.handlers.onboarding.states import FIELDS
from storage.models import DRIVING_LICENCES, EXPERIENCE_LEVELS, LANGUAGES, WORKING_TIMES

F = texts.profile_fields

# Button argument → stored value ("-" and "+" are not allowed in callback words).
EXPERIENCE_KEYS = {"deb": "debutant", "1a2": "1-2ans", "3plus": "3ans+"}
WORKING_TIME_KEYS = {"plein": "temps_plein", "partiel": "temps_partiel", "indif": None}
REMOTE_KEYS = {"oui": True, "non": False, "indif": None}
assert set(EXPERIENCE_KEYS.values()) == set(EXPERIENCE_LEVELS)
assert set(WORKING_TIME_KEYS.values()) - {None} == set(WORKING_TIMES)

callbacks.register_action("obl", "|".join(sorted(DRIVING_LICENCES, key=len, reverse=True)))
callbacks.register_action("obg", r"\d{1,2}")
callbacks.register_action("obx", "|".join(EXPERIENCE_KEYS))
callbacks.register_action("obw", "|".join(WORKING_TIME_KEYS))
callbacks.register_action("obm", "|".join(REMOTE_KEYS))
FIELD_ACTIONS = ("obl", "obg", "obx", "obw", "obm")

# What each part shows; "extras" is the onboarding step (licences and experience together).
PARTS = ("extras", "licences", "languages", "experience", "worktime", "remote")


def _mark(chosen: bool) -> str:
    return "✅ " if chosen else "➕ "


def _licence_rows(draft: dict[str, Any]) -> list[list[tuple[str, str]]]:
    held = set(draft["licences"])
    # Held licences outside the common buttons stay visible, so they can be unticked.
    codes = [*F.LICENCE_BUTTONS, *(c for c in DRIVING_LICENCES if c in held)]
    codes = list(dict.fromkeys(codes))
    buttons = [(_mark(c in held) + c, callbacks.encode("obl", c)) for c in codes]
    return [buttons[i : i + 4] for i in range(0, len(buttons), 4)]


def _experience_row(draft: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (("🔘 " if draft["experience"] == level else "") + F.EXPERIENCE_LABELS[level],
         callbacks.encode("obx", key))
        for key, level in EXPERIENCE_KEYS.items()
    ]  # fmt: skip


def fields_keyboard(part: str, draft: dict[str, Any]) -> InlineKeyboardMarkup:
    if part == "extras":
        rows = [*_licence_rows(draft), _experience_row(draft), [(F.BTN_SKIP, _done())]]
        if draft["licences"] or draft["experience"]:
            rows[-1] = done_button()
        return inline_keyboard(rows)
    if part == "licences":
        return inline_keyboard([*_licence_rows(draft), done_button()])
    if part == "languages":
        chosen = set(draft["languages"])
        buttons = [
            (_mark(name in chosen) + name, callbacks.encode("obg", i))
            for i, name in enumerate(LANGUAGES)
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        return inline_keyboard([*rows, done_button()])
    if part == "experience":
        return inline_keyboard([_experience_row(draft)])
    if part == "worktime":
        return inline_keyboard(
            [[(F.WORKING_TIME_LABELS.get(v or "", F.INDIFFERENT), callbacks.encode("obw", k))
              for k, v in WORKING_TIME_KEYS.items()]]
        )  # fmt: skip
    return inline_keyboard(
        [[(F.REMOTE_LABELS[v] if v is not None else F.INDIFFERENT, callbacks.encode("obm", k))
          for k, v in REMOTE_KEYS.items()]]
    )  # fmt: skip


def _done() -> str:
    return callbacks.encode("ob", "done")


QUESTIONS = {
    "extras": F.ASK_EXTRAS,
    "licences": F.ASK_LICENCES,
    "languages": F.ASK_LANGUAGES,
    "experience": F.ASK_EXPERIENCE,
    "worktime": F.ASK_WORKING_TIME,
    "remote": F.ASK_REMOTE,
}


async def ask_field(update: Update, context: Context, part: str) -> str:
    draft = get_draft(context)
    draft["step"] = FIELDS
    draft["field_part"] = part
    await reply_html(update, context, QUESTIONS[part], fields_keyboard(part, draft))
    return FIELDS


async def open_extras(update: Update, context: Context) -> str:
    """Summary button "➕ Permis et expérience": the optional onboarding step."""
    await answer_query(update)
    return await ask_field(update, context, "extras")


def _valid(action: str, value: str) -> bool:
    """The callback patterns already refuse forged values; checked again where it matters."""
    if action == "obl":
        return value in DRIVING_LICENCES
    if action == "obg":
        return value.isdigit() and int(value) < len(LANGUAGES)
    keys: dict[str, Any] = {"obx": EXPERIENCE_KEYS, "obw": WORKING_TIME_KEYS, "obm": REMOTE_KEYS}
    return value in keys.get(action, {})


async def _refresh(update: Update, context: Context) -> str:
    await answer_query(update)
    draft = get_draft(context)
    part = draft.get("field_part", "extras")
    await edit_or_reply(update, context, QUESTIONS[part], fields_keyboard(part, draft))
    return FIELDS


async def field_button(update: Update, context: Context) -> str:
    """Any field button: toggle a licence or language, or choose a level, time or remote."""
    data = callbacks.from_update(update)
    draft = get_draft(context)
    part = draft.get("field_part")
    if data is None or part not in PARTS or not _valid(data.action, data.args[0]):
        await answer_query(update, texts.common.STALE_BUTTON, alert=True)
        return FIELDS
    action, value = data.action, data.args[0]
    if action == "obl":
        held = set(draft["licences"]) ^ {value}
        draft["licences"] = [c for c in DRIVING_LICENCES if c in held]
        return await _refresh(update, context)
    if action == "obg":
        chosen = set(draft["languages"]) ^ {LANGUAGES[int(value)]}
        draft["languages"] = [name for name in LANGUAGES if name in chosen]
        return await _refresh(update, context)
    if action == "obx":
        draft["experience"] = EXPERIENCE_KEYS[value]
        if part == "extras":  # licences may still be ticked on the same message
            return await _refresh(update, context)
    elif action == "obw":
        draft["working_time"] = WORKING_TIME_KEYS[value]
    else:
        draft["remote"] = REMOTE_KEYS[value]
    return await fields_done(update, context)


async def fields_done(update: Update, context: Context) -> str:
    await answer_query(update)
    get_draft(context).pop("field_part", None)
    return await show_summary(update, context)
