"""Unit tests for the pure HTML/formatting helpers in bot.render."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest

from bot.render import (
    MAX_MESSAGE_LENGTH,
    button_text,
    clean_text,
    escape,
    escape_attr,
    format_age_fr,
    format_date_fr,
    format_days_fr,
    format_time_fr,
    link,
    percent,
    score_bar,
    split_message,
    truncate,
    utf16_len,
)

ALLOWED_TAGS = {"b", "i", "u", "s", "a", "code", "pre", "blockquote", "tg-spoiler", "span"}


def _balanced(html: str) -> bool:
    """Every tag opened in `html` is closed in order, and only allowed tags are used."""
    stack: list[str] = []
    for closing, name in re.findall(r"<(/?)([a-zA-Z][\w-]*)[^>]*>", html):
        if name not in ALLOWED_TAGS:
            return False
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def _plain(html: str) -> str:
    return re.sub(r"<[^>]*>", "", html)


def test_escape_user_and_api_text() -> None:
    assert escape("<script>alert('x')</script> & co") == (
        "&lt;script&gt;alert('x')&lt;/script&gt; &amp; co"
    )
    assert escape(None) == ""
    assert escape("a\x00b\x1fc\nd") == "abc\nd"
    assert escape_attr('https://x.fr/?a=1&b="2"') == "https://x.fr/?a=1&amp;b=&quot;2&quot;"


def test_link_only_for_http_urls() -> None:
    assert link("https://candidat.francetravail.fr/o/1", "Voir <l'offre>") == (
        '<a href="https://candidat.francetravail.fr/o/1">Voir &lt;l\'offre&gt;</a>'
    )
    assert link("javascript:alert(1)", "x") == "x"


@pytest.mark.parametrize("limit", [0, 1, 2, 10, 25, 100])
def test_truncate_bounds(limit: int) -> None:
    text = "Serveur en restauration traditionnelle à Paris, service du midi et du soir"
    out = truncate(text, limit)
    assert len(out) <= limit
    if limit >= len(text):
        assert out == text
    elif limit > 1:
        assert out.endswith("…")


def test_truncate_prefers_word_boundary_and_keeps_short_text() -> None:
    assert truncate("bonjour le monde entier", 18) == "bonjour le monde…"
    assert truncate("court", 10) == "court"
    assert truncate("x" * 50, 10) == "x" * 9 + "…"
    with pytest.raises(ValueError):
        truncate("x", -1)


def test_clean_text() -> None:
    assert clean_text("  a\x07b \t\t c\r\n\n\n\nd  ") == "ab c\n\nd"
    assert clean_text(None) == ""
    assert len(clean_text("mot " * 100, limit=20)) <= 20


def test_split_short_message_unchanged() -> None:
    assert split_message("<b>Bonjour</b>") == ["<b>Bonjour</b>"]


def test_split_long_html_keeps_tags_balanced_and_text_complete() -> None:
    body = "".join(f"<b>Offre {i}</b> — serveur &amp; barman à <i>Paris</i>\n" for i in range(400))
    html = f"<blockquote>{body}</blockquote>"
    chunks = split_message(html)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk) <= MAX_MESSAGE_LENGTH
        assert _balanced(chunk), chunk[:200]
        assert not re.search(r"&[#\w]*$", chunk.split(";")[-1])  # no cut entity at the end
    joined = "".join(_plain(c).replace("\n", "") for c in chunks)
    assert joined == _plain(html).replace("\n", "")


def test_split_breaks_at_line_ends_when_possible() -> None:
    lines = [f"ligne numéro {i:04d} " + "x" * 40 for i in range(300)]
    chunks = split_message("\n".join(lines), limit=1000)
    for chunk in chunks:
        assert chunk.startswith("ligne numéro")  # never a cut in the middle of a line
        assert len(chunk) <= 1000


def test_split_one_huge_word_and_entities() -> None:
    html = "&lt;" * 3000 + "a" * 5000
    chunks = split_message(html, limit=4096)
    assert all(len(c) <= 4096 for c in chunks)
    assert "".join(chunks) == html
    for chunk in chunks:
        assert not re.search(r"&[a-z]*$", chunk)


def test_split_rejects_tiny_limit() -> None:
    with pytest.raises(ValueError):
        split_message("x" * 100, limit=10)


@pytest.mark.parametrize(
    ("score", "text", "bar"),
    [
        (0.0, "0\u00a0%", "▱" * 10),
        (0.724, "72\u00a0%", "▰" * 7 + "▱" * 3),
        (1.0, "100\u00a0%", "▰" * 10),
        (1.7, "100\u00a0%", "▰" * 10),
        (-0.3, "0\u00a0%", "▱" * 10),
        (float("nan"), "0\u00a0%", "▱" * 10),
    ],
)
def test_percent_and_score_bar(score: float, text: str, bar: str) -> None:
    assert percent(score) == text
    assert score_bar(score) == bar
    assert len(score_bar(score, width=5)) == 5


def test_dates_in_french() -> None:
    assert format_date_fr(date(2026, 8, 1)) == "1er août 2026"
    assert format_date_fr(date(2026, 12, 25)) == "25 décembre 2026"
    # 23:30 UTC on 31 Dec is already 1 Jan in Paris.
    assert format_date_fr(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "1er janvier 2027"
    assert format_date_fr(None) == ""
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert format_age_fr(datetime(2026, 11, 25, 8, 0, tzinfo=UTC), now) == "aujourd'hui"
    assert format_age_fr(datetime(2026, 11, 24, 8, 0, tzinfo=UTC), now) == "hier"
    assert format_age_fr(datetime(2026, 11, 20, 8, 0, tzinfo=UTC), now) == "il y a 5 jours"
    assert format_age_fr(datetime(2026, 1, 2, 8, 0, tzinfo=UTC), now) == "le 2 janvier 2026"


def test_times_and_days() -> None:
    assert format_time_fr(time(8, 0)) == "8\u00a0h"
    assert format_time_fr(time(18, 30)) == "18\u00a0h\u00a030"
    assert format_days_fr(frozenset(range(7))) == "tous les jours"
    assert format_days_fr({0, 1, 2, 3, 4}) == "du lundi au vendredi"
    assert format_days_fr({5, 6}) == "samedi, dimanche"
    assert format_days_fr(set()) == "aucun jour"


def test_button_text_single_line_and_bounded() -> None:
    out = button_text("Serveur\n  en   salle " * 20)
    assert "\n" not in out
    assert len(out) <= 64


def test_split_counts_like_telegram_utf16() -> None:
    html = "😀" * 3000  # 3 000 code points, 6 000 UTF-16 units
    chunks = split_message(html)
    assert len(chunks) == 2
    assert all(utf16_len(c) <= MAX_MESSAGE_LENGTH for c in chunks)
    assert "".join(chunks) == html
