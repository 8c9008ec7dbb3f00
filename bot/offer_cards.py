"""Offers for a phone: the two-line summary used by lists, /match and digests, the full card
with "Vous avez / Il vous manque", the search page, and their keyboards.

Each summary shows title, company, town and distance from the person, contract, normalised
salary (or "salaire non précisé"), publication date and the "Débutant accepté" badge; buttons
carry distinct labels (`offer_button_labels`). Lists stay under ``PHONE_MESSAGE_LIMIT``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, render
from bot.criteria import CONTRACT_SHORT_LABELS, WIDE_RADIUS_KM, Criteria
from bot.render import escape, format_date_fr, link, truncate
from bot.texts import commands as t
from bot.texts import offers as ot
from ft_client.models import Offer
from ft_client.offer_facts import (
    GeoPoint,
    format_distance,
    offer_button_labels,
    offer_facts,
    short_title,
)

MESSAGE_LIMIT: Final = 4096
PHONE_LIMIT: Final = ot.PHONE_MESSAGE_LIMIT
BUTTON_TEXT_LIMIT: Final = 48
DESCRIPTION_LIMIT: Final = 1000
TITLE_LIMIT: Final = 120
SHORT_FIELD_LIMIT: Final = 80
SKILL_LIMIT: Final = 100
MAX_LISTED_SKILLS: Final = 8
MAX_SEARCH_RESULTS: Final = 3000

ACTION_OFFER: Final = "offer"  # <offer id>
ACTION_SAVE: Final = "fav"  # <offer id>
ACTION_UNSAVE: Final = "unfc"  # <offer id>: un-save from the card (the ⭐ toggles)
ACTION_HIDE: Final = "hide"  # <offer id>
ACTION_SEARCH_PAGE: Final = "page"  # <search key> <page>
ACTION_SEARCH_CHANGE: Final = "sx"  # <search key> wide | all | anyc
ACTION_SEARCH_PLACE: Final = "sp"  # <search key> <c|d|r><code>: a place chosen among several

callbacks.register_action(ACTION_UNSAVE, callbacks.OFFER_ID)
callbacks.register_action(ACTION_HIDE, callbacks.OFFER_ID)
callbacks.register_action(ACTION_SEARCH_CHANGE, callbacks.KEY, r"wide|all|anyc")
callbacks.register_action(ACTION_SEARCH_PLACE, callbacks.KEY, r"[cdr][0-9AB]{1,5}")

_MONTHS_SHORT: Final = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units): an emoji counts as 2."""
    return len(text.encode("utf-16-le")) // 2


def fit_lines(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> str:
    """Join ``lines``, dropping trailing lines (replaced by "…") until it fits ``limit``.

    Every line built here is self-contained HTML, so dropping whole lines never breaks markup.
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


def button_text(text: str, limit: int = BUTTON_TEXT_LIMIT) -> str:
    return render.button_text(text, limit) or "…"


def short_date(value: date | datetime | None) -> str:
    """12 nov. (a list's date; the year only when it is not the current one)."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    year = f" {day.year}" if day.year != date.today().year else ""
    return f"{day.day} {_MONTHS_SHORT[day.month - 1]}{year}"


def offer_place(offer: Offer) -> str:
    return offer.place.label or offer.place.postal_code or ""


def offer_contract(offer: Offer) -> str:
    short = CONTRACT_SHORT_LABELS.get(offer.contract_type or "")
    return short or offer.contract_type_label or offer.contract_type or ""


def _salary_short(display: str) -> str:
    """ "3 167–3 750 € brut/mois (annuel 38 000–45 000 €)" → its first part, for lists."""
    if display == "non précisé":
        return ot.SALARY_UNKNOWN
    return display.split(" (", 1)[0]


def offer_line(offer: Offer, *, index: int | None = None, origin: GeoPoint | None = None) -> str:
    """Two lines (HTML): "1. <b>Serveur</b> — Brasserie X" then
    "   📍 Paris 12e à 3 km · CDI · 1 600–1 800 € brut/mois · 12 nov. · Débutant accepté"."""
    facts = offer_facts(offer, origin)
    head = f"{index}. " if index is not None else ""
    first = f"{head}<b>{plain(short_title(offer.title), 60)}</b>"
    if offer.company.name:
        first += f" — {plain(offer.company.name, 35)}"
    where = facts.town or offer_place(offer)
    distance = format_distance(facts.distance_km)
    if where and distance:
        where = f"{where} {distance}"
    parts = [
        f"📍 {plain(where, 45)}" if where else "",
        plain(offer_contract(offer), 25),
        plain(_salary_short(facts.salary.display), 45),
        short_date(offer.created_at),
        *(escape(badge) for badge in facts.badges[:1]),
    ]
    return f"{first}\n   {' · '.join(p for p in parts if p)}"


def offer_card(
    offer: Offer,
    *,
    origin: GeoPoint | None = None,
    have: Sequence[str] = (),
    lack: Sequence[str] = (),
    fit: Sequence[str] = (),
    description_limit: int = DESCRIPTION_LIMIT,
) -> str:
    """The full offer card (the one message allowed past ``PHONE_LIMIT``), ≤ MESSAGE_LIMIT.

    ``have`` / ``lack``: the offer's skills the person has and lacks (from their profile).
    ``fit``: the offer's requirements against the profile's licences, experience, working
    time and remote wish (``ft_client.offer_facts.profile_fit_lines``).
    """
    facts = offer_facts(offer, origin)
    lines: list[str] = [f"<b>{plain(offer.title, TITLE_LIMIT)}</b>"]
    if offer.company.name:
        lines.append(f"🏢 {plain(offer.company.name)}")
    where = facts.town or offer_place(offer)
    if where:
        distance = format_distance(facts.distance_km)
        lines.append(f"📍 {plain(where)}" + (f" · {escape(distance)}" if distance else ""))
    contract = " · ".join(
        plain(p, 60)
        for p in (offer_contract(offer), offer.working_hours_label or offer.working_hours_converted)
        if p
    )
    if contract:
        lines.append(f"📄 {contract}")
    lines.append(f"💶 {escape(facts.salary.display)}")
    if offer.experience_label or facts.experience.beginner_accepted:
        lines.append(f"🎓 {plain(facts.experience.display or offer.experience_label)}")
    if facts.badges:
        lines.append(" · ".join(f"<b>{escape(b)}</b>" for b in facts.badges))
    if offer.created_at:
        lines.append(f"📅 {ot.PUBLISHED_ON.format(date=format_date_fr(offer.created_at))}")
    lines.append(f"Réf. <code>{escape(offer.id)}</code>")
    if fit:
        lines.append("")
        lines.extend(escape(line) for line in fit)
    if have or lack:
        lines.append("")
        if have:
            lines.append(ot.YOU_HAVE)
            lines.extend(f"• {plain(s, SKILL_LIMIT)}" for s in have[:MAX_LISTED_SKILLS])
        if lack:
            lines.append(ot.YOU_LACK)
            lines.extend(f"• {plain(s, SKILL_LIMIT)}" for s in lack[:MAX_LISTED_SKILLS])
    elif offer.competences:
        lines.append("")
        lines.append("<b>Compétences demandées</b>")
        lines.extend(
            f"• {plain(c.label, SKILL_LIMIT)}" for c in offer.competences[:MAX_LISTED_SKILLS]
        )
    if offer.description:
        lines.append("")
        lines.extend(
            escape(line) for line in _description_lines(offer.description, description_limit)
        )
    site = link(offer.page_url, "Voir l'offre sur France Travail")
    # The link matters most: keep it even when the body has to be cut.
    body = fit_lines(lines, MESSAGE_LIMIT - telegram_length(site) - 2)
    return f"{body}\n\n{site}"


def _description_lines(description: str, limit: int) -> list[str]:
    text = truncate(description.strip(), limit)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return [line for line in lines if line][:20]


def offer_keyboard(offer: Offer, *, saved: bool = False) -> InlineKeyboardMarkup:
    """⭐ (toggles), 🙈 hide, and "Postuler" (the offer's page, where one applies)."""
    save = InlineKeyboardButton(
        t.OFFER_SAVED_BUTTON if saved else t.OFFER_SAVE_BUTTON,
        callback_data=callbacks.encode(ACTION_UNSAVE if saved else ACTION_SAVE, offer.id),
    )
    hide = InlineKeyboardButton(
        ot.HIDE_BUTTON, callback_data=callbacks.encode(ACTION_HIDE, offer.id)
    )
    contact_url = offer.contact.apply_url if offer.contact else None
    apply_url = (
        contact_url if contact_url and contact_url.startswith("https://") else offer.page_url
    )
    return InlineKeyboardMarkup(
        [[save, hide], [InlineKeyboardButton(ot.APPLY_BUTTON, url=apply_url)]]
    )


def open_offer_button(offer_id: str, label: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        button_text(label), callback_data=callbacks.encode(ACTION_OFFER, offer_id)
    )


def offer_buttons(
    offers: Sequence[Offer], *, first_number: int = 1
) -> list[list[InlineKeyboardButton]]:
    """One row per offer, each with a distinct label ("1. Serveur · Brasserie Lipp")."""
    labels = offer_button_labels(offers, max_chars=BUTTON_TEXT_LIMIT, first_number=first_number)
    return [[open_offer_button(o.id, label)] for o, label in zip(offers, labels, strict=True)]


# ------------------------------------------------------------------ search page


@dataclass(frozen=True, slots=True)
class SearchPageView:
    job_text: str  # what the person typed for the job (or the job's label)
    criteria: Criteria
    offers: tuple[Offer, ...]
    total: int
    page: int  # 0-based
    page_size: int
    origin: GeoPoint | None = None

    @property
    def page_count(self) -> int:
        # France Travail serves results up to index 3149 only: paging stops at MAX_RESULTS.
        return max(1, -(-min(self.total, MAX_SEARCH_RESULTS) // self.page_size))


def search_page(view: SearchPageView) -> str:
    summary = escape(view.criteria.summary())
    if not view.offers:
        return "\n".join(
            [
                ot.NO_RESULT.format(job=plain(view.job_text, 80), summary=summary),
                ot.NO_RESULT_EXITS if change_buttons(view.criteria, "k") else ot.NO_RESULT_WORDS,
            ]
        ).strip()
    count = "1 offre" if view.total == 1 else f"{number_fr(view.total)} offres"
    lines = [
        f"<b>« {plain(view.job_text, 80)} »</b> — {count}, page {view.page + 1}/{view.page_count}",
        ot.CRITERIA_LINE.format(summary=summary),
        "",
    ]
    first = view.page * view.page_size + 1
    for index, offer in enumerate(view.offers, start=first):
        lines.append(offer_line(offer, index=index, origin=view.origin))
    return fit_lines(lines, PHONE_LIMIT)


def number_fr(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def change_buttons(criteria: Criteria, search_key: str) -> list[InlineKeyboardButton]:
    """The ways out of a search: a wider radius, the whole of France, any contract."""
    buttons = []
    if criteria.commune_code and (criteria.radius_km or 0) < WIDE_RADIUS_KM:
        buttons.append(
            InlineKeyboardButton(
                ot.WIDEN_BUTTON.format(km=WIDE_RADIUS_KM),
                callback_data=callbacks.encode(ACTION_SEARCH_CHANGE, search_key, "wide"),
            )
        )
    if criteria.has_place:
        buttons.append(
            InlineKeyboardButton(
                ot.EVERYWHERE_BUTTON,
                callback_data=callbacks.encode(ACTION_SEARCH_CHANGE, search_key, "all"),
            )
        )
    if criteria.has_contract_filter:
        buttons.append(
            InlineKeyboardButton(
                ot.ANY_CONTRACT_BUTTON,
                callback_data=callbacks.encode(ACTION_SEARCH_CHANGE, search_key, "anyc"),
            )
        )
    return buttons


def search_keyboard(view: SearchPageView, search_key: str) -> InlineKeyboardMarkup | None:
    first = view.page * view.page_size + 1
    rows = offer_buttons(view.offers, first_number=first)
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
    rows.extend([b] for b in change_buttons(view.criteria, search_key))
    return InlineKeyboardMarkup(rows) if rows else None
