"""The console's two ways to reach the Telegram emulator: in the same process (``ft-bot demo``)
or over its control HTTP API from another process (``python -m sandbox.console --api …``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sandbox.telegram import BotMessage, CallbackAnswer, SimulatedUser


@dataclass(frozen=True)
class ConsoleEvents:
    messages: list[BotMessage]
    answers: list[CallbackAnswer]


class ConsoleBackend(Protocol):
    """What the console needs: act as the user, and receive what the bot does."""

    async def send(self, text: str) -> None: ...

    async def send_location(self, latitude: float, longitude: float) -> None: ...

    async def press(self, message_id: int, callback_data: str) -> None: ...

    async def events(self, message_index: int, answer_index: int, wait: float) -> ConsoleEvents:
        """Messages/answers from these positions on, waiting up to ``wait`` s for one."""
        ...

    @property
    def closed(self) -> bool:
        """True once the emulator is gone (the console then ends)."""
        ...

    async def aclose(self) -> None: ...


class InProcessBackend:
    """The console and the emulator share the event loop (``ft-bot demo``)."""

    def __init__(self, user: SimulatedUser) -> None:
        self.user = user

    async def send(self, text: str) -> None:
        await self.user.send(text)

    async def send_location(self, latitude: float, longitude: float) -> None:
        await self.user.send_location(latitude, longitude)

    async def press(self, message_id: int, callback_data: str) -> None:
        await self.user.press_callback(message_id, callback_data)

    async def events(self, message_index: int, answer_index: int, wait: float) -> ConsoleEvents:
        messages = await self.user.events_after(message_index, wait, answer_index=answer_index)
        return ConsoleEvents(messages, self.user.callback_answers[answer_index:])

    @property
    def closed(self) -> bool:
        return self.user.emulator.closed

    async def aclose(self) -> None:
        return None


class HttpBackend:
    """Talks to a standalone emulator through its ``/_sandbox/<token>/`` control API."""

    def __init__(self, api_url: str, token: str, user_id: int) -> None:
        import aiohttp

        self._root = f"{api_url.rstrip('/')}/_sandbox/{token}"
        self._user_id = user_id
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self._session.post(f"{self._root}/{path}", json=body) as response:
            data = await response.json()
            if response.status != 200:
                error = data.get("error", response.status)
                raise RuntimeError(f"API de contrôle de l'émulateur : {error}")
            return data

    async def create_user(self, first_name: str, language_code: str) -> None:
        await self._post(
            "users",
            {"id": self._user_id, "first_name": first_name, "language_code": language_code},
        )

    async def send(self, text: str) -> None:
        await self._post(f"users/{self._user_id}/send", {"text": text})

    async def send_location(self, latitude: float, longitude: float) -> None:
        await self._post(
            f"users/{self._user_id}/send", {"latitude": latitude, "longitude": longitude}
        )

    async def press(self, message_id: int, callback_data: str) -> None:
        await self._post(
            f"users/{self._user_id}/press",
            {"message_id": message_id, "callback_data": callback_data},
        )

    async def events(self, message_index: int, answer_index: int, wait: float) -> ConsoleEvents:
        params = {"after": str(message_index), "answers_after": str(answer_index)}
        params["timeout"] = f"{max(wait, 0.0):.3f}"
        async with self._session.get(
            f"{self._root}/users/{self._user_id}/events", params=params
        ) as response:
            data = await response.json()
        return ConsoleEvents(
            [BotMessage.from_json(item) for item in data["events"]],
            [CallbackAnswer(**item) for item in data.get("answers", [])],
        )

    async def aclose(self) -> None:
        self._closed = True
        await self._session.close()
