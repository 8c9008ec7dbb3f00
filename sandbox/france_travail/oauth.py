"""OAuth2 token endpoint (client credentials, realm, scopes) and the bearer tokens it issues."""

from __future__ import annotations

import contextlib
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from aiohttp import web

from sandbox.france_travail.config import ACCEPTED_REALMS, KNOWN_SCOPES, EmulatorConfig
from sandbox.france_travail.faults import Faults
from sandbox.france_travail.responses import json_response
from sandbox.france_travail.stats import Stats


@dataclass
class IssuedToken:
    client_id: str
    scopes: frozenset[str]
    generation: int
    expires: float


class TokenRoutes:
    """Mixed into ``FranceTravailEmulator``: ``/connexion/oauth2/access_token`` and token checks."""

    config: EmulatorConfig
    clients: dict[str, str]
    faults: Faults
    stats: Stats
    _tokens: dict[str, IssuedToken]

    def _new_token(self, client_id: str, scopes: frozenset[str]) -> str:
        value = secrets.token_urlsafe(20)[:27]
        issued = time.monotonic()
        self._tokens[value] = IssuedToken(
            client_id, scopes, self.faults.token_generation, issued + self.config.token_ttl
        )
        self.stats.tokens_issued += 1
        return value

    def _token_of(self, request: web.Request) -> IssuedToken | None:
        header = request.headers.get("Authorization", "")
        kind, _, value = header.partition(" ")
        if kind.lower() != "bearer" or not value.strip():
            return None
        token = self._tokens.get(value.strip())
        now = time.monotonic()
        if (
            token is None
            or now >= token.expires
            or token.generation != self.faults.token_generation
        ):
            return None
        return token

    async def _token(self, request: web.Request) -> web.Response:
        if request.method != "POST":
            return web.Response(status=405, headers={"Allow": "POST"})
        realm = request.query.get("realm")
        if realm not in ACCEPTED_REALMS:
            return json_response(
                {"error": "invalid_request", "error_description": "Invalid realm"}, status=400
            )
        form: dict[str, str] = {}
        body = await request.text()
        if body:
            form.update(parse_qsl(body, keep_blank_values=True))
        fields = {**{k: v for k, v in request.query.items() if k != "realm"}, **form}
        client_id, secret = fields.get("client_id"), fields.get("client_secret")
        basic = request.headers.get("Authorization", "")
        if not client_id and basic.lower().startswith("basic "):
            import base64

            with contextlib.suppress(ValueError):
                decoded = base64.b64decode(basic[6:]).decode()
                client_id, _, secret = decoded.partition(":")
        if not client_id or self.clients.get(client_id) != secret:
            return json_response(
                {"error": "invalid_client", "error_description": "Client authentication failed"},
                status=400,
            )
        if fields.get("grant_type") != "client_credentials":
            return json_response(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Grant type is not supported",
                },
                status=400,
            )
        requested = [s for s in fields.get("scope", "").split() if s]
        allowed = (self.config.client_scopes or {}).get(client_id, KNOWN_SCOPES)
        bad = [
            s
            for s in requested
            if s != f"application_{client_id}" and (s not in KNOWN_SCOPES or s not in allowed)
        ]
        if bad:
            return json_response(
                {
                    "error": "invalid_scope",
                    "error_description": f"Unknown/invalid scope(s): [{', '.join(bad)}]",
                },
                status=400,
            )
        granted = frozenset(requested)
        token = self._new_token(client_id, granted)
        return json_response(
            {
                "access_token": token,
                "scope": " ".join(requested),
                "token_type": "Bearer",
                "expires_in": int(self.config.token_ttl),
            }
        )
