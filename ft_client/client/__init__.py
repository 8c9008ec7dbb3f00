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

Modules: ``facade`` (:class:`FranceTravailClient`), ``base`` (constructor, ``from_env``,
lifecycle, backoff, cache use), ``auth`` (tokens), ``transport`` (one call: rate limit,
retries, error mapping), ``offers``, ``referentials`` and ``rome`` (the API surfaces),
``config`` (URLs, scopes, rates), ``stats``, ``cache``, ``responses`` (error bodies,
``Retry-After``).
"""

from ft_client.client.config import (
    API_SCOPES,
    DEFAULT_API_BASE_URL,
    DEFAULT_MAX_END,
    DEFAULT_MAX_START,
    DEFAULT_RATE_LIMITS,
    DEFAULT_TOKEN_URL,
    FTConfigError,
)
from ft_client.client.facade import FranceTravailClient
from ft_client.client.offers import CONTENT_RANGE_RE, MAX_PAGE_SIZE, OFFER_ID_RE
from ft_client.client.referentials import REFERENTIAL_NAME_RE
from ft_client.client.responses import _error_message as _error_message
from ft_client.client.responses import _parse_retry_after as _parse_retry_after
from ft_client.client.stats import ClientStats

# Every name ft_client.client offered as a module stays importable from the package (the two
# private helpers above are imported by tests).
__all__ = [
    "API_SCOPES",
    "CONTENT_RANGE_RE",
    "DEFAULT_API_BASE_URL",
    "DEFAULT_MAX_END",
    "DEFAULT_MAX_START",
    "DEFAULT_RATE_LIMITS",
    "DEFAULT_TOKEN_URL",
    "MAX_PAGE_SIZE",
    "OFFER_ID_RE",
    "REFERENTIAL_NAME_RE",
    "ClientStats",
    "FTConfigError",
    "FranceTravailClient",
]
