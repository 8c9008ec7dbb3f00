"""Pure selection and HTML rendering of the daily alert digest.

No I/O here: the alert cycle feeds ranked offers in, gets a `Digest` (what to show, how many more
match) and the Telegram HTML to send. Everything a user or an offer supplies is HTML-escaped, and
the rendered message always fits Telegram's 4096-character limit (entries that do not fit are
moved to the "+N autres offres" remainder rather than cut in the middle of a tag).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from bot.render import escape, escape_attr, format_weekday_date_fr, truncate
from bot.texts import scores as vocabulary
from ft_client.models import Offer

TELEGRAM_TEXT_LIMIT = 4096
MAX_TITLE_CHARS = 120
MAX_COMPANY_CHARS = 60
MAX_TOWN_CHARS = 60
MAX_CONTRACT_CHARS = 40
MAX_SKILLS_SHOWN = 3
MAX_SKILL_CHARS = 50

# "69 - Lyon 3e Arrondissement", "2A - AJACCIO", "974 - Saint-Denis"
_PLACE_LABEL_RE = re.compile(r"^\s*(\d{2,3}|2[AB])\s*-\s*(.+?)\s*$")


class RankedLike(Protocol):
    """What `ft_client.matching.rank_offers` returns per offer (only the parts used here)."""

    @property
    def offer(self) -> Offer: ...

    @property
    def score(self) -> float: ...

    @property
    def skill_score(self) -> float | None: ...

    @property
    def matched(self) -> Sequence[Any]: ...


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One offer line of a digest, already reduced to what is displayed: the skill coverage
    (`RankedOffer.skill_score`, None without skills), never the ranking relevance."""

    offer_id: str
    title: str
    url: str
    coverage: float | None
    company: str | None = None
    town: str | None = None
    contract: str | None = None
    matched_skills: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Digest:
    """What one user is sent: `items` (best first) and how many other offers also qualify."""

    items: tuple[DigestItem, ...]
    more_count: int = 0

    @property
    def offer_ids(self) -> tuple[str, ...]:
        return tuple(item.offer_id for item in self.items)

    @property
    def empty(self) -> bool:
        return not self.items


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units): an emoji counts as 2."""
    return len(text.encode("utf-16-le")) // 2


def _plain(text: str, limit: int) -> str:
    """Collapse whitespace, cut, then escape (cutting first never splits an entity)."""
    return escape(truncate(" ".join(text.split()), limit))


def town_label(offer: Offer) -> str | None:
    """'69 - Lyon 3e Arrondissement' → 'Lyon 3e Arrondissement (69)'; other labels as they are."""
    label = offer.place.label
    if not label:
        return None
    match = _PLACE_LABEL_RE.match(label)
    if match:
        departement, name = match.groups()
        # Some labels are only the département ("75 - Paris (Dept.)"): keep them readable.
        return f"{name} ({departement})"
    return label.strip() or None


def contract_label(offer: Offer) -> str | None:
    return offer.contract_type_label or offer.contract_type


def matched_skill_labels(matched: Iterable[Any]) -> tuple[str, ...]:
    """The offer/referential skill labels a user's skills matched, deduplicated, in order.

    `rank_offers` reports matches as objects pairing the user's phrase with the skill it matched;
    the label of the skill (not the user's phrase) is what tells the user why the offer fits.
    """
    seen: set[str] = set()
    labels: list[str] = []
    for match in matched:
        label = _skill_label(match)
        if not label:
            continue
        key = label.casefold()
        if key not in seen:
            seen.add(key)
            labels.append(label)
    return tuple(labels)


def _skill_label(match: Any) -> str | None:
    if isinstance(match, str):
        return match.strip() or None
    for name in ("skill_label", "skill", "target", "label"):
        value = getattr(match, name, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
        label = getattr(value, "label", None)
        if isinstance(label, str) and label.strip():
            return label.strip()
    if isinstance(match, tuple) and len(match) >= 2 and isinstance(match[1], str):
        return match[1].strip() or None
    return None


def item_from_ranked(ranked: RankedLike) -> DigestItem:
    offer = ranked.offer
    return DigestItem(
        offer_id=offer.id,
        title=offer.title,
        url=offer.page_url,
        coverage=_coverage(ranked.skill_score),
        company=offer.company.name,
        town=town_label(offer),
        contract=contract_label(offer),
        matched_skills=matched_skill_labels(ranked.matched),
    )


def _coverage(skill_score: float | None) -> float | None:
    if skill_score is None:
        return None
    return max(0.0, min(1.0, float(skill_score)))


def qualifying(ranked: Sequence[RankedLike], min_score: float) -> list[RankedLike]:
    """Offers at or above the minimum fit, best first (stable for equal scores)."""
    keep = [r for r in ranked if r.score >= min_score]
    keep.sort(key=lambda r: r.score, reverse=True)
    return keep


def build_digest(
    ranked: Sequence[RankedLike],
    *,
    min_score: float,
    size: int,
    day: date | None = None,
    limit: int = TELEGRAM_TEXT_LIMIT,
) -> Digest:
    """Top `size` qualifying offers; the rest are counted in `more_count`.

    If the rendered message would exceed `limit`, the last entries move to the remainder.
    """
    return _fit_digest(
        ranked, min_score, size, limit, lambda digest: render_digest(digest, day=day)
    )


def _fit_digest(
    ranked: Sequence[RankedLike],
    min_score: float,
    size: int,
    limit: int,
    render: Callable[[Digest], str],
) -> Digest:
    """The top `size` qualifying offers, fewer while `render` of them exceeds `limit`."""
    if size < 1:
        raise ValueError("size must be at least 1")
    keep = qualifying(ranked, min_score)
    items = [item_from_ranked(r) for r in keep[:size]]
    total = len(keep)
    while items:
        digest = Digest(items=tuple(items), more_count=total - len(items))
        if telegram_length(render(digest)) <= limit:
            return digest
        items.pop()
    return Digest(items=(), more_count=0)


def format_day_fr(day: date) -> str:
    """'mardi 25 novembre' (the digest's day, in the alert time zone)."""
    return format_weekday_date_fr(day)


def render_item(index: int, item: DigestItem) -> str:
    title = _plain(item.title, MAX_TITLE_CHARS)
    url = escape_attr(item.url)
    lines = [f'<b>{index}. <a href="{url}">{title}</a></b>']
    facts = [
        _plain(value, limit)
        for value, limit in (
            (item.company, MAX_COMPANY_CHARS),
            (item.town, MAX_TOWN_CHARS),
            (item.contract, MAX_CONTRACT_CHARS),
        )
        if value
    ]
    if facts:
        lines.append(" · ".join(facts))
    fit = [vocabulary.covers_offer(item.coverage)] if item.coverage is not None else []
    if item.matched_skills:
        skills = ", ".join(
            _plain(s, MAX_SKILL_CHARS) for s in item.matched_skills[:MAX_SKILLS_SHOWN]
        )
        fit.append(f"vos atouts : {skills}")
    if fit:
        lines.append(" — ".join(fit))
    return "\n".join(lines)


def more_line(count: int) -> str:
    if count <= 0:
        return ""
    noun = "autre offre correspond" if count == 1 else "autres offres correspondent"
    return f"➕ <b>{count}</b> {noun} à votre profil."


def more_button_text(count: int) -> str:
    return "Voir l'autre offre" if count == 1 else f"Voir les {count} autres offres"


def render_digest(digest: Digest, *, day: date | None = None) -> str:
    """The whole digest message (Telegram HTML)."""
    count = len(digest.items)
    when = f" du {format_day_fr(day)}" if day else ""
    heading = f"🔔 <b>Votre alerte emploi{when}</b>"
    intro = (
        "Une nouvelle offre correspond à votre profil :"
        if count == 1
        else f"{count} nouvelles offres correspondent à votre profil :"
    )
    parts = [heading, intro]
    parts.extend(render_item(i, item) for i, item in enumerate(digest.items, start=1))
    more = more_line(digest.more_count)
    if more:
        parts.append(more)
    parts.append("<i>Réglez l'heure et les jours de vos alertes avec /alertes.</i>")
    return "\n\n".join(parts)


def render_merged_digest(sections: Sequence[tuple[str, Digest]], *, day: date | None = None) -> str:
    """One message for several alerts due together, grouped by alert (their label), offers
    numbered across sections (the ⭐ / 🙈 buttons carry the same numbers). Build the sections
    with ``ft_client.alert_schedule.merge_digests`` so that no offer appears twice."""
    when = f" du {format_day_fr(day)}" if day else ""
    parts = [f"🔔 <b>Vos alertes emploi{when}</b>"]
    number = 1
    for label, section in sections:
        if not section.items:
            continue
        parts.append(f"<b>— {_plain(label, MAX_TITLE_CHARS)}</b>")
        for item in section.items:
            parts.append(render_item(number, item))
            number += 1
        more = more_line(section.more_count)
        if more:
            parts.append(more)
    parts.append("<i>Réglez vos alertes (fréquence, filtres, pause) avec /alertes.</i>")
    return "\n\n".join(parts)


def merged_items(sections: Sequence[tuple[str, Digest]]) -> Digest:
    """All the offers of a merged digest as one `Digest` (for its keyboard and bookkeeping)."""
    items = tuple(item for _label, section in sections for item in section.items)
    return Digest(items=items, more_count=0)


def render_more_page(digest: Digest, *, start_index: int = 1) -> str:
    """A follow-up page of offers (the "+N autres offres" button)."""
    if not digest.items:
        return "Plus d'autres offres pour cette alerte : vous les avez toutes vues."
    parts = ["🔎 <b>Autres offres de votre alerte</b>"]
    parts.extend(render_item(i, item) for i, item in enumerate(digest.items, start=start_index))
    more = more_line(digest.more_count)
    if more:
        parts.append(more)
    return "\n\n".join(parts)


def build_more_page(
    ranked: Sequence[RankedLike],
    *,
    min_score: float,
    size: int,
    start_index: int = 1,
    limit: int = TELEGRAM_TEXT_LIMIT,
) -> Digest:
    """Like `build_digest`, sized against the follow-up page layout."""
    return _fit_digest(
        ranked,
        min_score,
        size,
        limit,
        lambda digest: render_more_page(digest, start_index=start_index),
    )
