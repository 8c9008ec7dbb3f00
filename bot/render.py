"""Pure formatting helpers for Telegram HTML messages (no I/O, no PTB)."""

from __future__ import annotations

import html
import math
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_BUTTON_TEXT = 64  # Telegram accepts more, but long buttons are unreadable on phones
PARIS = ZoneInfo("Europe/Paris")

_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_WEEKDAYS_SHORT_FR = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")

# Control characters other than tab and newline break Telegram's parser and mean nothing.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape(text: object) -> str:
    """Escape any text (user's or France Travail's) for Telegram HTML; None -> ""."""
    if text is None:
        return ""
    return html.escape(_CONTROL_RE.sub("", str(text)), quote=False)


def escape_attr(text: object) -> str:
    """Escape a value placed inside a double-quoted HTML attribute (e.g. an href)."""
    if text is None:
        return ""
    return html.escape(_CONTROL_RE.sub("", str(text)), quote=False).replace('"', "&quot;")


def link(url: str, label: str) -> str:
    """An <a> tag with escaped label and URL (only http(s) URLs; otherwise the bare label)."""
    if not re.match(r"^https?://", url or ""):
        return escape(label)
    return f'<a href="{escape_attr(url)}">{escape(label)}</a>'


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut plain `text` to at most `limit` characters, at a word boundary when one is near."""
    if limit < 0:
        raise ValueError("limit must be >= 0")
    if len(text) <= limit:
        return text
    if limit <= len(ellipsis):
        return ellipsis[:limit]
    room = limit - len(ellipsis)
    cut = text[:room]
    space = cut.rfind(" ")
    # Prefer a word boundary, but not if it throws away most of the room.
    if space >= room * 0.7:
        cut = cut[:space]
    return cut.rstrip(" \t\n,;:.-–") + ellipsis


def clean_text(text: str | None, limit: int | None = None) -> str:
    """Normalise user/API text: drop control characters, collapse blank runs, strip, cut."""
    if not text:
        return ""
    cleaned = _CONTROL_RE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    cleaned = re.sub(r"[ \t\u00a0]+", " ", cleaned)
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned).strip()
    return truncate(cleaned, limit) if limit is not None else cleaned


# --- splitting long HTML ----------------------------------------------------------------------

_TOKEN_RE = re.compile(r"<[^<>]*>|&#?\w+;|\n|[^<&\n]+|[<&]")
_TAG_NAME_RE = re.compile(r"^</?\s*([a-zA-Z][\w-]*)")
_MAX_TEXT_TOKEN = 200


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji often counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _tokenize(html_text: str) -> list[str]:
    tokens: list[str] = []
    for token in _TOKEN_RE.findall(html_text):
        if len(token) > 1 and token[0] in "<&":
            tokens.append(token)
            continue
        # Text runs: split after spaces so breaks can fall between words, then bound the size.
        for word in re.findall(r"\S+\s*|\s+", token):
            for i in range(0, len(word), _MAX_TEXT_TOKEN):
                tokens.append(word[i : i + _MAX_TEXT_TOKEN])
    return tokens


def _apply_tag(stack: list[tuple[str, str]], token: str) -> list[tuple[str, str]]:
    if not (token.startswith("<") and token.endswith(">") and len(token) > 2):
        return stack
    match = _TAG_NAME_RE.match(token)
    if not match:
        return stack
    name = match.group(1).lower()
    if token.startswith("</"):
        for i in range(len(stack) - 1, -1, -1):
            if stack[i][0] == name:
                return stack[:i] + stack[i + 1 :]
        return stack
    return [*stack, (name, token)]


def _closing(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _opening(stack: list[tuple[str, str]]) -> str:
    return "".join(tag for _, tag in stack)


def split_message(html_text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split Telegram HTML into chunks of at most `limit` characters (UTF-16 units).

    Breaks preferably at a line end, never inside a tag or an entity; tags open at a break are
    closed at the end of the chunk and reopened at the start of the next one.
    """
    if limit < 64:
        raise ValueError("limit too small to split HTML safely")
    if utf16_len(html_text) <= limit:
        return [html_text]
    tokens = _tokenize(html_text)
    chunks: list[str] = []
    stack: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        # Skip blank lines at the start of a chunk.
        while i < len(tokens) and tokens[i].isspace():
            i += 1
        if i >= len(tokens):
            break
        prefix = _opening(stack)
        current = list(stack)
        length = utf16_len(prefix)
        j = i
        line_break: tuple[int, list[tuple[str, str]]] | None = None
        word_break: tuple[int, list[tuple[str, str]]] | None = None
        while j < len(tokens):
            token = tokens[j]
            after = _apply_tag(current, token)
            size = utf16_len(token)
            if length + size + len(_closing(after)) > limit:
                break
            length += size
            current = after
            j += 1
            if token.startswith("\n"):
                line_break = (j, list(current))
            elif token[-1:].isspace():
                word_break = (j, list(current))
        if j == len(tokens):
            end, end_stack = j, current
        elif line_break and line_break[0] - i >= (j - i) // 2:
            end, end_stack = line_break
        elif word_break and word_break[0] - i >= (j - i) // 2:
            end, end_stack = word_break
        else:
            end, end_stack = j, current
        if end == i:
            # Only possible when the reopened tags alone fill the limit: drop the formatting.
            stack = []
            continue
        body = "".join(tokens[i:end]).rstrip()
        chunk = prefix + body + _closing(end_stack)
        if re.sub(r"<[^>]*>", "", chunk).strip():
            chunks.append(chunk)
        i = end
        stack = end_stack
    return chunks


# --- scores and dates --------------------------------------------------------------------------


def _clamp(score: float) -> float:
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return 0.0
    return max(0.0, min(1.0, float(score)))


def percent(score: float) -> str:
    """0.724 -> "72 %" (French typography: non-breaking space before %)."""
    return f"{round(_clamp(score) * 100)}\u00a0%"


def score_bar(score: float, width: int = 10) -> str:
    """A fixed-width bar such as "▰▰▰▰▰▰▰▱▱▱" for a score in [0, 1]."""
    if width < 1:
        raise ValueError("width must be >= 1")
    filled = round(_clamp(score) * width)
    return "▰" * filled + "▱" * (width - filled)


def format_date_fr(value: date | datetime | None, tz: ZoneInfo = PARIS) -> str:
    """25 novembre 2026 (aware datetimes are converted to `tz` first); None -> ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(tz)
        value = value.date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {_MONTHS_FR[value.month - 1]} {value.year}"


def format_weekday_date_fr(value: date) -> str:
    """'mardi 25 novembre' (no year: a digest's or a message's day)."""
    return f"{_WEEKDAYS_FR[value.weekday()]} {value.day} {_MONTHS_FR[value.month - 1]}"


def format_age_fr(value: datetime | None, now: datetime, tz: ZoneInfo = PARIS) -> str:
    """How long ago, in words: "aujourd'hui", "hier", "il y a 3 jours", else the date."""
    if value is None:
        return ""
    if value.tzinfo is None or now.tzinfo is None:
        days = (now.date() - value.date()).days
    else:
        days = (now.astimezone(tz).date() - value.astimezone(tz).date()).days
    if days <= 0:
        return "aujourd'hui"
    if days == 1:
        return "hier"
    if days < 31:
        return f"il y a {days} jours"
    return f"le {format_date_fr(value, tz)}"


def format_time_fr(value: time) -> str:
    """07:30 -> "7 h 30", 08:00 -> "8 h"."""
    if value.minute:
        return f"{value.hour}\u00a0h\u00a0{value.minute:02d}"
    return f"{value.hour}\u00a0h"


def format_days_fr(days: frozenset[int] | set[int]) -> str:
    """Days of the week (0 = Monday) in words: "tous les jours", "du lundi au vendredi", …"""
    chosen = sorted(d for d in days if 0 <= d <= 6)
    if len(chosen) == 7:
        return "tous les jours"
    if chosen == [0, 1, 2, 3, 4]:
        return "du lundi au vendredi"
    if not chosen:
        return "aucun jour"
    return ", ".join(_WEEKDAYS_FR[d] for d in chosen)


def weekday_short_fr(day: int) -> str:
    return _WEEKDAYS_SHORT_FR[day]


def button_text(text: str, limit: int = MAX_BUTTON_TEXT) -> str:
    """Plain text for an inline button (no HTML there), single line, bounded."""
    return truncate(" ".join(str(text).split()), limit)


def bullet_list(items: list[str], bullet: str = "•") -> str:
    """Escaped bullet lines from plain strings."""
    return "\n".join(f"{bullet} {escape(item)}" for item in items)
