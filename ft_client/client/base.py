"""The client's configuration and shared state: constructor, ``from_env``, lifecycle, the
backoff and failure counting used by token requests and API calls, and the response cache.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx

from ft_client.client.cache import T, _TTLCache
from ft_client.client.config import (
    API_SCOPES,
    DEFAULT_API_BASE_URL,
    DEFAULT_MAX_END,
    DEFAULT_MAX_START,
    DEFAULT_RATE_LIMITS,
    DEFAULT_TOKEN_URL,
    OPTIONAL_APIS,
    FTConfigError,
    _join_scopes,
)
from ft_client.client.stats import ClientStats
from ft_client.errors import FTError, FTServiceNotEnabled
from ft_client.ratelimit import ApiRateLimiter


def _quiet_http_loggers() -> None:
    # httpx logs "HTTP Request: GET <url>" at INFO and httpcore dumps headers at DEBUG.
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.WARNING or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


@dataclass
class _Token:
    scope: str
    value: str | None = None
    expires_at: float = 0.0  # in the client's clock
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ClientBase:
    """Settings, HTTP connection pool, tokens, limiters, stats and cache of one client."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        api_base_url: str = DEFAULT_API_BASE_URL,
        token_url: str = DEFAULT_TOKEN_URL,
        scopes: Mapping[str, Sequence[str] | str] | None = None,
        single_token: bool = True,
        rate_limits: Mapping[str, float] | None = None,
        rate_limit_burst: int | None = None,
        rate_limit_headroom: float = 0.05,
        timeout: float | httpx.Timeout = 15.0,
        max_connections: int = 20,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        max_rate_limited_retries: int = 3,
        max_retry_after: float = 30.0,
        default_retry_after: float = 1.0,
        token_refresh_margin: float = 60.0,
        service_recheck_seconds: float = 3600.0,
        cache_ttl: float = 24 * 3600.0,
        max_start: int = DEFAULT_MAX_START,
        max_end: int = DEFAULT_MAX_END,
        clock: Callable[[], float] = time.monotonic,
        user_agent: str = "ft-job-bot/0.1",
    ) -> None:
        """
        ``scopes`` maps an API name (``offres``, ``rome``, ``softskills``) to its scopes
        (defaults in ``API_SCOPES``); with ``single_token`` every API shares one token asking
        for all scopes, otherwise each API gets its own token. ``rate_limits`` overrides the
        calls/s of ``DEFAULT_RATE_LIMITS``; at most ``rate_limit_burst`` calls (default: one
        second's worth, like the API's bucket) go in any ``burst / rate`` seconds.
        ``clock`` (monotonic seconds) drives token expiry and cache TTLs; tests pass a fake one.
        An optional API whose scope is refused is switched off (``service_enabled``) and tried
        again ``service_recheck_seconds`` later (the application may have subscribed since).
        """
        if not client_id:
            raise FTConfigError("client_id is empty", endpoint="config")
        if not client_secret:
            raise FTConfigError("client_secret is empty", endpoint="config")
        if max_retries < 0 or max_rate_limited_retries < 0:
            raise ValueError("retry counts must not be negative")
        if not 0 <= max_start <= max_end:
            raise ValueError(f"need 0 <= max_start <= max_end, got {max_start}, {max_end}")
        _quiet_http_loggers()
        self._client_id = client_id
        self._client_secret = client_secret
        self.api_base_url = api_base_url.rstrip("/")
        self.token_url = token_url
        self._clock = clock

        api_scopes: dict[str, str] = {api: " ".join(s) for api, s in API_SCOPES.items()}
        for api, value in (scopes or {}).items():
            if api not in API_SCOPES:
                raise ValueError(f"scopes: unknown API {api!r} (known: {', '.join(API_SCOPES)})")
            api_scopes[api] = _join_scopes([value] if isinstance(value, str) else value)
        # Which scope words belong to which API: a refused scope switches its API off.
        self._api_scope_parts: dict[str, frozenset[str]] = {
            api: frozenset(value.split()) for api, value in api_scopes.items()
        }
        self._missing_since: dict[str, float] = {}  # API -> when its scope was refused
        self.service_recheck_seconds = service_recheck_seconds
        if single_token:
            shared = _join_scopes(api_scopes.values())
            api_scopes = dict.fromkeys(api_scopes, shared)
        self.scopes: dict[str, str] = api_scopes
        self._tokens: dict[str, _Token] = {s: _Token(scope=s) for s in set(api_scopes.values())}
        self._token_refresh_margin = token_refresh_margin

        limits = dict(DEFAULT_RATE_LIMITS)
        for api, rate in (rate_limits or {}).items():
            if api not in API_SCOPES:
                raise ValueError(f"rate_limits: unknown API {api!r}")
            limits[api] = float(rate)
        self.rate_limits = limits
        # A slot is held until its call finishes, up to one window (at least 0.5 s): a slow
        # answer (a loaded gateway, La Bonne Boîte's geo search) then cannot let the next
        # burst arrive within the same window.
        self._limiters = {
            api: ApiRateLimiter(
                rate,
                burst=rate_limit_burst,
                headroom=rate_limit_headroom,
                max_hold=min(2.0, max(0.5, (rate_limit_burst or max(1, round(rate))) / rate)),
            )
            for api, rate in limits.items()
        }

        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_rate_limited_retries = max_rate_limited_retries
        self.max_retry_after = max_retry_after
        self.default_retry_after = default_retry_after
        self.max_start = max_start
        self.max_end = max_end
        self.stats = ClientStats()
        self._cache = _TTLCache(cache_ttl, clock)

        http_timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._http = httpx.AsyncClient(
            timeout=http_timeout,
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
                keepalive_expiry=30.0,
            ),
            headers={"Accept": "application/json", "User-Agent": user_agent},
            follow_redirects=False,
        )

    def __repr__(self) -> str:  # never shows the secret
        return f"FranceTravailClient(api_base_url={self.api_base_url!r})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Self:
        """Build from FT_CLIENT_ID, FT_CLIENT_SECRET, FT_API_BASE_URL, FT_TOKEN_URL."""
        env = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for name in ("FT_CLIENT_ID", "FT_CLIENT_SECRET"):
            value = (env.get(name) or "").strip()
            if not value:
                raise FTConfigError(
                    f"{name} is not set (France Travail partner credentials, "
                    "see https://francetravail.io)",
                    endpoint="config",
                )
            values[name] = value
        api_base_url = (env.get("FT_API_BASE_URL") or "").strip() or DEFAULT_API_BASE_URL
        token_url = (env.get("FT_TOKEN_URL") or "").strip() or DEFAULT_TOKEN_URL
        for name, url in (("FT_API_BASE_URL", api_base_url), ("FT_TOKEN_URL", token_url)):
            if not url.startswith(("https://", "http://")):
                reason = f"{name} must be an http(s) URL, got {url!r}"
                raise FTConfigError(reason, endpoint="config")
        return cls(
            values["FT_CLIENT_ID"],
            values["FT_CLIENT_SECRET"],
            api_base_url=api_base_url,
            token_url=token_url,
            **options,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    # ---- optional services ----------------------------------------------------------------
    def service_enabled(self, api: str) -> bool:
        """False while ``api``'s scope stands refused (until the re-check delay has passed)."""
        since = self._missing_since.get(api)
        if since is None:
            return True
        if self._clock() - since < self.service_recheck_seconds:
            return False
        # Time to ask again: the next token request includes its scopes once more.
        del self._missing_since[api]
        token = self._tokens[self.scopes[api]]
        token.value, token.expires_at = None, 0.0
        return True

    @property
    def missing_services(self) -> frozenset[str]:
        """The APIs currently switched off because their scope was refused."""
        return frozenset(api for api in self._missing_since if not self._recheck_due(api))

    def _recheck_due(self, api: str) -> bool:
        since = self._missing_since.get(api)
        return since is None or self._clock() - since >= self.service_recheck_seconds

    def _mark_missing(self, api: str) -> None:
        self._missing_since[api] = self._clock()
        self.stats.errors["scope_missing"] += 1

    def _requested_scope(self, token: _Token) -> str:
        """The token's scopes without those of the APIs switched off."""
        dropped: set[str] = set()
        for api in self._missing_since:
            if self.scopes[api] == token.scope:
                dropped |= self._api_scope_parts[api]
        return " ".join(part for part in token.scope.split() if part not in dropped)

    def _apis_of_scopes(self, token: _Token, refused: set[str]) -> list[str]:
        """The optional APIs of this token that need one of the ``refused`` scope words."""
        return [
            api
            for api in sorted(self._api_scope_parts)
            if api in OPTIONAL_APIS
            and self.scopes[api] == token.scope
            and api not in self._missing_since
            and self._api_scope_parts[api] & refused
        ]

    def _not_enabled(self, api: str, endpoint: str, status: int | None = None) -> FTError:
        return self._count(
            FTServiceNotEnabled(
                f"service not enabled for this application (scopes {self.scopes_of(api)!r})",
                api=api,
                status=status,
                endpoint=endpoint,
            )
        )

    def scopes_of(self, api: str) -> str:
        """The scope words ``api`` needs (for messages and ``ft-bot check``)."""
        return " ".join(sorted(self._api_scope_parts[api]))

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return ceiling * random.uniform(0.5, 1.0)  # "equal jitter": spread, never zero

    def _count(self, error: FTError) -> FTError:
        self.stats.failures[error.endpoint] += 1
        return error

    async def _cached(self, key: str, fetch: Callable[[], Awaitable[T]]) -> T:
        def hit() -> None:
            self.stats.cache_hits += 1

        return await self._cache.get_or_fetch(key, fetch, hit)

    def clear_cache(self) -> None:
        self._cache.clear()
