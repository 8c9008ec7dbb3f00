"""Errors raised by the France Travail client.

Every error derives from :class:`FTError` and carries the HTTP ``status`` (``None`` when no
answer came back: timeout, connection error) and the logical ``endpoint`` name (for example
``"offres_search"``), so callers can count failures per endpoint without parsing messages.
Messages never contain tokens or secrets.
"""

from __future__ import annotations


class FTError(Exception):
    """Base class of every France Travail client error."""

    def __init__(self, message: str, *, status: int | None = None, endpoint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.endpoint = endpoint

    def __str__(self) -> str:
        where = f"{self.endpoint}: " if self.endpoint else ""
        code = f" (HTTP {self.status})" if self.status is not None else ""
        return f"{where}{self.message}{code}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"endpoint={self.endpoint!r})"
        )


class FTAuthError(FTError):
    """The token endpoint refused our credentials or scopes, or the API kept answering 401/403.

    ``message`` holds the service's ``error_description`` (e.g. "Client authentication failed");
    ``error`` its ``error`` code (``invalid_client``, ``invalid_scope``) when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        endpoint: str = "",
        error: str | None = None,
    ) -> None:
        super().__init__(message, status=status, endpoint=endpoint)
        self.error = error


class FTServiceNotEnabled(FTAuthError):
    """The application is not subscribed to this API: the token request refused its scope
    (``invalid_scope``) or the API answered 403 naming it. ``api`` is the client's API name
    (``labonneboite``, ``marche``, ``softskills``, ``romeo``…); the client remembers it and
    raises this at once, without an HTTP call, until the next re-check."""

    def __init__(
        self,
        message: str,
        *,
        api: str,
        status: int | None = None,
        endpoint: str = "",
        error: str | None = "invalid_scope",
    ) -> None:
        super().__init__(message, status=status, endpoint=endpoint, error=error)
        self.api = api


class FTBadRequest(FTError):
    """HTTP 400: the API rejected a parameter; ``message`` is the API's own ``message``."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = 400,
        endpoint: str = "",
        error_code: str | None = None,
    ) -> None:
        super().__init__(message, status=status, endpoint=endpoint)
        self.error_code = error_code  # the API's 13-digit "codeErreur", useful when reporting


class FTRateLimited(FTError):
    """HTTP 429 kept coming back after the configured number of waits (or asked for too long)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = 429,
        endpoint: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, endpoint=endpoint)
        self.retry_after = retry_after


class FTUnavailable(FTError):
    """Timeouts, connection errors or 5xx persisted through every retry."""


class FTInvalidResponse(FTError):
    """The API answered with a body we cannot use (malformed JSON, unexpected shape)."""


__all__ = [
    "FTAuthError",
    "FTBadRequest",
    "FTError",
    "FTInvalidResponse",
    "FTRateLimited",
    "FTServiceNotEnabled",
    "FTUnavailable",
]
