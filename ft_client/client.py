"""Async client of the France Travail partner APIs (Offres d'emploi v2, ROME 4.0, soft skills).

One ``httpx.AsyncClient`` per ``FranceTravailClient``. Around every call:

* OAuth2 client credentials: one cached token per scope set (by default one token for every
  API used), refreshed ``token_refresh_margin`` seconds before ``expires_in`` by a single task
  under an ``asyncio.Lock``; a 401 invalidates the token, refreshes it once and retries once.
* a rate limiter per API (``ratelimit.ApiRateLimiter``) under the documented rates; a 429
  pauses that API for ``Retry-After`` (bounded) and retries;
* timeouts, connection errors and 5xx retry with exponential backoff and jitter, a bounded
  number of times, then raise ``FTUnavailable``; a 400 raises ``FTBadRequest`` at once.

Nothing here logs a token, a secret or an ``Authorization`` header, and the ``httpx`` and
``httpcore`` loggers (which log every URL at INFO/DEBUG) are held at WARNING.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import os
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from ft_client.errors import (
    FTAuthError,
    FTBadRequest,
    FTError,
    FTInvalidResponse,
    FTRateLimited,
    FTUnavailable,
)
from ft_client.models import (
    CommuneEntry,
    Facet,
    Offer,
    OfferPage,
    ReferentialEntry,
    RomeJob,
    SoftSkill,
)
from ft_client.query import ROME_CODE_RE, OfferQuery
from ft_client.ratelimit import ApiRateLimiter

log = logging.getLogger("ft_client")

DEFAULT_API_BASE_URL = "https://api.francetravail.io/partenaire"
DEFAULT_TOKEN_URL = (
    "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=%2Fpartenaire"  # noqa: S105
)

# The APIs this client calls, the scopes each needs, and the documented rates (calls/s).
API_SCOPES: dict[str, tuple[str, ...]] = {
    "offres": ("api_offresdemploiv2", "o2dsoffre"),
    "rome": ("api_rome-metiersv1", "api_rome-fiches-metiersv1", "nomenclatureRome"),
    "softskills": ("api_matchviasoftskillsv1",),
}
DEFAULT_RATE_LIMITS: dict[str, float] = {"offres": 10.0, "rome": 1.0, "softskills": 1.0}

MAX_PAGE_SIZE = 150  # the API refuses wider ranges ("La plage de résultats … trop importante.")
DEFAULT_MAX_START = 3000  # documented caps of `range=p-d` (older doc: 1000 / 1149)
DEFAULT_MAX_END = 3149

# Offer ids: 7 upper-case alphanumerics ("193XKZP"); partner offers use numeric ids ("4066270").
OFFER_ID_RE = re.compile(r"^(?:[0-9A-Z]{7}|\d{5,12})$")
REFERENTIAL_NAME_RE = re.compile(r"^[a-zA-Z]{2,40}$")
CONTENT_RANGE_RE = re.compile(r"(?:(\d+)-(\d+)|\*)/(\d+)")

T = TypeVar("T")


@dataclass
class ClientStats:
    """Counters for /stats and alert-run records (all cumulative since creation or ``reset``)."""

    calls: Counter[str] = field(default_factory=Counter)  # HTTP requests sent, per endpoint
    retries: Counter[str] = field(default_factory=Counter)  # re-sent requests, per endpoint
    errors: Counter[str] = field(default_factory=Counter)  # failed answers by status/kind
    failures: Counter[str] = field(default_factory=Counter)  # FTErrors raised, per endpoint
    rate_limited: int = 0  # 429 answers received
    retry_after_waited: float = 0.0  # seconds of pause asked by Retry-After (after bounding)
    token_requests: int = 0
    token_refreshes_on_401: int = 0
    cache_hits: int = 0

    def reset(self) -> None:
        fresh = ClientStats()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "total_calls": sum(self.calls.values()),
            "retries": dict(self.retries),
            "errors": dict(self.errors),
            "failures": dict(self.failures),
            "rate_limited": self.rate_limited,
            "retry_after_waited": round(self.retry_after_waited, 3),
            "token_requests": self.token_requests,
            "token_refreshes_on_401": self.token_refreshes_on_401,
            "cache_hits": self.cache_hits,
        }


@dataclass
class _Token:
    scope: str
    value: str | None = None
    expires_at: float = 0.0  # in the client's clock
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class _TTLCache:
    """In-memory cache with a TTL and one fetch at a time per key (no thundering herd)."""

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self._clock = clock
        self._values: dict[str, tuple[float, Any]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _get(self, key: str) -> tuple[bool, Any]:
        entry = self._values.get(key)
        if entry is not None and entry[0] > self._clock():
            return True, entry[1]
        return False, None

    async def get_or_fetch(
        self, key: str, fetch: Callable[[], Awaitable[T]], on_hit: Callable[[], None]
    ) -> T:
        found, value = self._get(key)
        if found:
            on_hit()
            return value
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            found, value = self._get(key)
            if found:
                on_hit()
                return value
            value = await fetch()
            if self.ttl > 0:
                self._values[key] = (self._clock() + self.ttl, value)
            return value

    def clear(self) -> None:
        self._values.clear()


def _quiet_http_loggers() -> None:
    # httpx logs "HTTP Request: GET <url>" at INFO and httpcore dumps headers at DEBUG.
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.WARNING or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def _parse_retry_after(value: str | None, default: float) -> float:
    if not value:
        return default
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, moment.timestamp() - time.time())


def _error_message(response: httpx.Response) -> tuple[str, str | None]:
    """The API's ``message`` (and ``codeErreur``) from an error body, else a text excerpt."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        message = body.get("message") or body.get("error_description") or body.get("error")
        code = body.get("codeErreur")
        if isinstance(message, str) and message.strip():
            return message.strip(), str(code) if code is not None else None
    text = response.text.strip()[:200] if response.content else ""
    return text or f"HTTP {response.status_code}", None


class FTConfigError(FTError, ValueError):
    """A missing or malformed configuration value (names the variable)."""


def _join_scopes(scopes: Iterable[str]) -> str:
    seen: dict[str, None] = {}
    for scope in scopes:
        for part in scope.split():
            seen.setdefault(part, None)
    return " ".join(seen)


class FranceTravailClient:
    """Async client of the France Travail partner APIs; use ``async with`` or ``aclose()``."""

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
        self._limiters = {
            api: ApiRateLimiter(rate, burst=rate_limit_burst, headroom=rate_limit_headroom)
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

    # -- tokens -----------------------------------------------------------------------------

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
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "scope": token.scope,
        }
        attempt = 0
        while True:
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

    # -- HTTP core ---------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return ceiling * random.uniform(0.5, 1.0)  # "equal jitter": spread, never zero

    def _count(self, error: FTError) -> FTError:
        self.stats.failures[error.endpoint] += 1
        return error

    async def _call(
        self,
        api: str,
        endpoint: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        accept: Sequence[int] = (200, 206, 204),
    ) -> httpx.Response:
        """Send one logical call with auth, rate limit and retries; return an accepted answer."""
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
                token_value = await self._token_value(token)
                self.stats.calls[endpoint] += 1
                started = time.perf_counter()
                response = await self._http.request(
                    method,
                    url,
                    params=params,
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
                if status == 400:
                    message, code = _error_message(response)
                    raise self._count(
                        FTBadRequest(message, endpoint=endpoint, error_code=code, status=400)
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

    # -- Offres d'emploi v2 ------------------------------------------------------------------

    async def search_offers(
        self, query: OfferQuery | None = None, start: int = 0, count: int = MAX_PAGE_SIZE
    ) -> OfferPage:
        """One page of offers: ``range=start-(start+count-1)``; total from ``Content-Range``."""
        page, _ = await self._search_page(query or OfferQuery(), start, count)
        return page

    async def _search_page(
        self, query: OfferQuery, start: int, count: int
    ) -> tuple[OfferPage, int]:
        if not isinstance(query, OfferQuery):
            raise TypeError(f"query must be an OfferQuery, got {type(query).__name__}")
        if not 0 <= start <= self.max_start:
            raise ValueError(f"start must be between 0 and {self.max_start}, got {start}")
        if not 1 <= count <= MAX_PAGE_SIZE:
            raise ValueError(f"count must be between 1 and {MAX_PAGE_SIZE}, got {count}")
        end = min(start + count - 1, self.max_end)
        endpoint = "offres_search"
        params = query.to_params()
        params["range"] = f"{start}-{end}"
        response = await self._call(
            "offres", endpoint, "GET", "/offresdemploi/v2/offres/search", params=params
        )
        if response.status_code == 204 or not response.content:
            return OfferPage.empty(start), start
        body = self._json(response, endpoint)
        if not isinstance(body, dict):
            raise self._invalid("search answer is not a JSON object", response, endpoint)
        raw = body.get("resultats")
        raw_items = raw if isinstance(raw, list) else []
        offers = tuple(o for item in raw_items if (o := Offer.from_json(item)) is not None)
        facets_raw = body.get("filtresPossibles")
        facets = tuple(
            f
            for item in (facets_raw if isinstance(facets_raw, list) else [])
            if (f := Facet.from_json(item)) is not None
        )
        next_start = start + len(raw_items)
        total = next_start
        match = CONTENT_RANGE_RE.search(response.headers.get("Content-Range", ""))
        if match:
            total = int(match.group(3))
            if match.group(2) is not None:
                next_start = max(next_start, int(match.group(2)) + 1)
        elif response.status_code == 206:
            log.warning("%s: 206 without a usable Content-Range header", endpoint)
        return OfferPage(offers=offers, total=total, facets=facets, start=start), next_start

    async def iter_offers(
        self, query: OfferQuery | None = None, limit: int | None = None
    ) -> AsyncIterator[Offer]:
        """Every offer of ``query`` (or the first ``limit``), page by page, each id once.

        Stops at the API's deepest index (``max_end``); results beyond it need a narrower
        query (``OfferQuery.split_window``). A 400 on a deep page (an API with lower caps)
        ends the iteration quietly.
        """
        query = query or OfferQuery()
        if limit is not None and limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        seen: set[str] = set()
        start = 0
        while limit is None or len(seen) < limit:
            if start > self.max_start or start > self.max_end:
                log.info("iter_offers: reached the API's deepest index (%d)", self.max_end)
                return
            count = min(MAX_PAGE_SIZE, self.max_end - start + 1)
            if limit is not None:
                count = min(count, max(limit - len(seen), 1))
            try:
                page, next_start = await self._search_page(query, start, count)
            except FTBadRequest as exc:
                if start == 0:
                    raise
                log.warning("iter_offers: deep page %d refused (%s); stopping", start, exc.message)
                return
            for offer in page.offers:
                if offer.id in seen:
                    continue
                seen.add(offer.id)
                yield offer
                if limit is not None and len(seen) >= limit:
                    return
            if not page.offers or next_start >= page.total or next_start <= start:
                return
            if page.total > self.max_end + 1 and next_start > self.max_end:
                log.info(
                    "iter_offers: %d results, only the first %d are reachable",
                    page.total,
                    self.max_end + 1,
                )
            start = next_start

    async def get_offer(self, offer_id: str) -> Offer | None:
        """One offer by id; ``None`` when it no longer exists (the API answers 204 or 400).

        An id that cannot be an offer's (the API would answer 400 "format … incorrect") gives
        ``None`` without any call: ids come from callback data, which users can forge.
        """
        if not isinstance(offer_id, str) or not OFFER_ID_RE.match(offer_id.strip()):
            log.debug("get_offer: %r is not an offer id; no call made", str(offer_id)[:40])
            return None
        offer_id = offer_id.strip()
        endpoint = "offres_detail"
        response = await self._call(
            "offres",
            endpoint,
            "GET",
            f"/offresdemploi/v2/offres/{offer_id}",
            accept=(200, 204, 400, 404),
        )
        if response.status_code != 200 or not response.content:
            if response.status_code == 400:
                reason = _error_message(response)[0]
                log.debug("%s: offer %s gone (400: %s)", endpoint, offer_id, reason)
            return None
        body = self._json(response, endpoint)
        offer = Offer.from_json(body)
        if offer is None:
            raise self._invalid("offer detail without an id", response, endpoint)
        return offer

    async def get_referential(self, name: str) -> list[ReferentialEntry]:
        """``/offresdemploi/v2/referentiel/{name}`` as ``{code, label}`` entries (cached)."""
        if not REFERENTIAL_NAME_RE.match(name or ""):
            raise ValueError(f"name: {name!r} is not a referential name (e.g. 'typesContrats')")
        items = await self._cached(f"referentiel:{name}", lambda: self._referential_raw(name))
        return [e for item in items if (e := ReferentialEntry.from_json(item)) is not None]

    async def list_communes(self) -> list[CommuneEntry]:
        """The ``communes`` referential (INSEE code, name, postal code, département)."""
        items = await self._cached(
            "referentiel:communes", lambda: self._referential_raw("communes")
        )
        return [c for item in items if (c := CommuneEntry.from_json(item)) is not None]

    async def _referential_raw(self, name: str) -> tuple[Any, ...]:
        endpoint = "referentiel"
        response = await self._call(
            "offres", endpoint, "GET", f"/offresdemploi/v2/referentiel/{name}", accept=(200, 206)
        )
        body = self._json(response, endpoint)
        if not isinstance(body, list):
            raise self._invalid(f"referential {name!r} is not a JSON array", response, endpoint)
        return tuple(body)

    async def _cached(self, key: str, fetch: Callable[[], Awaitable[T]]) -> T:
        def hit() -> None:
            self.stats.cache_hits += 1

        return await self._cache.get_or_fetch(key, fetch, hit)

    def clear_cache(self) -> None:
        self._cache.clear()

    # -- ROME 4.0 ----------------------------------------------------------------------------

    async def get_job(self, code: str) -> RomeJob | None:
        """A ROME 4.0 métier with its fiche's skills (cached); ``None`` for an unknown code."""
        code = _rome_code(code)
        return await self._cached(f"rome:{code}", lambda: self._fetch_job(code))

    async def _fetch_job(self, code: str) -> RomeJob | None:
        metier_response = await self._call(
            "rome",
            "rome_metier",
            "GET",
            f"/rome-metiers/v1/metiers/metier/{code}",
            accept=(200, 204, 404),
        )
        if metier_response.status_code != 200 or not metier_response.content:
            return None
        metier = self._json(metier_response, "rome_metier")
        fiche_response = await self._call(
            "rome",
            "rome_fiche",
            "GET",
            f"/rome-fiches-metiers/v1/fiches-rome/fiche-metier/{code}",
            accept=(200, 204, 404),
        )
        fiche = None
        if fiche_response.status_code == 200 and fiche_response.content:
            fiche = self._json(fiche_response, "rome_fiche")
        job = RomeJob.from_json(metier, fiche)
        if job is None:
            raise self._invalid("ROME métier without a code", metier_response, "rome_metier")
        return job

    async def get_soft_skills(self, code: str) -> list[SoftSkill]:
        """Match via Soft Skills for a ROME code, best score first (cached); [] if unknown."""
        code = _rome_code(code)
        skills = await self._cached(f"softskills:{code}", lambda: self._fetch_soft_skills(code))
        return list(skills)

    async def _fetch_soft_skills(self, code: str) -> tuple[SoftSkill, ...]:
        endpoint = "softskills"
        response = await self._call(
            "softskills",
            endpoint,
            "POST",
            f"/matchviasoftskills/v1/professions/job_skills?code={code}",
            accept=(200, 201, 204, 404),
        )
        if response.status_code in (204, 404) or not response.content:
            return ()
        body = self._json(response, endpoint)
        if not isinstance(body, dict):
            raise self._invalid("soft skills answer is not a JSON object", response, endpoint)
        return tuple(SoftSkill.list_from_json(body))


def _rome_code(code: str) -> str:
    if not isinstance(code, str) or not ROME_CODE_RE.match(code.strip().upper()):
        raise ValueError(f"code: {code!r} is not a ROME code (a letter A–N and 4 digits)")
    return code.strip().upper()


__all__ = [
    "API_SCOPES",
    "DEFAULT_API_BASE_URL",
    "DEFAULT_RATE_LIMITS",
    "DEFAULT_TOKEN_URL",
    "ClientStats",
    "FTConfigError",
    "FranceTravailClient",
]
