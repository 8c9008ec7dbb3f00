"""Telegram's HTML parse mode as the emulator implements it (pure functions)."""

from __future__ import annotations

import pytest

from sandbox.telegram.html_entities import (
    EntityParseError,
    FormattedText,
    detect_entities,
    escape,
    parse_html,
    strip_formatted,
    utf16_len,
    utf16_slice,
)


def test_allowed_tags_become_entities() -> None:
    parsed = parse_html(
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        "<strike>k</strike><del>d</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">q</span><code>c</code><blockquote>q</blockquote>'
    )
    assert parsed.text == "bsieunskdpqcq"
    assert [e["type"] for e in parsed.entities] == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "code",
        "blockquote",
    ]
    assert [e["offset"] for e in parsed.entities] == list(range(13))


def test_nested_entities_pre_with_language_and_links() -> None:
    parsed = parse_html(
        '<b>Gras <i>et italique</i></b> <a href="https://ex.fr/?a=1&amp;b=2">lien</a> '
        '<pre><code class="language-python">print(1)</code></pre>'
    )
    assert parsed.text == "Gras et italique lien print(1)"
    assert parsed.entities == (
        {"type": "bold", "offset": 0, "length": 16},
        {"type": "italic", "offset": 5, "length": 11},
        {"type": "text_link", "offset": 17, "length": 4, "url": "https://ex.fr/?a=1&b=2"},
        {"type": "pre", "offset": 22, "length": 8, "language": "python"},
    )


def test_tag_names_are_case_insensitive_and_unquoted_attributes_work() -> None:
    parsed = parse_html("<B>x</B> <a href=https>y</a>")
    assert parsed.text == "x y"
    assert parsed.entities[0]["type"] == "bold"
    assert parsed.entities[1] == {"type": "text_link", "offset": 2, "length": 1, "url": "https"}


def test_escapes_and_bare_ampersands() -> None:
    parsed = parse_html("&lt;b&gt; &amp; &quot;x&quot; &#233;&#xE9; AT&T &nbsp; &")
    # Telegram decodes only these four names and numeric references; others stay literal.
    assert parsed.text == '<b> & "x" éé AT&T &nbsp; &'
    assert parsed.entities == ()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<br/>", 'Unsupported start tag "br/" at byte offset 0'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("x < y", 'Unsupported start tag "" at byte offset 2'),
        ("é <script>", 'Unsupported start tag "script" at byte offset 3'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href "x">y</a>', 'Expected equal sign in declaration of an attribute of the tag "a"'),
        ("<a href=x/y>z</a>", "Unexpected end of name token at byte offset 8"),
    ],
)
def test_invalid_html_is_rejected_with_telegrams_words(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value).startswith(message)


def test_injection_looking_text_must_be_escaped() -> None:
    hostile = "<script>alert('x')</script> & DROP TABLE users; --"
    with pytest.raises(EntityParseError):
        parse_html(hostile)
    assert parse_html(escape(hostile)).text == hostile


def test_offsets_count_utf16_code_units() -> None:
    parsed = parse_html("😀 <b>é😀</b>")
    assert parsed.entities == ({"type": "bold", "offset": 3, "length": 3},)
    assert utf16_len("😀") == 2
    assert utf16_slice(parsed.text, 3, 3) == "é😀"


def test_empty_entities_are_dropped_and_whitespace_trimmed() -> None:
    parsed = strip_formatted(parse_html("  <b></b>\n <i> titre </i>\n"))
    assert parsed == FormattedText("titre", ({"type": "italic", "offset": 0, "length": 5},))


def test_link_without_href_uses_its_text_and_bad_links_are_dropped() -> None:
    assert parse_html("<a>https://ex.fr</a>").entities == (
        {"type": "text_link", "offset": 0, "length": 13, "url": "https://ex.fr"},
    )
    assert parse_html('<a href="tg://user?id=42">Léa</a>').entities[0]["type"] == "text_mention"
    assert parse_html('<a href="pas un lien">x</a>').entities == ()


def test_detected_entities_for_commands_urls_and_mentions() -> None:
    text = "/start@ft_job_bot voir https://ex.fr/a#b et @francetravail #emploi"
    kinds = [
        (e["type"], utf16_slice(text, e["offset"], e["length"])) for e in detect_entities(text)
    ]
    assert kinds == [
        ("bot_command", "/start@ft_job_bot"),
        ("url", "https://ex.fr/a#b"),
        ("mention", "@francetravail"),
        ("hashtag", "#emploi"),
    ]
    assert detect_entities("3/4 and a/b") == ()


def test_expandable_blockquote_and_code_language_outside_pre() -> None:
    parsed = parse_html(
        '<blockquote expandable>long</blockquote> <code class="language-py">x</code>'
    )
    assert parsed.entities == (
        {"type": "expandable_blockquote", "offset": 0, "length": 4},
        {"type": "code", "offset": 5, "length": 1},
    )
