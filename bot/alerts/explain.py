"""Why a one-user alert run (« Tester maintenant », /demo_alerte) sent nothing, in French, and
the buttons that widen the search.

Pure: from the run's `UserOutcome` and the profile to a text and a keyboard. The three empty
cases are told apart truthfully: nothing published in the window for these criteria, everything
already sent before, or nothing fit enough (possibly alongside some already sent).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.render import escape, format_weekday_date_fr
from bot.texts import alerts as t
from bot.texts import common as common_texts

if TYPE_CHECKING:
    from bot.alerts.cycle import UserOutcome
    from storage import Profile

ACTION_ALERT_TEST = "alx"  # now
ACTION_ALERT_WIDEN = "alw"  # <km> | fr
WIDEN_RADIUS_KM = 50
callbacks.register_action(ACTION_ALERT_TEST, r"now")
callbacks.register_action(ACTION_ALERT_WIDEN, r"50|fr")


def test_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t.ALERT_TEST_BUTTON, callback_data=callbacks.encode(ACTION_ALERT_TEST, "now")
    )


def since_label(start: datetime, tz: ZoneInfo) -> str:
    """'mardi 25 novembre à 08:00' (the window start, in the alert time zone)."""
    local = start.astimezone(tz)
    return f"{format_weekday_date_fr(local.date())} à {local:%H:%M}"


def criteria_label(profile: Profile) -> str:
    """'Développeur web · Paris (10 km) · CDI': what the alert asks France Travail."""
    jobs = ", ".join(job.label for job in profile.target_jobs)
    if profile.place_code:
        place = t.ALERT_TEST_RADIUS.format(
            place=profile.place_label or profile.place_code, km=profile.radius_km
        )
    else:
        place = t.ALERT_TEST_NO_PLACE
    contracts = ", ".join(profile.contract_types) or t.ALERT_TEST_ALL_CONTRACTS
    return escape(" · ".join((jobs, place, contracts)))


def widen_keyboard(profile: Profile) -> InlineKeyboardMarkup | None:
    """« Élargir à 50 km » while the radius is smaller, « Toute la France » while there is a
    place; None when the place cannot be widened (then the text points to /profil)."""
    row: list[InlineKeyboardButton] = []
    if profile.place_code and profile.radius_km < WIDEN_RADIUS_KM:
        row.append(
            InlineKeyboardButton(
                t.ALERT_TEST_WIDEN_RADIUS.format(km=WIDEN_RADIUS_KM),
                callback_data=callbacks.encode(ACTION_ALERT_WIDEN, str(WIDEN_RADIUS_KM)),
            )
        )
    if profile.place_code:
        row.append(
            InlineKeyboardButton(
                t.ALERT_TEST_WIDEN_FRANCE, callback_data=callbacks.encode(ACTION_ALERT_WIDEN, "fr")
            )
        )
    return InlineKeyboardMarkup([row]) if row else None


def explain(
    outcome: UserOutcome | None, profile: Profile, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The answer to a one-user run that sent nothing: why, and how to widen. (A run that
    sent a digest needs no answer: the digest is one.)"""
    if outcome is None or outcome.skipped:
        return t.ALERT_TEST_NEED_JOB, None
    if outcome.failed:
        return common_texts.FT_UNAVAILABLE, None
    since = since_label(outcome.window_start, tz) if outcome.window_start else "?"
    criteria = criteria_label(profile)
    unsent = outcome.fetched - outcome.already_sent
    if outcome.fetched == 0:
        text = t.ALERT_TEST_NOTHING_NEW.format(since=since, criteria=criteria)
    elif unsent == 0:
        template = t.ALERT_TEST_ONE_SENT if outcome.already_sent == 1 else t.ALERT_TEST_ALL_SENT
        text = template.format(count=outcome.already_sent, since=since, criteria=criteria)
    else:
        text = t.ALERT_TEST_BELOW.format(count=unsent, since=since, criteria=criteria)
        if outcome.already_sent:
            text += t.ALERT_TEST_BELOW_AND_SENT.format(count=outcome.already_sent)
    keyboard = widen_keyboard(profile)
    return f"{text}\n\n{t.ALERT_TEST_WIDEN if keyboard else t.ALERT_TEST_CHANGE}", keyboard
