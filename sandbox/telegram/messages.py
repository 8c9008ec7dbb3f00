"""Bot API methods on text messages: send, edit, delete, callback answers, chat actions."""

from __future__ import annotations

import time
from typing import Any

from sandbox.telegram.errors import NOT_MODIFIED, QUERY_TOO_OLD, bad_request
from sandbox.telegram.params import Params
from sandbox.telegram.state import Chat, StoredMessage
from sandbox.telegram.validation import MessageValidation
from sandbox.telegram.views import CallbackAnswer

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class MessageMethods(MessageValidation):
    """sendMessage, sendLocation, editMessage*, deleteMessage, answerCallbackQuery..."""

    def _reply_to(self, chat: Chat, params: Params) -> dict[str, Any]:
        reply = params.obj("reply_parameters") or {}
        message_id = (
            reply.get("message_id") if isinstance(reply, dict) else None
        ) or params.integer("reply_to_message_id")
        if not message_id:
            return {}
        target = chat.messages.get(int(message_id))
        if target is None or target.deleted:
            allow = params.boolean("allow_sending_without_reply") or (
                isinstance(reply, dict) and reply.get("allow_sending_without_reply")
            )
            if allow:
                return {}
            raise bad_request("message to be replied not found")
        return {"reply_to_message": dict(target.data)}

    def _editable(self, params: Params, action: str = "edit") -> tuple[Chat, StoredMessage]:
        if params.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        if not params.has("message_id"):
            raise bad_request("message identifier is not specified")
        chat = self._private_chat(params, for_sending=True)
        message_id = params.integer("message_id")
        stored = chat.messages.get(message_id or 0)
        if stored is None or stored.deleted:
            raise bad_request(f"message to {action} not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return chat, stored

    async def _api_sendMessage(self, params: Params) -> dict[str, Any]:
        chat = self._private_chat(params)
        parse_mode = params.string("parse_mode")
        source = params.string("text")
        formatted = self._format(source, parse_mode, params.obj("entities"), caption=False)
        inline, keyboard, remove = self._reply_markup(params)
        extra: dict[str, Any] = {"text": formatted.text, **self._reply_to(chat, params)}
        if formatted.entities:
            extra["entities"] = list(formatted.entities)
        if inline:
            extra["reply_markup"] = inline
        preview = params.obj("link_preview_options")
        if isinstance(preview, dict) and preview:
            extra["link_preview_options"] = preview
        return self._store_bot_message(
            chat,
            extra,
            source=source,
            parse_mode="HTML" if parse_mode and parse_mode.lower() == "html" else None,
            reply_keyboard=keyboard,
            remove_keyboard=remove,
            paid_broadcast=params.boolean("allow_paid_broadcast"),
        )

    async def _api_sendLocation(self, params: Params) -> dict[str, Any]:
        chat = self._private_chat(params)
        latitude = params.number("latitude")
        longitude = params.number("longitude")
        if latitude is None or not -90 <= latitude <= 90:
            raise bad_request("wrong latitude")
        if longitude is None or not -180 <= longitude <= 180:
            raise bad_request("wrong longitude")
        inline, keyboard, remove = self._reply_markup(params)
        extra: dict[str, Any] = {"location": {"latitude": latitude, "longitude": longitude}}
        extra.update(self._reply_to(chat, params))
        if inline:
            extra["reply_markup"] = inline
        return self._store_bot_message(
            chat,
            extra,
            source=None,
            parse_mode=None,
            reply_keyboard=keyboard,
            remove_keyboard=remove,
        )

    async def _api_editMessageText(self, params: Params) -> dict[str, Any]:
        chat, stored = self._editable(params)
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        return self._edit_formatted(chat, stored, params, "text", "entities", caption=False)

    async def _api_editMessageCaption(self, params: Params) -> dict[str, Any]:
        chat, stored = self._editable(params)
        if "photo" not in stored.data and "document" not in stored.data:
            raise bad_request("there is no caption in the message to edit")
        return self._edit_formatted(
            chat, stored, params, "caption", "caption_entities", caption=True
        )

    def _edit_formatted(
        self,
        chat: Chat,
        stored: StoredMessage,
        params: Params,
        text_key: str,
        entities_key: str,
        *,
        caption: bool,
    ) -> dict[str, Any]:
        """editMessageText / editMessageCaption: new formatted text (or caption) and markup."""
        parse_mode = params.string("parse_mode")
        source = params.string(text_key)
        formatted = self._format(source, parse_mode, params.obj(entities_key), caption=caption)
        inline, _keyboard, _remove = self._reply_markup(params)
        new = {
            k: v
            for k, v in stored.data.items()
            if k not in (text_key, entities_key, "reply_markup")
        }
        # A caption may become empty; a text never does (_format rejects it).
        if formatted.text or not caption:
            new[text_key] = formatted.text
        if formatted.entities:
            new[entities_key] = list(formatted.entities)
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        if inline:
            new["reply_markup"] = inline
        return self._apply_edit(
            chat,
            stored,
            new,
            source=source,
            parse_mode="HTML" if parse_mode and parse_mode.lower() == "html" else None,
        )

    async def _api_editMessageReplyMarkup(self, params: Params) -> dict[str, Any]:
        chat, stored = self._editable(params)
        inline, _keyboard, _remove = self._reply_markup(params)
        new = {k: v for k, v in stored.data.items() if k != "reply_markup"}
        if inline:
            new["reply_markup"] = inline
        return self._apply_edit(
            chat, stored, new, source=stored.source, parse_mode=stored.parse_mode
        )

    def _apply_edit(
        self,
        chat: Chat,
        stored: StoredMessage,
        new: dict[str, Any],
        *,
        source: str | None,
        parse_mode: str | None,
    ) -> dict[str, Any]:
        def content(data: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in data.items() if k != "edit_date"}

        if content(new) == content(stored.data):
            raise bad_request(NOT_MODIFIED[len("Bad Request: ") :])
        stored.history.append(stored.data)
        new["edit_date"] = int(time.time())
        stored.data = new
        stored.source = source
        stored.parse_mode = parse_mode
        self._record_event(chat, stored, edited=True)
        return new

    async def _api_deleteMessage(self, params: Params) -> bool:
        chat = self._private_chat(params, for_sending=False)
        stored = chat.messages.get(params.integer("message_id") or 0)
        if stored is None or stored.deleted:
            raise bad_request("message to delete not found")
        stored.deleted = True
        self._notify_activity()
        return True

    async def _api_answerCallbackQuery(self, params: Params) -> bool:
        query_id = params.string("callback_query_id") or ""
        query = self._callback_queries.get(query_id)
        if (
            query is None
            or query.answered
            or self._clock() - query.created > self.limits.callback_query_ttl
        ):
            raise bad_request(QUERY_TOO_OLD[len("Bad Request: ") :])
        text = params.string("text")
        if text and len(text) > self.limits.max_callback_answer_length:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        user = self._users[query.user_id]
        user.callback_answers.append(
            CallbackAnswer(text or None, params.boolean("show_alert"), params.string("url"))
        )
        self._notify_activity()
        return True

    async def _api_sendChatAction(self, params: Params) -> bool:
        chat = self._private_chat(params)
        action = params.string("action") or ""
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True
