"""Update delivery: the update queue, long polling (getUpdates) and webhooks.

Updates from simulated users are queued here and handed to the bot either by getUpdates,
which parks until one arrives (ending an older parked poll with 409 as Telegram does), or
by POSTing them one by one to a loopback webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import urlsplit

from sandbox.telegram.core import DEFAULT_UPDATE_TYPES, EmulatorCore
from sandbox.telegram.errors import TelegramApiError, bad_request
from sandbox.telegram.params import Params

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class UpdateDelivery(EmulatorCore):
    """getUpdates, the webhook methods and the queue they drain."""

    def _enqueue_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        if kind not in self._allowed_updates:
            return None
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._wake_pollers()
        self._notify_activity()
        if self.webhook.get("url"):
            self._spawn_webhook_delivery()
        return update

    async def _api_getUpdates(self, params: Params) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset", 0) or 0
        limit = min(max(params.integer("limit", 100) or 100, 1), 100)
        timeout = min(params.number("timeout") or 0.0, self.limits.max_long_poll_timeout)
        allowed = params.obj("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an earlier long poll still parked ends with 409, as in Telegram
        deadline = asyncio.get_running_loop().time() + max(timeout, 0.0)
        self._parked_polls += 1
        self._polling_changed.set()
        self._polling_changed = asyncio.Event()
        try:
            while not self._updates and not self._closing:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                event = self._updates_event
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
                if generation != self._poll_generation:
                    raise TelegramApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running",
                    )
        finally:
            self._parked_polls -= 1
        return self._updates[:limit]

    async def _api_setWebhook(self, params: Params) -> bool:
        url = params.string("url") or ""
        if params.boolean("drop_pending_updates"):
            self._updates.clear()
        if not url:
            self.webhook = {}
            return True
        parsed = urlsplit(url)
        if parsed.scheme not in ("http", "https") or parsed.hostname not in LOOPBACK_HOSTS:
            # Telegram wants a public HTTPS URL; the emulator only ever connects to loopback.
            raise bad_request(
                "bad webhook: the emulator delivers webhooks to loopback URLs only "
                "(http://127.0.0.1:PORT/...)"
            )
        allowed = params.obj("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        self.webhook = {
            "url": url,
            "secret_token": params.string("secret_token"),
            "max_connections": params.integer("max_connections", 40),
        }
        if self._updates:
            self._spawn_webhook_delivery()
        return True

    async def _api_deleteWebhook(self, params: Params) -> bool:
        self.webhook = {}
        if params.boolean("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, params: Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook.get("url"):
            info["max_connections"] = self.webhook.get("max_connections", 40)
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    # ----------------------------------------------------------------- webhook delivery

    def _spawn_webhook_delivery(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhook())

    async def _deliver_webhook(self) -> None:
        """POST pending updates one by one to the webhook (loopback only), like Telegram."""
        import aiohttp  # local: only webhook mode needs a client session

        async with aiohttp.ClientSession() as session:
            while self._updates and self.webhook.get("url") and not self._closing:
                update = self._updates[0]
                headers = {}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
                try:
                    async with session.post(
                        self.webhook["url"], json=update, headers=headers, timeout=10
                    ) as response:
                        delivered = response.status < 300
                except (aiohttp.ClientError, TimeoutError):
                    delivered = False
                if delivered:
                    if self._updates and self._updates[0] is update:
                        self._updates.pop(0)
                else:
                    await asyncio.sleep(0.5)  # Telegram retries failed deliveries later
