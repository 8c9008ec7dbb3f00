"""``TelegramEmulator``: the aiohttp server that routes Bot API calls to their methods.

It assembles the mixins (methods, update delivery, test driver, control API) over
``EmulatorCore`` and serves ``/bot<token>/<method>``, ``/file/bot<token>/<path>`` and the
control API; each ``_api_<method>`` of the mixins answers the Bot API method of that name.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from sandbox.telegram.bot_profile import BotProfileMethods
from sandbox.telegram.control import ControlApi
from sandbox.telegram.errors import TelegramApiError
from sandbox.telegram.media import MediaMethods
from sandbox.telegram.params import read_params
from sandbox.telegram.updates import UpdateDelivery


class TelegramEmulator(ControlApi, UpdateDelivery, MediaMethods, BotProfileMethods):
    """The Bot API server, its state, and the entry point of the test driver."""

    # ----------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> TelegramEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/_sandbox/{token}/{path:.*}", self._handle_control)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server  # aiohttp keeps the listening sockets there
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        self._closing = True
        self._wake_pollers()
        self._notify_activity()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ----------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method_name = request.match_info["method"].lower()
        handler = self._methods.get(method_name)
        self.stats.calls[method_name] += 1
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        try:
            try:
                params = await read_params(request)
            except ConnectionResetError:
                # The client went away mid-request (a bot shutting down): nobody reads an answer,
                # and a traceback in the emulator's log would only hide real failures.
                return web.Response(status=400, text="client closed the request")
            result = await handler(params)
        except TelegramApiError as error:
            self.stats.errors[(method_name, error.code)] += 1
            if error.code == 429:
                self.stats.too_many_requests += 1
            return web.json_response(error.payload(), status=error.code)
        finally:
            self._notify_activity()  # wakes wait_until() whatever the call changed
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(
                    body=stored.data, content_type=stored.mime_type or "application/octet-stream"
                )
        return web.Response(status=404, text="Not Found")
