"""Why a one-user alert run (« Tester maintenant », /demo_alerte) sent nothing, in French, and
the buttons that widen the search.

Pure: from the run's `UserOutcome` and the profile to a text and a keyboard. The empty cases
are told apart truthfully, per alert (the profile's, then each saved alert run): nothing
published in the window for these criteria, everything already sent before, everything left out
by the alert's filters (with the count per filter) or by « pas intéressé », or nothing fit
enough (possibly alongside some already sent or filtered).
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
from bot.texts.saved_alerts import PROFILE_ALERT_LABEL
from ft_client.alert_filters import DropReason

if TYPE_CHECKING:
    from bot.alerts.cycle import UserOutcome
    from bot.alerts.person import AlertOutcome
    from storage import Profile

ACTION_ALERT_TEST = "alx"  # now
ACTION_ALERT_WIDEN = "alw"  # <km> | fr
WIDEN_RADIUS_KM = 50
callbacks.register_action(ACTION_ALERT_TEST, r"now")
callbacks.register_action(ACTION_ALERT_WIDEN, r"50|fr")

# French texts of the per-alert explanations (issue 15).
ALL_FILTERED = (
    "{count} nouvelle(s) offre(s) publiée(s) depuis le {since} pour vos critères ({criteria}), "
    "mais toutes écartées par vos filtres ({details})."
)
SOME_FILTERED = " {count} autre(s) écartée(s) par vos filtres ({details})."
ALL_NOT_INTERESTED = (
    "{count} nouvelle(s) offre(s) publiée(s) depuis le {since} pour vos critères ({criteria}), "
    "mais toutes écartées par vos « pas intéressé » (entreprises, contrats, distance, salaire)."
)
LOOSEN_FILTERS = "Vous pouvez aussi assouplir vos filtres dans /alertes (🧰 Filtres)."
PROFILE_LINE = f"<b>{PROFILE_ALERT_LABEL}</b> : {{text}}"
SAVED_LINE = "<b>« {label} »</b> : {text}"
SAVED_NOTHING_TO_ASK = "rien à chercher (ni métier ni mots-clés)."
DROP_LABELS: dict[DropReason, str] = {
    DropReason.SALARY_TOO_LOW: "salaire trop bas",
    DropReason.SALARY_UNKNOWN: "salaire non indiqué",
    DropReason.EXCLUDED_WORD: "mot exclu",
    DropReason.EXCLUDED_COMPANY: "entreprise exclue",
    DropReason.NOT_REMOTE: "sans télétravail",
    DropReason.NOT_FOR_BEGINNERS: "débutants non acceptés",
    DropReason.CONTRACT: "autre contrat",
    DropReason.WORKING_TIME: "autre temps de travail",
    DropReason.LICENCE: "permis requis",
}


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


def reason_text(outcome: AlertOutcome, since: str, criteria: str) -> str:
    """Why one alert found nothing to send, from its counts (in the order offers were left
    out: already sent, filters, « pas intéressé », fit threshold)."""
    unsent = outcome.fetched - outcome.already_sent
    filtered = sum(outcome.filtered.values())
    if outcome.fetched == 0:
        return t.ALERT_TEST_NOTHING_NEW.format(since=since, criteria=criteria)
    if unsent == 0:
        template = t.ALERT_TEST_ONE_SENT if outcome.already_sent == 1 else t.ALERT_TEST_ALL_SENT
        return template.format(count=outcome.already_sent, since=since, criteria=criteria)
    if filtered and filtered == unsent:
        text = ALL_FILTERED.format(
            count=unsent, since=since, criteria=criteria, details=filter_details(outcome)
        )
    elif outcome.feedback_removed and filtered + outcome.feedback_removed == unsent:
        text = ALL_NOT_INTERESTED.format(count=unsent, since=since, criteria=criteria)
    else:
        text = t.ALERT_TEST_BELOW.format(
            count=unsent - filtered - outcome.feedback_removed, since=since, criteria=criteria
        )
        if filtered:
            text += SOME_FILTERED.format(count=filtered, details=filter_details(outcome))
    if outcome.already_sent:
        text += t.ALERT_TEST_BELOW_AND_SENT.format(count=outcome.already_sent)
    return text


def filter_details(outcome: AlertOutcome) -> str:
    """« salaire trop bas : 3, mot exclu : 1 » (most first)."""
    counts = sorted(outcome.filtered.items(), key=lambda item: (-item[1], item[0].value))
    return ", ".join(f"{DROP_LABELS.get(reason, reason.value)} : {n}" for reason, n in counts)


def saved_alert_text(outcome: AlertOutcome, tz: ZoneInfo) -> str:
    """One line per saved alert of the run: « label » and what it found."""
    label = escape(outcome.label or "?")
    if outcome.skipped:
        return SAVED_LINE.format(label=label, text=SAVED_NOTHING_TO_ASK)
    if outcome.failed:
        return SAVED_LINE.format(label=label, text=common_texts.FT_UNAVAILABLE)
    since = since_label(outcome.window_start, tz) if outcome.window_start else "?"
    text = reason_text(outcome, since, escape(outcome.criteria))
    return SAVED_LINE.format(label=label, text=text)


def explain(
    outcome: UserOutcome | None, profile: Profile, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The answer to a one-user run that sent nothing: why, per alert, and how to widen. (A
    run that sent a digest needs no answer: the digest is one.)"""
    if outcome is None:
        return t.ALERT_TEST_NEED_JOB, None
    text = profile_alert_text(outcome, profile, tz)
    keyboard = widen_keyboard(profile) if not (outcome.skipped or outcome.failed) else None
    saved = [saved_alert_text(o, tz) for _no, o in sorted(outcome.saved.items())]
    if saved:
        text = "\n\n".join([PROFILE_LINE.format(text=text), *saved])
    if outcome.skipped or outcome.failed:
        return text, None
    advice = t.ALERT_TEST_WIDEN if keyboard else t.ALERT_TEST_CHANGE
    if any(o.filtered for o in (outcome, *outcome.saved.values())):
        advice = f"{advice} {LOOSEN_FILTERS}"
    return f"{text}\n\n{advice}", keyboard


def profile_alert_text(outcome: UserOutcome, profile: Profile, tz: ZoneInfo) -> str:
    if outcome.skipped:
        return t.ALERT_TEST_NEED_JOB
    if outcome.failed:
        return common_texts.FT_UNAVAILABLE
    since = since_label(outcome.window_start, tz) if outcome.window_start else "?"
    return reason_text(outcome, since, criteria_label(profile))
