"""Compact, versioned and validated callback data for inline buttons.

Format: ``v1|<action>|<arg>|<arg>…`` (at most 64 bytes, Telegram's limit). Every action is
declared with the exact shape of its arguments; `decode` returns None for anything else
(forged, stale from an older version, truncated), and the fallback handler registered last
answers "Ce bouton n'est plus valable" for such buttons.

Modules declare their actions at import time with `register_action("fav", OFFER_ID)`, build
buttons with `encode("fav", offer.id)` and route with
`CallbackQueryHandler(callback, pattern=pattern("fav"))`.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot import texts

logger = logging.getLogger(__name__)

VERSION = "v1"
SEPARATOR = "|"
MAX_BYTES = 64

# Argument shapes (full-match regular expressions).
OFFER_ID = r"[0-9A-Za-z]{1,15}"
ROME_CODE = r"[A-N]\d{4}"
INSEE_CODE = r"(?:\d[0-9AB]|2[AB])\d{3}"
INT = r"\d{1,6}"
SIGNED_INT = r"-?\d{1,6}"
WORD = r"[a-z0-9_]{1,16}"
HHMM = r"(?:[01]\d|2[0-3])[0-5]\d"
CONTRACT_TYPE = r"[A-Z]{2,4}"  # France Travail contract type code (CDI, MIS…)
KEY = r"[0-9A-Za-z_-]{1,24}"  # short opaque keys (search sessions)

_ACTION_RE = re.compile(r"^[a-z][a-z0-9_]{0,11}$")


@dataclass(frozen=True)
class CallbackData:
    action: str
    args: tuple[str, ...] = ()

    def arg(self, index: int, default: str | None = None) -> str | None:
        return self.args[index] if 0 <= index < len(self.args) else default


_ACTIONS: dict[str, tuple[re.Pattern[str], ...]] = {}


def register_action(action: str, *arg_patterns: str) -> None:
    """Declare an action and the exact shape of each of its arguments.

    Re-declaring the same action with the same shapes is fine (module reloads); a different
    shape is a programming error.
    """
    if not _ACTION_RE.match(action):
        raise ValueError(f"invalid callback action name {action!r}")
    compiled = tuple(re.compile(f"^(?:{p})$") for p in arg_patterns)
    existing = _ACTIONS.get(action)
    if existing is not None and [p.pattern for p in existing] != [p.pattern for p in compiled]:
        raise ValueError(f"callback action {action!r} already registered with other arguments")
    _ACTIONS[action] = compiled


def is_registered(action: str) -> bool:
    return action in _ACTIONS


def encode(action: str, *args: object) -> str:
    """`encode("fav", "193XKZP")` -> "v1|fav|193XKZP"; ValueError on a bad action/argument."""
    patterns = _ACTIONS.get(action)
    if patterns is None:
        raise ValueError(f"unknown callback action {action!r}")
    values = tuple(str(a) for a in args)
    if len(values) != len(patterns):
        raise ValueError(f"callback action {action!r} takes {len(patterns)} argument(s)")
    for value, pattern in zip(values, patterns, strict=True):
        if not pattern.match(value):
            raise ValueError(f"invalid argument {value!r} for callback action {action!r}")
    data = SEPARATOR.join((VERSION, action, *values))
    size = len(data.encode("utf-8"))
    assert size <= MAX_BYTES, f"callback data is {size} bytes > {MAX_BYTES}: {data!r}"
    return data


def decode(data: object) -> CallbackData | None:
    """Parse and validate callback data; None for anything not produced by `encode`."""
    if not isinstance(data, str) or not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    parts = data.split(SEPARATOR)
    if len(parts) < 2 or parts[0] != VERSION:
        return None
    action, args = parts[1], tuple(parts[2:])
    patterns = _ACTIONS.get(action)
    if patterns is None or len(args) != len(patterns):
        return None
    for value, pattern in zip(args, patterns, strict=True):
        if not pattern.match(value):
            return None
    return CallbackData(action, args)


def pattern(*actions: str) -> Callable[[object], bool]:
    """A `CallbackQueryHandler(pattern=...)` accepting only valid data for these actions."""
    unknown = [a for a in actions if a not in _ACTIONS]
    if unknown:
        raise ValueError(f"unknown callback action(s) {unknown!r}: register them first")
    wanted = frozenset(actions)

    def matches(data: object) -> bool:
        decoded = decode(data)
        return decoded is not None and decoded.action in wanted

    return matches


def from_update(update: Update) -> CallbackData | None:
    query = update.callback_query
    return decode(query.data) if query is not None else None


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Fallback for any button no handler took: forged, stale or from a finished conversation."""
    query = update.callback_query
    if query is None:
        return
    logger.info("stale or invalid callback data in update %s", update.update_id)
    # A query too old to answer raises BadRequest: nothing more to do then.
    with contextlib.suppress(BadRequest):
        await query.answer(texts.common.STALE_BUTTON, show_alert=True)


def register(application: Application) -> None:
    """Registered LAST in group 0 so that only otherwise unhandled buttons reach it."""
    application.add_handler(CallbackQueryHandler(stale_button))


# Actions shared across modules (others register their own at import time).
register_action("noop")  # purely informative buttons (page counters…)
# Onboarding (bot/handlers/onboarding/) and profile (bot/handlers/profile.py).
register_action("ob", WORD)  # onboarding choice: keep, restart, done, confirm, edit, …
register_action("obj", ROME_CODE)  # onboarding: add this job
register_action("obs", INT)  # onboarding: toggle proposed skill number n
register_action("obp", INSEE_CODE)  # onboarding: pick this place
register_action("obr", INT)  # onboarding: radius km
register_action("obt", HHMM)  # onboarding: alert time
register_action("obe", WORD)  # onboarding summary: edit this part of the draft
register_action("pf", WORD)  # /profil: edit this part of the saved profile
register_action("pfc", CONTRACT_TYPE)  # /profil: toggle a contract type
# Commands (bot/handlers/*): declared here so that every module sees one registry.
register_action("fav", OFFER_ID)  # save an offer
register_action("unfav", OFFER_ID)  # remove a favourite
register_action("offer", OFFER_ID)  # open the offer card
register_action("match", ROME_CODE)  # /match this job
register_action("page", KEY, INT)  # paging: search key, page number
