"""Pure rendering of the command answers: offer card, one-line offer summary, match report,
job suggestions, favourites list, search page — and their inline keyboards.

Every function returns Telegram HTML that is safe to send as is: all API and user text is escaped
here (after trimming, so an entity is never cut), and every message fits Telegram's limits
(``MESSAGE_LIMIT`` characters; long parts are trimmed with "…", whole lines are dropped last).
Callback data is built with ``bot.callbacks.encode`` (≤ 64 bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, offer_cards
from bot.offer_cards import (
    SearchPageView,
    button_text,
    fit_lines,
    number_fr,
    offer_buttons,
    offer_card,
    offer_contract,
    offer_keyboard,
    offer_line,
    offer_place,
    open_offer_button,
    plain,
    search_keyboard,
    search_page,
    telegram_length,
)
from bot.render import escape, format_date_fr, percent, score_bar
from bot.texts import commands as t
from bot.texts import offers as ot
from bot.texts import scores as vocabulary
from ft_client.models import Offer
from ft_client.offer_facts import GeoPoint

__all__ = [
    "SearchPageView",
    "button_text",
    "fit_lines",
    "number_fr",
    "offer_card",
    "offer_contract",
    "offer_keyboard",
    "offer_line",
    "offer_place",
    "open_offer_button",
    "plain",
    "search_keyboard",
    "search_page",
    "telegram_length",
]

MESSAGE_LIMIT: Final = 4096
TITLE_LIMIT: Final = 120
SKILL_LIMIT: Final = 100
MAX_LISTED_SKILLS: Final = 12
MAX_SEARCH_RESULTS: Final = offer_cards.MAX_SEARCH_RESULTS
MAX_MISSING: Final = 6
MATCH_SKILLS_NAMED: Final = 3  # on the one-screen report; all of them behind "Détail"

# Callback actions. The first five are declared by bot.callbacks (shared registry); the
# others are this part's own, declared below with the exact shape of their arguments.
ACTION_MATCH: Final = "match"  # <ROME code>
ACTION_OFFER: Final = offer_cards.ACTION_OFFER
ACTION_SAVE: Final = offer_cards.ACTION_SAVE
ACTION_REMOVE: Final = "unfav"  # <offer id>
ACTION_SEARCH_PAGE: Final = offer_cards.ACTION_SEARCH_PAGE
ACTION_MATCH_DETAIL: Final = "md"  # <ROME code>
ACTION_ALERTS: Final = "al"  # on | off | ask
ACTION_ALERT_TIME: Final = "alt"  # <HHMM>
ACTION_ALERT_DAY: Final = "ald"  # <0-6>
ACTION_DELETE: Final = "del"  # yes | no

callbacks.register_action(ACTION_MATCH_DETAIL, callbacks.ROME_CODE)
callbacks.register_action(ACTION_ALERTS, r"on|off|ask")
callbacks.register_action(ACTION_ALERT_TIME, callbacks.HHMM)
callbacks.register_action(ACTION_ALERT_DAY, r"[0-6]")
callbacks.register_action(ACTION_DELETE, r"yes|no")


def and_others(count: int) -> str:
    """The last line of a cut list: "• … et 1 autre" / "• … et 3 autres"."""
    return f"• … et {count} autre" if count == 1 else f"• … et {count} autres"


# ------------------------------------------------------------------ match report


@dataclass(frozen=True, slots=True)
class MatchedSkillView:
    user_phrase: str
    skill_label: str


@dataclass(frozen=True, slots=True)
class RankedOfferView:
    offer: Offer
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MatchView:
    """What the match report shows; built by the /match handler from ``matching.match_job``."""

    job_code: str
    job_label: str
    score: float
    matched: tuple[MatchedSkillView, ...]
    missing: tuple[str, ...]
    recommendations: tuple[str, ...]
    offers: tuple[RankedOfferView, ...] = ()
    place_label: str | None = None
    radius_km: int | None = None
    offers_error: bool = False  # France Travail failed: the report is shown without offers
    other_targets: tuple[tuple[str, str], ...] = field(default=())  # (code, label) buttons
    # (label, category) of the soft and transversal phrases: savoir-être, langue, permis,
    # certification — shown as such, they never lower the percentage.
    transversal: tuple[tuple[str, str], ...] = field(default=())
    origin: GeoPoint | None = None  # the person's point, for the offers' distance
    soft_line: str | None = None  # the savoir-être part of the coverage, when ticked
    tension: int | None = None  # recruitment tension 1–5 (Marché du travail), when known
    soft_skills: tuple[str, ...] = ()  # the métier's soft skills (Match via Soft Skills)


MARKET_LINE: Final = "📊 Marché : tension {level}/5"
SOFT_SKILLS_HEADING: Final = "<b>🤝 Savoir-être attendu</b>"
SOFT_SKILLS_HINT: Final = "Cochez les vôtres avec « 🤝 Savoir-être »."
MAX_ROW_BUTTONS: Final = 3


def _positive(reason: str) -> bool:
    """Reasons shown are positive or neutral: a missing skill is the detail's business."""
    lowered = reason.lower()
    return not (lowered.startswith(("aucune", "hors de", "au-delà")) or "au-delà" in lowered)


def _names(items: Sequence[str], shown: int) -> str:
    named = ", ".join(plain(item, 50) for item in items[:shown])
    return named + (f" et {len(items) - shown} autres" if len(items) > shown else "")


def match_report(view: MatchView, criteria_summary: str | None = None) -> str:
    """/match on one phone screen (≤ PHONE_LIMIT): score, a few skills, the best offers."""
    lines = [
        f"<b>{plain(view.job_label, TITLE_LIMIT)}</b> ({escape(view.job_code)})",
        f"{vocabulary.covers_job(view.score)} {score_bar(view.score)}",
    ]
    if view.soft_line:
        lines.append(f"🤝 {escape(view.soft_line)}")
    if view.tension is not None:
        lines.append(MARKET_LINE.format(level=view.tension))
    if view.matched:
        phrases = list(dict.fromkeys(m.user_phrase for m in view.matched))
        lines.append(f"✅ Reconnues : {_names(phrases, MATCH_SKILLS_NAMED)}")
    else:
        lines.append("Aucune de vos compétences ne correspond encore à ce métier.")
    if view.missing:
        lines.append(f"➕ À travailler : {_names(view.missing, 2)}")
    lines.append("")
    if view.offers_error:
        lines.append(
            "Les offres ne peuvent pas être affichées : France Travail ne répond pas pour le "
            "moment, réessayez dans quelques minutes."
        )
    else:
        if view.place_label:
            where = plain(view.place_label, 60)
            radius = f" ({view.radius_km}\u00a0km)" if view.radius_km else ""
            lines.append(f"<b>Les meilleures offres près de {where}{radius}</b>")
        else:
            lines.append(t.MATCH_OFFERS_TITLE_ANYWHERE)
        if criteria_summary:
            lines.append(ot.CRITERIA_LINE.format(summary=escape(criteria_summary)))
        if not view.offers:
            lines.append(t.MATCH_NO_OFFERS)
        for index, ranked in enumerate(view.offers, start=1):
            lines.append(offer_line(ranked.offer, index=index, origin=view.origin))
            why = next((r for r in ranked.reasons if _positive(r)), None)
            if why:
                lines.append(f"   <i>{plain(why, 90)}</i>")
        if not view.place_label:
            lines.append(escape(t.NO_PLACE_HINT))
    if any(code != view.job_code for code, _label in view.other_targets):
        lines.append(t.MATCH_SEE_OTHER)
    return fit_lines(lines, offer_cards.PHONE_LIMIT)


def match_detail(view: MatchView) -> str:
    """Behind "Détail": all matched and missing skills, advice grouped under one heading each
    (never "Compétence clé du métier à acquérir…" repeated on every line)."""
    lines = [ot.MATCH_DETAIL_TITLE.format(job=plain(view.job_label, TITLE_LIMIT))]
    if view.matched:
        lines.append("")
        lines.append("<b>✅ Vos compétences reconnues</b>")
        for m in view.matched[:MAX_LISTED_SKILLS]:
            lines.append(f"• « {plain(m.user_phrase, 50)} » ↔ {plain(m.skill_label, 80)}")
    if view.transversal:
        lines.append("")
        lines.append("<b>🪪 Aussi dans votre profil</b>")
        lines.extend(f"• {plain(label, 40)} ({escape(cat)})" for label, cat in view.transversal[:8])
    groups: dict[str, list[str]] = {}
    for advice in view.recommendations:
        heading, _, label = advice.partition(" : ")
        if label:
            groups.setdefault(heading, []).append(label.rstrip("."))
    advised = {label for labels in groups.values() for label in labels}
    for heading, labels in groups.items():
        lines.append("")
        lines.append(f"<b>💡 {plain(heading, 90)} :</b>")
        lines.extend(f"• {plain(label, SKILL_LIMIT)}" for label in labels[:MAX_MISSING])
    if view.soft_skills:
        lines.append("")
        lines.append(SOFT_SKILLS_HEADING)
        lines.extend(f"• {plain(label, 60)}" for label in view.soft_skills[:MAX_MISSING])
        lines.append(SOFT_SKILLS_HINT)
    others = [label for label in view.missing if label not in advised]
    if others:
        lines.append("")
        lines.append("<b>➕ Autres compétences du métier</b>")
        lines.extend(f"• {plain(label, SKILL_LIMIT)}" for label in others[:MAX_MISSING])
        if len(others) > MAX_MISSING:
            lines.append(and_others(len(others) - MAX_MISSING))
    return fit_lines(lines, offer_cards.PHONE_LIMIT)


def match_keyboard(
    view: MatchView,
    exits: Sequence[InlineKeyboardButton] = (),
    *,
    services: Sequence[InlineKeyboardButton] = (),
    market: InlineKeyboardButton | None = None,
) -> InlineKeyboardMarkup | None:
    """Offers, ``exits`` (wider searches when no offer is found), the detail (and ``market``
    beside it), the ``services`` row (Entreprises, Évolution, Savoir-être), other jobs."""
    rows = offer_buttons([r.offer for r in view.offers])
    rows.extend([button] for button in exits)
    detail = InlineKeyboardButton(
        ot.MATCH_DETAIL_BUTTON,
        callback_data=callbacks.encode(ACTION_MATCH_DETAIL, view.job_code),
    )
    rows.append([detail, market] if market is not None else [detail])
    if services:
        rows.append(list(services[:MAX_ROW_BUTTONS]))
    rows.extend(
        [InlineKeyboardButton(button_text(f"🎯 {label}"), callback_data=_match_data(code))]
        for code, label in view.other_targets
        if code != view.job_code
    )
    return InlineKeyboardMarkup(rows)


def _match_data(code: str) -> str:
    return callbacks.encode(ACTION_MATCH, code)


def target_jobs_keyboard(targets: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One button per (code, label) job, each opening its /match report."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    button_text(f"{label} ({code})"), callback_data=_match_data(code)
                )
            ]
            for code, label in targets
        ]
    )


# ------------------------------------------------------------------ job suggestions


@dataclass(frozen=True, slots=True)
class JobSuggestionView:
    code: str
    label: str
    score: float


def job_suggestions(suggestions: Sequence[JobSuggestionView]) -> str:
    lines = [
        "<b>Les métiers qui correspondent à vos compétences</b>",
        f"<i>{vocabulary.JOBS_SORTED_BY_COVERAGE}</i>",
        "",
    ]
    for index, s in enumerate(suggestions, start=1):
        lines.append(
            f"{index}. <b>{plain(s.label, TITLE_LIMIT)}</b> ({escape(s.code)}) — "
            f"{vocabulary.covers_short(s.score)}"
        )
    lines.append("")
    lines.append("Appuyez sur un métier pour voir le détail et les offres.")
    return fit_lines(lines)


def job_suggestions_keyboard(suggestions: Sequence[JobSuggestionView]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    button_text(f"{s.label} · {percent(s.score)}"),
                    callback_data=_match_data(s.code),
                )
            ]
            for s in suggestions
        ]
    )


# ------------------------------------------------------------------ favourites


@dataclass(frozen=True, slots=True)
class FavouriteView:
    offer_id: str
    title: str
    company: str | None = None
    place: str | None = None
    contract: str | None = None
    saved_at: datetime | None = None


def favourites_list(favourites: Sequence[FavouriteView]) -> str:
    if not favourites:
        return t.FAVOURITES_EMPTY
    lines = [f"<b>Vos offres sauvegardées ({len(favourites)})</b>", ""]
    for index, fav in enumerate(favourites, start=1):
        details = " · ".join(
            p for p in (plain(fav.company, 50), plain(fav.place, 50), plain(fav.contract, 40)) if p
        )
        head = f"{index}. <b>{plain(fav.title, 90)}</b>"
        lines.append(f"{head} — {details}" if details else head)
        saved = f" · sauvegardée le {format_date_fr(fav.saved_at)}" if fav.saved_at else ""
        lines.append(f"   Réf. <code>{escape(fav.offer_id)}</code>{saved}")
    return fit_lines(lines)


def favourites_keyboard(favourites: Sequence[FavouriteView]) -> InlineKeyboardMarkup | None:
    if not favourites:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    button_text(f"{i}. {fav.title}", 32),
                    callback_data=callbacks.encode(ACTION_OFFER, fav.offer_id),
                ),
                InlineKeyboardButton(
                    f"❌ Retirer {i}", callback_data=callbacks.encode(ACTION_REMOVE, fav.offer_id)
                ),
            ]
            for i, fav in enumerate(favourites, start=1)
        ]
    )


# ------------------------------------------------------------------ alert settings

ALERT_TIME_CHOICES: Final = ("07:00", "08:00", "12:00", "18:00")


def alert_days_label(days: frozenset[int]) -> str:
    if not days:
        return t.ALERTS_NO_DAYS
    if days == frozenset(range(7)):
        return t.ALERTS_EVERY_DAY
    return ", ".join(t.DAY_LONG[d] for d in sorted(days) if 0 <= d <= 6)


def alert_settings(enabled: bool, time_label: str, days: frozenset[int]) -> str:
    return "\n".join(
        [
            t.ALERTS_TITLE,
            t.ALERTS_STATE_ON if enabled else t.ALERTS_STATE_OFF,
            t.ALERTS_TIME.format(time=escape(time_label)),
            t.ALERTS_DAYS.format(days=alert_days_label(days)),
        ]
    )


def alert_settings_keyboard(
    enabled: bool, time_label: str, days: frozenset[int]
) -> InlineKeyboardMarkup:
    toggle = (
        InlineKeyboardButton(
            t.ALERTS_BUTTON_OFF, callback_data=callbacks.encode(ACTION_ALERTS, "off")
        )
        if enabled
        else InlineKeyboardButton(
            t.ALERTS_BUTTON_ON, callback_data=callbacks.encode(ACTION_ALERTS, "on")
        )
    )
    times = [
        InlineKeyboardButton(
            f"✅ {choice}" if choice == time_label else choice,
            callback_data=callbacks.encode(ACTION_ALERT_TIME, choice.replace(":", "")),
        )
        for choice in ALERT_TIME_CHOICES
    ]
    day_buttons = [
        InlineKeyboardButton(
            f"✅ {name}" if index in days else name,
            callback_data=callbacks.encode(ACTION_ALERT_DAY, str(index)),
        )
        for index, name in enumerate(t.DAY_SHORT)
    ]
    other = InlineKeyboardButton(
        t.ALERTS_BUTTON_OTHER_TIME, callback_data=callbacks.encode(ACTION_ALERTS, "ask")
    )
    return InlineKeyboardMarkup([[toggle], times, day_buttons[:4], day_buttons[4:], [other]])


# ------------------------------------------------------------------ admin stats


def stats_card(
    users: int, subscribers: int, sent_today: int, ft_errors: int, details: Sequence[str] = ()
) -> str:
    text = t.STATS.format(
        users=number_fr(users),
        subscribers=number_fr(subscribers),
        sent_today=number_fr(sent_today),
        ft_errors=number_fr(ft_errors),
    )
    return fit_lines([text, *(escape(d) for d in details)])
