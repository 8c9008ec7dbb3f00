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

from bot import callbacks, render
from bot.render import escape, format_date_fr, link, percent, score_bar, truncate
from bot.texts import commands as t
from bot.texts import scores as vocabulary
from ft_client.models import Offer

MESSAGE_LIMIT: Final = 4096
BUTTON_TEXT_LIMIT: Final = 48  # Telegram has no hard limit, but longer labels are cut on phones
DESCRIPTION_LIMIT: Final = 1500
TITLE_LIMIT: Final = 120
SHORT_FIELD_LIMIT: Final = 80
SKILL_LIMIT: Final = 100
MAX_LISTED_SKILLS: Final = 12
MAX_SEARCH_RESULTS: Final = 3000
MAX_ADVICE: Final = 3
MAX_MISSING: Final = 6

# Callback actions. The first five are declared by bot.callbacks (shared registry); the
# others are this part's own, declared below with the exact shape of their arguments.
ACTION_MATCH: Final = "match"  # <ROME code>
ACTION_OFFER: Final = "offer"  # <offer id>
ACTION_SAVE: Final = "fav"  # <offer id>
ACTION_REMOVE: Final = "unfav"  # <offer id>
ACTION_SEARCH_PAGE: Final = "page"  # <search key> <page>
ACTION_ALERTS: Final = "al"  # on | off | ask
ACTION_ALERT_TIME: Final = "alt"  # <HHMM>
ACTION_ALERT_DAY: Final = "ald"  # <0-6>
ACTION_DELETE: Final = "del"  # yes | no

callbacks.register_action(ACTION_ALERTS, r"on|off|ask")
callbacks.register_action(ACTION_ALERT_TIME, callbacks.HHMM)
callbacks.register_action(ACTION_ALERT_DAY, r"[0-6]")
callbacks.register_action(ACTION_DELETE, r"yes|no")


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units): an emoji counts as 2."""
    return len(text.encode("utf-16-le")) // 2


def fit_lines(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> str:
    """Join ``lines`` with newlines, dropping trailing lines (replaced by "…") until it fits.

    Every line produced by this module is self-contained HTML (tags open and close on the same
    line), so dropping whole lines never breaks the markup.
    """
    text = "\n".join(lines)
    if telegram_length(text) <= limit:
        return text
    kept = list(lines)
    while kept:
        kept.pop()
        candidate = "\n".join([*kept, "…"])
        if telegram_length(candidate) <= limit:
            return candidate
    return "…"


def plain(text: str | None, limit: int = SHORT_FIELD_LIMIT) -> str:
    """Trimmed then escaped API/user text (trim first so an HTML entity is never cut)."""
    if not text:
        return ""
    return escape(truncate(" ".join(text.split()), limit))


def and_others(count: int) -> str:
    """The last line of a cut list: "• … et 1 autre" / "• … et 3 autres"."""
    return f"• … et {count} autre" if count == 1 else f"• … et {count} autres"


def button_text(text: str, limit: int = BUTTON_TEXT_LIMIT) -> str:
    """Button labels are plain text (no HTML); only collapse whitespace and trim."""
    return render.button_text(text, limit) or "…"


def number_fr(value: int) -> str:
    """1234567 → "1 234 567" (narrow no-break spaces, as French typography wants)."""
    return f"{value:,}".replace(",", "\u202f")


# ------------------------------------------------------------------ offers


def offer_place(offer: Offer) -> str:
    return offer.place.label or offer.place.postal_code or ""


def offer_contract(offer: Offer) -> str:
    return offer.contract_type_label or offer.contract_type or ""


def offer_line(offer: Offer, *, index: int | None = None) -> str:
    """One-line summary: "<b>Serveur (H/F)</b> — Brasserie X · 75 - Paris · CDI" (HTML)."""
    head = f"{index}. " if index is not None else ""
    parts = [
        plain(offer.company.name, 50),
        plain(offer_place(offer), 50),
        plain(offer_contract(offer), 40),
    ]
    details = " · ".join(p for p in parts if p)
    line = f"{head}<b>{plain(offer.title, 90)}</b>"
    return f"{line} — {details}" if details else line


def offer_card(offer: Offer, *, description_limit: int = DESCRIPTION_LIMIT) -> str:
    """The full offer card: every field a job seeker needs before applying, ≤ MESSAGE_LIMIT."""
    lines: list[str] = [f"<b>{plain(offer.title, TITLE_LIMIT)}</b>"]
    if offer.company.name:
        lines.append(f"🏢 {plain(offer.company.name)}")
    if place := offer_place(offer):
        lines.append(f"📍 {plain(place)}")
    contract = " · ".join(
        plain(p, 60)
        for p in (offer_contract(offer), offer.working_hours_label or offer.working_hours_converted)
        if p
    )
    if contract:
        lines.append(f"📄 {contract}")
    if offer.salary and (offer.salary.label or offer.salary.comment):
        salary = offer.salary.label or offer.salary.comment
        lines.append(f"💶 {plain(salary, 120)}")
    if offer.experience_label:
        lines.append(f"🎓 Expérience : {plain(offer.experience_label)}")
    if offer.qualification_label:
        lines.append(f"🏷 Qualification : {plain(offer.qualification_label)}")
    dates = []
    if offer.created_at:
        dates.append(f"publiée le {format_date_fr(offer.created_at)}")
    if offer.updated_at and offer.updated_at != offer.created_at:
        dates.append(f"mise à jour le {format_date_fr(offer.updated_at)}")
    if dates:
        lines.append(f"📅 {', '.join(dates).capitalize()}")
    lines.append(f"Réf. <code>{escape(offer.id)}</code>")

    if offer.description:
        lines.append("")
        lines.extend(
            escape(line) for line in _description_lines(offer.description, description_limit)
        )

    skills = [c for c in offer.competences if c.required] + [
        c for c in offer.competences if not c.required
    ]
    if skills:
        lines.append("")
        lines.append("<b>Compétences demandées</b>")
        for competence in skills[:MAX_LISTED_SKILLS]:
            tag = " <i>(exigée)</i>" if competence.required else ""
            lines.append(f"• {plain(competence.label, SKILL_LIMIT)}{tag}")
        if len(skills) > MAX_LISTED_SKILLS:
            lines.append(and_others(len(skills) - MAX_LISTED_SKILLS))
    if offer.qualities:
        lines.append("")
        lines.append("<b>Qualités recherchées</b>")
        lines.extend(f"• {plain(q.label, SKILL_LIMIT)}" for q in offer.qualities[:6])

    site = link(offer.page_url, "Voir l'offre sur France Travail")
    # The link matters most: keep it even when the body has to be cut.
    body = fit_lines(lines, MESSAGE_LIMIT - telegram_length(site) - 2)
    return f"{body}\n\n{site}"


def _description_lines(description: str, limit: int) -> list[str]:
    """The description trimmed to ``limit`` characters, at most a few blank-line-free lines."""
    text = truncate(description.strip(), limit)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return [line for line in lines if line][:30]


def offer_keyboard(offer: Offer, *, saved: bool = False) -> InlineKeyboardMarkup:
    save = InlineKeyboardButton(
        t.OFFER_SAVED_BUTTON if saved else t.OFFER_SAVE_BUTTON,
        callback_data=callbacks.encode(ACTION_SAVE, offer.id),
    )
    return InlineKeyboardMarkup(
        [[save], [InlineKeyboardButton(t.OFFER_OPEN_SITE_BUTTON, url=offer.page_url)]]
    )


def open_offer_button(offer_id: str, label: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        button_text(label), callback_data=callbacks.encode(ACTION_OFFER, offer_id)
    )


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


def match_report(view: MatchView) -> str:
    lines = [
        f"<b>{plain(view.job_label, TITLE_LIMIT)}</b> ({escape(view.job_code)})",
        vocabulary.covers_job(view.score),
        score_bar(view.score),
    ]
    if view.matched:
        lines.append("")
        lines.append("<b>✅ Vos compétences reconnues</b>")
        for m in view.matched[:MAX_LISTED_SKILLS]:
            lines.append(f"• « {plain(m.user_phrase, 60)} » ↔ {plain(m.skill_label, SKILL_LIMIT)}")
    else:
        lines.append("")
        lines.append("Aucune de vos compétences ne correspond encore à ce métier.")
    if view.transversal:
        lines.append("")
        lines.append("<b>🪪 Aussi dans votre profil</b>")
        lines.extend(
            f"• {plain(label, 60)} ({escape(category)})"
            for label, category in view.transversal[:MAX_LISTED_SKILLS]
        )
    # The recommendations are advice about the most important missing skills (in order):
    # show them first, then the other missing skills, so that nothing is said twice.
    advice = view.recommendations[:MAX_ADVICE]
    if advice:
        lines.append("")
        lines.append("<b>💡 Pour progresser</b>")
        lines.extend(f"• {plain(r, 200)}" for r in advice)
    others = view.missing[len(advice) :] if advice else view.missing
    if others:
        lines.append("")
        lines.append(
            "<b>➕ Autres compétences du métier</b>"
            if advice
            else "<b>➕ Compétences à acquérir</b>"
        )
        lines.extend(f"• {plain(label, SKILL_LIMIT)}" for label in others[:MAX_MISSING])
        if len(others) > MAX_MISSING:
            lines.append(and_others(len(others) - MAX_MISSING))
    lines.append("")
    if view.offers_error:
        lines.append(
            "Les offres ne peuvent pas être affichées : France Travail ne répond pas pour le "
            "moment, réessayez dans quelques minutes."
        )
    else:
        if view.place_label:
            where = plain(view.place_label, 60)
            radius = f" ({view.radius_km} km)" if view.radius_km else ""
            lines.append(f"<b>Les meilleures offres près de {where}{radius}</b>")
        else:
            lines.append(t.MATCH_OFFERS_TITLE_ANYWHERE)
        if not view.offers:
            lines.append(t.MATCH_NO_OFFERS)
        for index, ranked in enumerate(view.offers, start=1):
            lines.append(offer_line(ranked.offer, index=index))
            why = " · ".join(plain(r, 120) for r in ranked.reasons[:3])
            if why:
                lines.append(f"   <i>Pourquoi : {why}</i>")
        if not view.place_label:
            lines.append("")
            lines.append(escape(t.NO_PLACE_HINT))
    if any(code != view.job_code for code, _label in view.other_targets):
        lines.append("")
        lines.append(t.MATCH_SEE_OTHER)
    return fit_lines(lines)


def match_keyboard(view: MatchView) -> InlineKeyboardMarkup | None:
    rows = [
        [open_offer_button(r.offer.id, f"{i}. {r.offer.title}")]
        for i, r in enumerate(view.offers, start=1)
    ]
    rows.extend(
        [InlineKeyboardButton(button_text(f"🎯 {label}"), callback_data=_match_data(code))]
        for code, label in view.other_targets
        if code != view.job_code
    )
    return InlineKeyboardMarkup(rows) if rows else None


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


# ------------------------------------------------------------------ search page


@dataclass(frozen=True, slots=True)
class SearchPageView:
    keywords: str
    place_label: str | None
    radius_km: int | None
    offers: tuple[Offer, ...]
    total: int
    page: int  # 0-based
    page_size: int

    @property
    def page_count(self) -> int:
        # France Travail serves results up to index 3149 only: paging stops at MAX_RESULTS.
        return max(1, -(-min(self.total, MAX_SEARCH_RESULTS) // self.page_size))


def search_page(view: SearchPageView) -> str:
    # Without a place the search covers all of France: say so, or results from Ardennes and
    # Gironde side by side look like a bug to someone in Lyon.
    where = " dans toute la France"
    if view.place_label:
        radius = f", dans un rayon de {view.radius_km} km" if view.radius_km else ""
        where = f" à {plain(view.place_label, 60)}{radius}"
    if not view.offers:
        return t.SEARCH_NO_RESULT.format(keywords=plain(view.keywords, 100), where=where)
    count = "1 offre" if view.total == 1 else f"{number_fr(view.total)} offres"
    lines = [
        f"<b>« {plain(view.keywords, 100)} »{where}</b>",
        f"{count} — page {view.page + 1}/{view.page_count}",
        "",
    ]
    first = view.page * view.page_size + 1
    for index, offer in enumerate(view.offers, start=first):
        lines.append(offer_line(offer, index=index))
        if offer.created_at:
            lines.append(
                f"   Publiée le {format_date_fr(offer.created_at)} · "
                f"réf. <code>{escape(offer.id)}</code>"
            )
        else:
            lines.append(f"   Réf. <code>{escape(offer.id)}</code>")
    return fit_lines(lines)


def search_keyboard(view: SearchPageView, search_key: str) -> InlineKeyboardMarkup | None:
    first = view.page * view.page_size + 1
    rows = [
        [open_offer_button(offer.id, f"{i}. {offer.title}")]
        for i, offer in enumerate(view.offers, start=first)
    ]
    nav = []
    if view.page > 0:
        nav.append(
            InlineKeyboardButton(
                t.SEARCH_PREVIOUS,
                callback_data=callbacks.encode(ACTION_SEARCH_PAGE, search_key, str(view.page - 1)),
            )
        )
    if view.page + 1 < view.page_count:
        nav.append(
            InlineKeyboardButton(
                t.SEARCH_NEXT,
                callback_data=callbacks.encode(ACTION_SEARCH_PAGE, search_key, str(view.page + 1)),
            )
        )
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows) if rows else None


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
