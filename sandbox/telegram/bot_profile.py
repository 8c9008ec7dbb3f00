"""Bot API methods about the bot itself: identity, commands, descriptions, chat info."""

from __future__ import annotations

import json
from typing import Any

from sandbox.telegram.core import EmulatorCore
from sandbox.telegram.errors import bad_request
from sandbox.telegram.params import Params


class BotProfileMethods(EmulatorCore):
    """getMe, logOut/close, (set|get|delete)MyCommands, descriptions, name, getChat."""

    async def _api_getMe(self, params: Params) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_logOut(self, params: Params) -> bool:
        return True

    async def _api_close(self, params: Params) -> bool:
        return True

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.obj("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        language = params.string("language_code") or ""
        if language and (len(language) != 2 or not language.isalpha()):
            raise bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language

    async def _api_setMyCommands(self, params: Params) -> bool:
        commands = params.obj("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = str(command.get("command", "")).removeprefix("/")
            description = str(command.get("description", ""))
            if not (1 <= len(name) <= 32) or not all(
                c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in name
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not (1 <= len(description) <= 256):
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self.commands[self._commands_key(params)] = cleaned
        return True

    async def _api_getMyCommands(self, params: Params) -> list[dict[str, str]]:
        return list(self.commands.get(self._commands_key(params), []))

    async def _api_deleteMyCommands(self, params: Params) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _set_bot_text(self, params: Params, field_name: str, max_length: int) -> bool:
        value = params.string(field_name) or ""
        if len(value) > max_length:
            raise bad_request(f"{field_name} is too long")
        self.descriptions[field_name, params.string("language_code") or ""] = value
        return True

    def _get_bot_text(self, params: Params, field_name: str) -> dict[str, str]:
        language = params.string("language_code") or ""
        value = self.descriptions.get((field_name, language))
        if value is None:  # Telegram falls back to the text set for all languages
            value = self.descriptions.get((field_name, ""), "")
        if field_name == "name" and not value:
            value = self.bot_first_name
        return {field_name: value}

    async def _api_setMyDescription(self, params: Params) -> bool:
        return self._set_bot_text(params, "description", 512)

    async def _api_getMyDescription(self, params: Params) -> dict[str, str]:
        return self._get_bot_text(params, "description")

    async def _api_setMyShortDescription(self, params: Params) -> bool:
        return self._set_bot_text(params, "short_description", 120)

    async def _api_getMyShortDescription(self, params: Params) -> dict[str, str]:
        return self._get_bot_text(params, "short_description")

    async def _api_setMyName(self, params: Params) -> bool:
        return self._set_bot_text(params, "name", 64)

    async def _api_getMyName(self, params: Params) -> dict[str, str]:
        return self._get_bot_text(params, "name")

    async def _api_setChatMenuButton(self, params: Params) -> bool:
        return True

    async def _api_getChat(self, params: Params) -> dict[str, Any]:
        chat = self._private_chat(params, for_sending=False)
        return {
            **chat.user.as_chat_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }
