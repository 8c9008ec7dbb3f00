"""Fault injection: ``emu.faults.fail_next(...)`` state and the failed answers it produces."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from sandbox.france_travail.config import EmulatorConfig
from sandbox.france_travail.responses import json_response, unauthorized
from sandbox.france_travail.stats import Stats

FaultKind = int | str


@dataclass
class _PendingFault:
    remaining: int
    kind: FaultKind
    endpoint: str | None


class Faults:
    """Injected failures. ``fail_next(n, kind, endpoint)`` makes the next n matching calls fail.

    kind: an HTTP status (500, 502, 503, 429, 401, 403, 400, ...), ``"timeout"`` (the answer is
    held ``timeout_fault_seconds`` then a 504), ``"malformed"`` (200 with a truncated JSON body) or
    ``"disconnect"`` (the connection is closed without an answer).
    endpoint: an endpoint name (``"offres_search"``, ``"offres_detail"``, ``"token"``, ...), an API
    name (``"offres"``, ``"rome"``, ``"softskills"``) or None for any API call except the token
    endpoint (target the token endpoint with ``endpoint="token"``).
    """

    VALID_STR_KINDS = frozenset({"timeout", "malformed", "disconnect"})

    def __init__(self) -> None:
        self.latency: float = 0.0
        self._pending: list[_PendingFault] = []
        self.token_generation = 0  # tokens of an older generation are expired

    def fail_next(self, n: int = 1, kind: FaultKind = 500, endpoint: str | None = None) -> None:
        if n < 1:
            raise ValueError("n must be >= 1")
        if isinstance(kind, str) and kind not in self.VALID_STR_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        if isinstance(kind, int) and not 400 <= kind <= 599:
            raise ValueError(f"fault status must be 4xx or 5xx, got {kind}")
        self._pending.append(_PendingFault(n, kind, endpoint))

    def expire_tokens(self) -> None:
        """Every token issued so far answers 401 from now on."""
        self.token_generation += 1

    def clear(self) -> None:
        self._pending.clear()
        self.latency = 0.0

    @property
    def pending(self) -> int:
        return sum(f.remaining for f in self._pending)

    def take(self, endpoint: str, api: str | None) -> FaultKind | None:
        for fault in self._pending:
            target = fault.endpoint
            matches = endpoint != "token" if target is None else target in (endpoint, api)
            if matches:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._pending.remove(fault)
                return fault.kind
        return None


class FaultResponses:
    """Mixed into ``FranceTravailEmulator``, which has ``_notify``, ``_wait`` and ``_too_many``."""

    config: EmulatorConfig
    stats: Stats

    async def _fault_response(
        self, request: web.Request, kind: FaultKind, endpoint: str
    ) -> web.StreamResponse:
        self.stats.faults_injected[str(kind)] += 1
        await self._notify()
        if kind == "timeout":
            await self._wait(self.config.timeout_fault_seconds)
            return web.Response(status=504, text="Gateway Timeout", content_type="text/plain")
        if kind == "malformed":
            truncated = '{"resultats": [{"id": "12' if endpoint != "token" else '{"access_token": "'
            return web.Response(
                status=200, body=truncated.encode(), content_type="application/json"
            )
        if kind == "disconnect":
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        status = int(kind)
        if status == 401:
            return unauthorized()
        if status == 429:
            return self._too_many({})
        if endpoint == "token":
            return json_response(
                {"error": "server_error", "error_description": "Erreur technique"}, status
            )
        if status in (502, 503):
            text = "Bad Gateway" if status == 502 else "Service Unavailable"
            return web.Response(status=status, text=text, content_type="text/plain")
        return json_response(
            {"message": "Erreur technique (faute injectée)", "codeHttp": status}, status
        )
