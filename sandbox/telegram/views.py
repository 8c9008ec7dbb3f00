"""What the test driver sees: the bot's messages, their buttons, callback answers.

These are frozen snapshots built from the stored Bot API messages; ``BotMessage`` also has a
JSON form so the control API can hand them to ``python -m sandbox.console``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the bot sent it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class CallbackAnswer:
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent (or its new state after an edit), as the user sees it."""

    chat_id: int
    message_id: int
    text: str  # plain text (or caption), entities stripped
    html: str | None  # the text/caption exactly as sent, when parse_mode was HTML
    entities: tuple[dict[str, Any], ...] = ()
    buttons: tuple[tuple[Button, ...], ...] = ()
    reply_keyboard: tuple[tuple[dict[str, Any], ...], ...] | None = None
    remove_keyboard: bool = False
    edited: bool = False
    deleted: bool = False
    kind: str = "text"  # text | photo | document | location
    photo: bytes | None = None
    document: bytes | None = None
    file_name: str | None = None
    location: tuple[float, float] | None = None
    parse_mode: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    @property
    def reply_keyboard_texts(self) -> list[str]:
        if not self.reply_keyboard:
            return []
        return [button["text"] for row in self.reply_keyboard for button in row]

    def to_json(self) -> dict[str, Any]:
        """A JSON form for the control API (files base64-encoded)."""
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "text": self.text,
            "html": self.html,
            "entities": list(self.entities),
            "buttons": [
                [{"text": b.text, "callback_data": b.callback_data, "url": b.url} for b in row]
                for row in self.buttons
            ],
            "reply_keyboard": (
                [list(row) for row in self.reply_keyboard] if self.reply_keyboard else None
            ),
            "remove_keyboard": self.remove_keyboard,
            "edited": self.edited,
            "deleted": self.deleted,
            "kind": self.kind,
            "photo": base64.b64encode(self.photo).decode() if self.photo else None,
            "document": base64.b64encode(self.document).decode() if self.document else None,
            "file_name": self.file_name,
            "location": list(self.location) if self.location else None,
            "parse_mode": self.parse_mode,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BotMessage:
        return cls(
            chat_id=data["chat_id"],
            message_id=data["message_id"],
            text=data["text"],
            html=data.get("html"),
            entities=tuple(data.get("entities") or ()),
            buttons=tuple(
                tuple(Button(b["text"], b.get("callback_data"), b.get("url")) for b in row)
                for row in data.get("buttons") or ()
            ),
            reply_keyboard=(
                tuple(tuple(row) for row in data["reply_keyboard"])
                if data.get("reply_keyboard")
                else None
            ),
            remove_keyboard=bool(data.get("remove_keyboard")),
            edited=bool(data.get("edited")),
            deleted=bool(data.get("deleted")),
            kind=data.get("kind", "text"),
            photo=base64.b64decode(data["photo"]) if data.get("photo") else None,
            document=base64.b64decode(data["document"]) if data.get("document") else None,
            file_name=data.get("file_name"),
            location=tuple(data["location"]) if data.get("location") else None,  # type: ignore[arg-type]
            parse_mode=data.get("parse_mode"),
        )
