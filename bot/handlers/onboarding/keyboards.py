"""Keyboards of the onboarding steps, and the choices their buttons offer.

Callback data: ``ob|<choice>`` (welcome, done, clear, confirm, edit, back, alerts off),
``obj|<rome code>``, ``obs|<proposed skill index>``, ``obp|<insee code>``, ``obr|<km>``,
``obt|<HHMM>``, ``obe|<part>`` (summary) and ``pf|<part>`` (/profil), ``pfc|<contract type>``.
The step handlers validate the same choices (`RADII`, `CONTRACT_TYPES`).
"""

from __future__ import annotations

from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot import texts
from bot.callbacks import INT, ROME_CODE, encode, register_action
from bot.render import button_text

T = texts.onboarding
F = texts.profile_fields

# /profil: list the jobs or skills to remove one (pfl), remove this job (pfrj), remove skill
# number n whose text has this checksum (pfrs: an index alone could hit another skill once the
# list changed).
register_action("pfl", "jobs|skills")
register_action("pfrj", ROME_CODE)
register_action("pfrs", INT, r"[0-9a-f]{8}")

RADII = (5, 10, 20, 50, 100)
ALERT_TIMES = ("07:00", "08:00", "12:00", "18:00")
CONTRACT_TYPES = ("CDI", "CDD", "MIS", "SAI", "LIB")


def inline_keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Rows of (button text, callback data) pairs as an inline keyboard."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button_text(t), callback_data=d) for t, d in row] for row in rows]
    )


def done_button() -> list[tuple[str, str]]:
    return [(T.BTN_DONE, encode("ob", "done"))]


def done_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([done_button()])


def welcome_keyboard() -> InlineKeyboardMarkup:
    """/start with a saved profile: keep it or start again."""
    return inline_keyboard(
        [[(T.BTN_KEEP, encode("ob", "keep")), (T.BTN_RESTART, encode("ob", "restart"))]]
    )


def chosen_jobs_keyboard() -> InlineKeyboardMarkup:
    """The jobs question when some jobs are already chosen: done, or clear them."""
    return inline_keyboard([[*done_button(), ("Tout effacer", encode("ob", "clear_jobs"))]])


def jobs_keyboard(hits: list[tuple[str, str]], draft: dict[str, Any]) -> InlineKeyboardMarkup:
    rows = [[(f"{label} ({code})", encode("obj", code))] for code, label in hits]
    if draft["jobs"]:
        rows.append(done_button())
    return inline_keyboard(rows)


def skills_keyboard(draft: dict[str, Any]) -> InlineKeyboardMarkup:
    chosen = {s.casefold() for s in draft["skills"]}
    rows = []
    for index, label in enumerate(draft["proposed"]):
        mark = "✅ " if label.casefold() in chosen else "➕ "
        rows.append([(mark + label, encode("obs", index))])
    last = done_button()
    if draft["skills"]:
        last.append(("Tout effacer", encode("ob", "clear_skills")))
    rows.append(last)
    return inline_keyboard(rows)


def location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(T.BTN_SHARE_LOCATION, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder="Ville ou code postal",
    )


def places_keyboard(places: list[Any]) -> InlineKeyboardMarkup:
    """One button per place matching the typed town, when none is obviously meant, and
    "Aucune, je retape"."""
    return inline_keyboard(
        [
            *[[(p.display_label, encode("obp", p.insee_code))] for p in places],
            [(T.BTN_PLACE_NONE, encode("ob", "retype_place"))],
        ]
    )


def radius_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([[(f"{km} km", encode("obr", km)) for km in RADII]])


def alerts_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard(
        [
            [(t, encode("obt", t.replace(":", ""))) for t in ALERT_TIMES],
            [(T.BTN_ALERTS_OFF, encode("ob", "alerts_off"))],
        ]
    )


def contracts_keyboard(draft: dict[str, Any]) -> InlineKeyboardMarkup:
    chosen = set(draft["contracts"])
    rows = [
        [(("✅ " if code in chosen else "➕ ") + T.CONTRACT_LABELS[code], encode("pfc", code))]
        for code in CONTRACT_TYPES
    ]
    rows.append(done_button())
    return inline_keyboard(rows)


def summary_keyboard() -> InlineKeyboardMarkup:
    """Confirm, modify, or fill in the optional "Permis et expérience" step (skippable)."""
    return inline_keyboard(
        [
            [(T.BTN_CONFIRM, encode("ob", "confirm")), (T.BTN_EDIT, encode("ob", "edit"))],
            [(F.BTN_EXTRAS, encode("ob", "extras"))],
        ]
    )


def edit_keyboard(action: str = "obe") -> InlineKeyboardMarkup:
    """Buttons to edit each part: "pf" from /profil (saved profile), "obe" from the summary."""
    back = [[(T.BTN_BACK, encode("ob", "back"))]] if action == "obe" else []
    # /profil only: remove one job or one skill of the saved profile (bot.handlers.profile).
    remove = (
        [[(F.REMOVE_JOB, encode("pfl", "jobs")), (F.REMOVE_SKILL, encode("pfl", "skills"))]]
        if action == "pf"
        else []
    )
    return inline_keyboard(
        [
            [
                (T.PROFILE_EDIT_JOBS, encode(action, "jobs")),
                (T.PROFILE_EDIT_SKILLS, encode(action, "skills")),
            ],
            [
                (T.PROFILE_EDIT_PLACE, encode(action, "place")),
                (T.PROFILE_EDIT_RADIUS, encode(action, "radius")),
            ],
            [
                (T.PROFILE_EDIT_CONTRACTS, encode(action, "contracts")),
                (T.PROFILE_EDIT_ALERTS, encode(action, "alerts")),
            ],
            [
                (F.EDIT_LICENCES, encode(action, "licences")),
                (F.EDIT_LANGUAGES, encode(action, "languages")),
                (F.EDIT_EXPERIENCE, encode(action, "experience")),
            ],
            [
                (F.EDIT_WORKING_TIME, encode(action, "worktime")),
                (F.EDIT_REMOTE, encode(action, "remote")),
            ],
            *remove,
            *back,
        ]
    )
