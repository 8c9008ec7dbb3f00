"""Telegram's HTML parse mode, reimplemented after TDLib's ``parse_html``.

Telegram accepts only a handful of tags, decodes only ``&lt; &gt; &amp; &quot;`` and numeric
character references, keeps any other ``&`` literally, and rejects everything else with
``can't parse entities: …`` and a byte offset. The emulator uses this module to validate what
the bot sends and to compute the ``entities`` of the returned Message (offsets and lengths in
UTF-16 code units, as the Bot API counts them).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

_SIMPLE_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}

_NAMED_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = frozenset(" \t\r\n\f\v")


def _is_name_token_byte(byte: int) -> bool:
    return (byte < 0x80 and chr(byte).isalnum()) or byte in b".-"


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(error)`` is Telegram's own wording."""


@dataclass(frozen=True, slots=True)
class FormattedText:
    """Plain text plus Bot API ``MessageEntity`` dicts (UTF-16 offsets)."""

    text: str
    entities: tuple[dict[str, Any], ...]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what Telegram counts for limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _decode_reference(raw: bytes, pos: int) -> tuple[str, int] | None:
    """Decode ``&…;`` at ``pos`` like TDLib; None when it is not a reference Telegram knows."""
    end = raw.find(b";", pos + 1, pos + 12)
    if end == -1:
        return None
    body = raw[pos + 1 : end].decode("ascii", "replace")
    if body in _NAMED_REFERENCES:
        return _NAMED_REFERENCES[body], end + 1
    if body.startswith("#"):
        digits = body[1:]
        try:
            code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits, 10)
        except ValueError:
            return None
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), end + 1
    return None


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_index: int


def parse_html(text: str) -> FormattedText:
    """Parse Telegram HTML into plain text and entities, or raise ``EntityParseError``.

    Byte offsets in error messages are offsets in the UTF-8 encoded input, like Telegram's.
    """
    raw = text.encode("utf-8")
    size = len(raw)
    out: list[str] = []
    out_len = 0  # length of "".join(out) in code points, for <a> without href
    utf16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[_OpenTag] = []
    i = 0

    def at(index: int) -> int:
        return raw[index] if index < size else 0

    def is_space(index: int) -> bool:
        return index < size and chr(raw[index]) in _SPACES

    while i < size:
        c = raw[i]
        if c == ord("&"):
            decoded = _decode_reference(raw, i)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                out_len += 1
                utf16 += utf16_len(char)
                continue
        if c != ord("<"):
            # Copy one whole UTF-8 character.
            length = 1 if c < 0x80 else 2 if c < 0xE0 else 3 if c < 0xF0 else 4
            char = raw[i : i + length].decode("utf-8", "replace")
            out.append(char)
            out_len += len(char)
            utf16 += utf16_len(char)
            i += length
            continue

        begin = i
        i += 1
        if at(i) != ord("/"):
            while i < size and not is_space(i) and raw[i] != ord(">"):
                i += 1
            if i >= size:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            tag = raw[begin + 1 : i].decode("utf-8", "replace").lower()
            if tag not in SUPPORTED_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while at(i) != ord(">"):
                while is_space(i):
                    i += 1
                if at(i) == ord(">"):
                    break
                attr_begin = i
                while i < size and not is_space(i) and raw[i] not in b"=>":
                    i += 1
                attr_name = raw[attr_begin:i].decode("utf-8", "replace")
                if not attr_name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while is_space(i):
                    i += 1
                if at(i) != ord("=") and tag == "blockquote" and attr_name == "expandable":
                    argument = "1"  # <blockquote expandable> takes no value
                    continue
                if at(i) != ord("="):
                    raise EntityParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {begin}'
                    )
                i += 1
                while is_space(i):
                    i += 1
                if i >= size:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                quote = raw[i]
                if quote not in (ord("'"), ord('"')):
                    token_begin = i
                    while i < size and (
                        (raw[i] < 0x80 and chr(raw[i]).isalnum()) or raw[i] in b".-"
                    ):
                        i += 1
                    value = raw[token_begin:i].decode("ascii").lower()
                    if i < size and not is_space(i) and raw[i] != ord(">"):
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    i += 1
                    value_bytes = bytearray()
                    while i < size and raw[i] != quote:
                        if raw[i] == ord("&"):
                            decoded = _decode_reference(raw, i)
                            if decoded is not None:
                                value_bytes += decoded[0].encode("utf-8")
                                i = decoded[1]
                                continue
                        value_bytes.append(raw[i])
                        i += 1
                    if i < size:
                        i += 1
                    value = value_bytes.decode("utf-8", "replace")
                if i >= size:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr_name == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            stack.append(_OpenTag(tag, argument, utf16, out_len))
            i += 1  # the '>'
            continue

        # An end tag.
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        while i < size and not is_space(i) and raw[i] != ord(">"):
            i += 1
        end_name = raw[begin + 2 : i].decode("utf-8", "replace").lower()
        while is_space(i):
            i += 1
        if at(i) != ord(">"):
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        i += 1
        opened = stack.pop()
        if end_name and end_name != opened.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{opened.name}>", '
                f'found "</{end_name}>"'
            )
        if utf16 > opened.utf16_offset:
            _close_entity(opened, utf16, "".join(out), entities)

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    ordered = tuple(sorted(entities, key=_entity_order))
    return FormattedText("".join(out), finalize_code_languages(ordered))


def _entity_order(entity: dict[str, Any]) -> tuple[int, int]:
    return entity["offset"], -entity["length"]


def _close_entity(
    opened: _OpenTag, utf16_end: int, text_so_far: str, entities: list[dict[str, Any]]
) -> None:
    offset = opened.utf16_offset
    length = utf16_end - offset
    tag = opened.name
    if tag in _SIMPLE_ENTITY_TYPES:
        entities.append({"type": _SIMPLE_ENTITY_TYPES[tag], "offset": offset, "length": length})
    elif tag == "a":
        url = opened.argument or text_so_far[opened.text_index :]
        user_id = re.fullmatch(r"tg://user\?id=(\d+)", url)
        if user_id:
            entities.append(
                {
                    "type": "text_mention",
                    "offset": offset,
                    "length": length,
                    "user": {"id": int(user_id.group(1)), "is_bot": False, "first_name": ""},
                }
            )
        elif _is_valid_link(url):
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
        # Telegram silently drops links it cannot parse.
    elif tag == "tg-emoji":
        if opened.argument.isdigit():
            entities.append(
                {
                    "type": "custom_emoji",
                    "offset": offset,
                    "length": length,
                    "custom_emoji_id": opened.argument,
                }
            )
    elif tag == "blockquote":
        kind = "expandable_blockquote" if opened.argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and last.get("language")
        ):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and last["offset"] == offset
            and last["length"] == length
            and opened.argument
        ):
            last["language"] = opened.argument
        elif opened.argument:
            entities.append(
                {"type": "code", "offset": offset, "length": length, "language": opened.argument}
            )
        else:
            entities.append({"type": "code", "offset": offset, "length": length})


_LINK_RE = re.compile(r"(?i)^(?:(?:https?|tg|ftp)://)?[^\s/$.?#][^\s]*$")


def _is_valid_link(url: str) -> bool:
    return bool(url) and _LINK_RE.match(url) is not None


def finalize_code_languages(entities: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
    """Drop the helper ``language`` key from plain ``code`` entities (only ``pre`` has one)."""
    cleaned = []
    for entity in entities:
        if entity["type"] == "code" and "language" in entity:
            entity = {k: v for k, v in entity.items() if k != "language"}
        cleaned.append(entity)
    return tuple(cleaned)


def strip_formatted(formatted: FormattedText) -> FormattedText:
    """Trim leading/trailing whitespace as Telegram does, shifting and clipping entities."""
    text = formatted.text
    stripped_left = text.lstrip()
    left = utf16_len(text) - utf16_len(stripped_left)
    stripped = stripped_left.rstrip()
    total = utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in formatted.entities:
        start = max(entity["offset"] - left, 0)
        end = min(entity["offset"] + entity["length"] - left, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, tuple(entities))


_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_URL_RE = re.compile(r"(?i)\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}\b")
_HASHTAG_RE = re.compile(r"(?<![\w#])#\w+")


def detect_entities(text: str) -> tuple[dict[str, Any], ...]:
    """Entities Telegram adds by itself: bot commands, URLs, @mentions and #hashtags."""
    found: list[dict[str, Any]] = []
    for kind, pattern in (
        ("bot_command", _COMMAND_RE),
        ("url", _URL_RE),
        ("mention", _MENTION_RE),
        ("hashtag", _HASHTAG_RE),
    ):
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                }
            )
    # Keep the earliest non-overlapping matches (a URL may contain "/path" or "#anchor").
    found.sort(key=_entity_order)
    kept: list[dict[str, Any]] = []
    end = 0
    for entity in found:
        if entity["offset"] >= end:
            kept.append(entity)
            end = entity["offset"] + entity["length"]
    return tuple(kept)


def merge_detected(text: str, entities: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
    """Add auto-detected entities that do not overlap a link or code span the sender set."""
    blocking = [
        (e["offset"], e["offset"] + e["length"])
        for e in entities
        if e["type"] in {"text_link", "code", "pre", "text_mention"}
    ]
    extra = [
        e
        for e in detect_entities(text)
        if not any(
            e["offset"] < end and start < e["offset"] + e["length"] for start, end in blocking
        )
    ]
    return tuple(sorted((*entities, *extra), key=_entity_order))


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` an entity covers (entities count UTF-16 code units)."""
    encoded = text.encode("utf-16-le")
    return encoded[offset * 2 : (offset + length) * 2].decode("utf-16-le", "replace")


def escape(text: str) -> str:
    """Escape plain text for Telegram HTML (what the bot itself should do)."""
    return html.escape(text, quote=False)
