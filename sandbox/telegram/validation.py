"""Validation of what the bot sends: text and captions with their entities, reply markup.

Parse modes, Telegram's length limits, inline and reply keyboards (button texts, actions,
64-byte callback data, URLs, button count) are checked here with Telegram's error wordings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.telegram.core import EmulatorCore
from sandbox.telegram.errors import bad_request
from sandbox.telegram.html_entities import (
    EntityParseError,
    FormattedText,
    merge_detected,
    parse_html,
    strip_formatted,
    utf16_len,
)
from sandbox.telegram.params import Params

INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


class MessageValidation(EmulatorCore):
    """Checks of message text, entities and reply markup against Telegram's limits."""

    def _format(
        self, text: str | None, parse_mode: str | None, entities: Any, *, caption: bool
    ) -> FormattedText:
        """Parse text/caption per parse_mode and apply Telegram's length limits."""
        text = text or ""
        mode = (parse_mode or "").strip()
        if mode.lower() == "html":
            try:
                formatted = parse_html(text)
            except EntityParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif mode:
            # MarkdownV2/Markdown are real Telegram modes the emulator does not implement;
            # refuse loudly rather than accept unvalidated text.
            raise bad_request(f"unsupported parse_mode {mode!r} (the emulator implements HTML)")
        else:
            given = entities if isinstance(entities, list) else ()
            formatted = FormattedText(text, tuple(_valid_entities(given, text)))
        formatted = strip_formatted(formatted)
        limit = self.limits.max_caption_length if caption else self.limits.max_text_length
        if not caption and not formatted.text:
            raise bad_request("message text is empty")
        if utf16_len(formatted.text) > limit:
            raise bad_request("message caption is too long" if caption else "message is too long")
        return FormattedText(formatted.text, merge_detected(formatted.text, formatted.entities))

    def _reply_markup(
        self, params: Params
    ) -> tuple[dict[str, Any] | None, tuple[tuple[dict[str, Any], ...], ...] | None, bool]:
        """Validate reply_markup: (inline markup, reply keyboard rows, remove keyboard)."""
        markup = params.obj("reply_markup", "can't parse reply keyboard markup JSON object")
        if markup is None:
            return None, None, False
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            return self._inline_keyboard(markup["inline_keyboard"]), None, False
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
                )
            keyboard: list[tuple[dict[str, Any], ...]] = []
            for row in rows:
                buttons = []
                for button in row:
                    if isinstance(button, str):
                        button = {"text": button}
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise bad_request(
                            "can't parse keyboard button: KeyboardButton must be a String or "
                            "an Object"
                        )
                    buttons.append(button)
                keyboard.append(tuple(buttons))
            return None, tuple(keyboard), False
        if markup.get("remove_keyboard"):
            return None, None, True
        if markup.get("force_reply"):
            return None, None, False
        raise bad_request("can't parse reply keyboard markup JSON object")

    def _inline_keyboard(self, rows: Any) -> dict[str, Any]:
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        count = 0
        for row in rows:
            for button in row:
                count += 1
                if not isinstance(button, dict):
                    raise bad_request(
                        "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                    )
                text = button.get("text")
                if not isinstance(text, str):
                    raise bad_request(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if not text.strip():
                    raise bad_request("BUTTON_TEXT_INVALID")
                actions = [key for key in INLINE_BUTTON_ACTIONS if key in button]
                if not actions:
                    raise bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if (
                        not isinstance(data, str)
                        or not data
                        or len(data.encode("utf-8")) > self.limits.max_callback_data_bytes
                    ):
                        raise bad_request("BUTTON_DATA_INVALID")
                if "url" in button and not _is_button_url(button["url"]):
                    raise bad_request(
                        f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
                    )
        if count > self.limits.max_inline_buttons:
            raise bad_request("reply markup is too long")
        return {"inline_keyboard": rows}


def _valid_entities(entities: Iterable[Any], text: str) -> list[dict[str, Any]]:
    total = utf16_len(text)
    result = []
    for entity in entities:
        if not isinstance(entity, dict) or "type" not in entity:
            raise bad_request("can't parse MessageEntity JSON object")
        try:
            offset, length = int(entity["offset"]), int(entity["length"])
        except (KeyError, TypeError, ValueError):
            raise bad_request("can't parse MessageEntity JSON object") from None
        if offset < 0 or length <= 0 or offset + length > total:
            raise bad_request("can't parse entities: entity beyond the end of text")
        result.append({**entity, "offset": offset, "length": length})
    return result


def _is_button_url(url: Any) -> bool:
    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return False
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "." in url  # Telegram accepts "example.com/path"
    return scheme.lower() in {"http", "https", "tg", "ton"} and bool(rest)
