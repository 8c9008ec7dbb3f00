"""OAuth2 client credentials: one cached token per scope set, refreshed early by one task."""

from __future__ import annotations

import asyncio
import json
import logging
import re

import httpx

from ft_client.client.base import ClientBase, _Token
from ft_client.client.responses import _error_message
from ft_client.errors import FTAuthError, FTInvalidResponse, FTUnavailable

log = logging.getLogger("ft_client")

# "Unknown/invalid scope(s): [api_labonneboitev2, api_romeov2]" (the official documentation's
# example); without brackets, any requested scope word the description quotes counts.
_BRACKETED_RE = re.compile(r"\[([^\]]*)\]")


class TokenAuth(ClientBase):
    """Fetch, cache, refresh and invalidate the bearer tokens."""

    async def authenticate(self) -> None:
        """Fetch every token now (``ft-bot check``); raises ``FTAuthError`` on bad credentials."""
        for token in self._tokens.values():
            await self._token_value(token)

    async def _token_value(self, token: _Token) -> str:
        if token.value is not None and self._clock() < token.expires_at:
            return token.value
        async with token.lock:
            # Another task may have refreshed it while we waited for the lock.
            if token.value is not None and self._clock() < token.expires_at:
                return token.value
            await self._fetch_token(token)
            assert token.value is not None
            return token.value

    def _invalidate(self, token: _Token, stale_value: str) -> None:
        # Only the token that got the 401: a concurrent task may already have a new one.
        if token.value == stale_value:
            token.value = None
            token.expires_at = 0.0

    async def _fetch_token(self, token: _Token) -> None:
        endpoint = "token"
        attempt = 0
        while True:
            form = {
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
                "scope": self._requested_scope(token),
            }
            self.stats.token_requests += 1
            self.stats.calls[endpoint] += 1
            failure: str
            status: int | None = None
            try:
                response = await self._http.post(self.token_url, data=form)
            except httpx.TimeoutException:
                failure, error_key = "timeout", "timeout"
            except httpx.TransportError as exc:
                failure, error_key = f"connection error ({type(exc).__name__})", "connection"
            else:
                status = response.status_code
                if status == 200:
                    self._store_token(token, response)
                    log.debug("token obtained for scope %r", token.scope)
                    return
                if status in (400, 401, 403):
                    self.stats.errors[str(status)] += 1
                    try:
                        body = response.json()
                    except (json.JSONDecodeError, UnicodeDecodeError):
                        body = {}
                    body = body if isinstance(body, dict) else {}
                    error = body.get("error") if isinstance(body.get("error"), str) else None
                    description = body.get("error_description")
                    message = (
                        description
                        if isinstance(description, str) and description
                        else (error or f"token request refused (HTTP {status})")
                    )
                    if error == "invalid_scope" and self._drop_refused(token, form, message):
                        continue
                    raise self._count(
                        FTAuthError(message, status=status, endpoint=endpoint, error=error)
                    )
                if status != 429 and status < 500:
                    self.stats.errors[str(status)] += 1
                    raise self._count(
                        FTAuthError(
                            f"unexpected answer from the token endpoint: "
                            f"{_error_message(response)[0]}",
                            status=status,
                            endpoint=endpoint,
                        )
                    )
                failure, error_key = f"HTTP {status}", str(status)
            self.stats.errors[error_key] += 1
            if attempt >= self.max_retries:
                raise self._count(
                    FTUnavailable(
                        f"token endpoint unavailable after {attempt + 1} attempts: {failure}",
                        status=status,
                        endpoint=endpoint,
                    )
                )
            attempt += 1
            self.stats.retries[endpoint] += 1
            delay = self._backoff(attempt)
            log.warning("token request failed (%s); retry %d in %.2fs", failure, attempt, delay)
            await asyncio.sleep(delay)

    def _drop_refused(self, token: _Token, form: dict[str, str], description: str) -> bool:
        """Switch off the optional APIs whose scope the token endpoint refused; True when the
        request can go again without them (False: nothing known to drop, or nothing left)."""
        requested = set(form["scope"].split())
        bracketed = _BRACKETED_RE.search(description)
        if bracketed:
            refused = {word.strip() for word in re.split(r"[,\s]+", bracketed.group(1))}
        else:
            refused = {word for word in requested if word in description}
        apis = self._apis_of_scopes(token, refused & requested)
        for api in apis:
            self._mark_missing(api)
            log.warning("France Travail refused the scope of %s: service switched off", api)
        return bool(apis) and bool(self._requested_scope(token))

    def _store_token(self, token: _Token, response: httpx.Response) -> None:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise self._count(
                FTInvalidResponse(
                    "token endpoint answered 200 with a body that is not JSON",
                    status=200,
                    endpoint="token",
                )
            ) from exc
        value = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(value, str) or not value:
            raise self._count(
                FTInvalidResponse(
                    "token endpoint answered 200 without an access_token",
                    status=200,
                    endpoint="token",
                )
            )
        # A bearer token is printable ASCII (RFC 6750); anything else cannot go in a header.
        if not (value.isascii() and value.isprintable() and " " not in value):
            raise self._count(
                FTInvalidResponse(
                    "token endpoint answered 200 with an access_token that is not a bearer token",
                    status=200,
                    endpoint="token",
                )
            )
        expires_in = body.get("expires_in")
        lifetime = (
            float(expires_in)
            if isinstance(expires_in, int | float) and not isinstance(expires_in, bool)
            else 1499.0
        )
        # Refresh `margin` seconds early, but never spend more than half the lifetime waiting.
        margin = min(self._token_refresh_margin, lifetime / 2)
        token.value = value
        token.expires_at = self._clock() + lifetime - margin
