"""The JSON control API under ``/_sandbox/<token>/``: act as a user from another process.

``python -m sandbox.console`` uses it to create a user, send text or a location, press
buttons, block or unblock the bot, and long-poll the bot's messages and callback answers.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.telegram.driver import DriverApi


class ControlApi(DriverApi):
    """The ``/_sandbox/<token>/...`` endpoints."""

    async def _handle_control(self, request: web.Request) -> web.Response:
        """JSON endpoints the out-of-process console uses to act as a user."""
        if request.match_info["token"] != self.token:
            return web.json_response({"error": "unauthorized"}, status=401)
        parts = [p for p in request.match_info["path"].split("/") if p]
        body: dict[str, Any] = {}
        try:
            if request.method == "POST" and request.can_read_body:
                body = await request.json()
            if parts == ["users"] and request.method == "POST":
                user = self.user(
                    int(body["id"]),
                    body.get("first_name") or "Test",
                    last_name=body.get("last_name"),
                    username=body.get("username"),
                    language_code=body.get("language_code", "fr"),
                )
                return web.json_response(user.as_user_dict())
            if len(parts) == 3 and parts[0] == "users":
                user = self._users[int(parts[1])]
                action = parts[2]
                if action == "send":
                    if "latitude" in body:
                        message = await user.send_location(body["latitude"], body["longitude"])
                    else:
                        message = await user.send(body["text"])
                    return web.json_response(message)
                if action == "press":
                    query_id = await user.press_callback(
                        int(body["message_id"]), body["callback_data"]
                    )
                    return web.json_response({"callback_query_id": query_id})
                if action == "block":
                    user.block_bot()
                    return web.json_response({"ok": True})
                if action == "unblock":
                    user.unblock_bot()
                    return web.json_response({"ok": True})
                if action == "events":
                    after = int(request.query.get("after", "0"))
                    answers_after = int(request.query.get("answers_after", "0"))
                    timeout = min(float(request.query.get("timeout", "0")), 30.0)
                    events = await user.events_after(after, timeout, answer_index=answers_after)
                    answers = [
                        {"text": a.text, "show_alert": a.show_alert, "url": a.url}
                        for a in user.callback_answers[answers_after:]
                    ]
                    return web.json_response(
                        {
                            "events": [e.to_json() for e in events],
                            "next": after + len(events),
                            "answers": answers,
                        }
                    )
        except (KeyError, ValueError, TypeError, AssertionError) as error:
            return web.json_response({"error": f"bad request: {error}"}, status=400)
        return web.json_response({"error": "not found"}, status=404)
