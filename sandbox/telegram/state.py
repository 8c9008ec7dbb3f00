"""The emulator's stored state: files, messages of a conversation, chats, callback queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.telegram.limits import TokenBucket
from sandbox.telegram.views import BotMessage

if TYPE_CHECKING:
    from sandbox.telegram.user import SimulatedUser


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class StoredMessage:
    """One message of a conversation; ``data`` is its current Bot API representation."""

    data: dict[str, Any]
    from_bot: bool
    source: str | None = None  # text/caption as sent, before entity parsing
    parse_mode: str | None = None
    reply_keyboard: tuple[tuple[dict[str, Any], ...], ...] | None = None
    remove_keyboard: bool = False
    file: StoredFile | None = None
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier versions

    @property
    def message_id(self) -> int:
        return self.data["message_id"]


@dataclass
class Chat:
    user: SimulatedUser
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    events: list[BotMessage] = field(default_factory=list)  # bot sends and edits, in order
    actions: list[str] = field(default_factory=list)
    bucket: TokenBucket = field(default_factory=TokenBucket)


@dataclass
class CallbackQuery:
    query_id: str
    user_id: int
    created: float
    answered: bool = False
