"""One logical API call: bearer token, rate limit, retries with backoff, ``Retry-After`` on
429, one token refresh on 401, and the mapping of failures to :mod:`ft_client.errors`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from ft_client.client.auth import TokenAuth
from ft_client.client.config import OPTIONAL_APIS
from ft_client.client.responses import _error_message, _parse_retry_after
from ft_client.errors import (
    FTAuthError,
    FTBadRequest,
    FTError,
    FTInvalidResponse,
    FTRateLimited,
    FTUnavailable,
)

log = logging.getLogger("ft_client")


class Transport(TokenAuth):
    """Send authenticated, rate-limited, retried calls and decode their JSON bodies."""

    async def _call(
        self,
        api: str,
        endpoint: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        json_body: Any = None,
        accept: Sequence[int] = (200, 206, 204),
    ) -> httpx.Response:
        """Send one logical call with auth, rate limit and retries; return an accepted answer."""
        if not self.service_enabled(api):
            raise self._not_enabled(api, endpoint)
        url = self.api_base_url + path
        token = self._tokens[self.scopes[api]]
        limiter = self._limiters[api]
        attempt = 0  # transient retries used
        rate_limited_waits = 0
        refreshed = False
        first = True
        while True:
            if not first:
                self.stats.retries[endpoint] += 1
            first = False
            slot = await limiter.acquire()
            try:
                try:
                    token_value = await self._token_value(token)
                except FTAuthError:
                    if api in self._missing_since:  # every scope of this token was refused
                        raise self._not_enabled(api, endpoint) from None
                    raise
                if api in self._missing_since:  # the token request just refused its scope
                    raise self._not_enabled(api, endpoint)
                self.stats.calls[endpoint] += 1
                started = time.perf_counter()
                response = await self._http.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    headers={"Authorization": f"Bearer {token_value}"},
                )
            except httpx.TimeoutException:
                failure, status = "timeout", None
            except httpx.TransportError as exc:
                failure, status = f"connection error ({type(exc).__name__})", None
            else:
                status = response.status_code
            finally:
                slot.finish()
            if status is not None:
                log.debug(
                    "%s %s -> %d in %.3fs",
                    method,
                    endpoint,
                    status,
                    time.perf_counter() - started,
                )
                if status in accept:
                    return response
                self.stats.errors[str(status)] += 1
                if status == 401:
                    if refreshed:
                        raise self._count(
                            FTAuthError(
                                "the API refused a freshly issued token (HTTP 401)",
                                status=401,
                                endpoint=endpoint,
                            )
                        )
                    refreshed = True
                    self.stats.token_refreshes_on_401 += 1
                    self._invalidate(token, token_value)
                    log.info("%s: token refused (401), refreshing it once", endpoint)
                    continue
                if status == 403 and api in OPTIONAL_APIS:
                    # "Invalid scope": subscribed but not granted (yet), or never subscribed.
                    self._mark_missing(api)
                    raise self._not_enabled(api, endpoint, status=403)
                if status == 403:
                    raise self._count(
                        FTAuthError(
                            "access forbidden: is the application subscribed to this API "
                            f"(scopes {self.scopes[api]!r})? {_error_message(response)[0]}",
                            status=403,
                            endpoint=endpoint,
                        )
                    )
                if status == 429:
                    self.stats.rate_limited += 1
                    asked = _parse_retry_after(
                        response.headers.get("Retry-After"), self.default_retry_after
                    )
                    wait = min(asked, self.max_retry_after)
                    if rate_limited_waits >= self.max_rate_limited_retries:
                        raise self._count(
                            FTRateLimited(
                                f"still rate limited after {rate_limited_waits} waits",
                                endpoint=endpoint,
                                retry_after=asked,
                            )
                        )
                    rate_limited_waits += 1
                    self.stats.retry_after_waited += wait
                    limiter.pause(wait)
                    log.warning("%s: 429, pausing %s calls for %.2fs", endpoint, api, wait)
                    continue
                if status in (400, 422):  # 422: La Bonne Boîte's refused parameters
                    message, code = _error_message(response)
                    raise self._count(
                        FTBadRequest(message, endpoint=endpoint, error_code=code, status=status)
                    )
                if status < 500:
                    raise self._count(
                        FTError(
                            f"unexpected answer: {_error_message(response)[0]}",
                            status=status,
                            endpoint=endpoint,
                        )
                    )
                failure = f"HTTP {status}"
            if status is None:
                self.stats.errors["timeout" if failure == "timeout" else "connection"] += 1
            if attempt >= self.max_retries:
                message = f"unavailable after {attempt + 1} attempts: {failure}"
                if status is not None:
                    message += f" ({_error_message(response)[0]})"
                raise self._count(FTUnavailable(message, status=status, endpoint=endpoint))
            attempt += 1
            delay = self._backoff(attempt)
            log.warning("%s: %s; retry %d in %.2fs", endpoint, failure, attempt, delay)
            await asyncio.sleep(delay)

    def _json(self, response: httpx.Response, endpoint: str) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            self.stats.errors["invalid_json"] += 1
            excerpt = response.text[:60] if response.content else ""
            raise self._count(
                FTInvalidResponse(
                    f"malformed JSON body ({len(response.content)} bytes, content-type "
                    f"{response.headers.get('content-type')!r}, starts {excerpt!r})",
                    status=response.status_code,
                    endpoint=endpoint,
                )
            ) from exc

    def _invalid(self, message: str, response: httpx.Response, endpoint: str) -> FTError:
        self.stats.errors["invalid_shape"] += 1
        return self._count(
            FTInvalidResponse(message, status=response.status_code, endpoint=endpoint)
        )
