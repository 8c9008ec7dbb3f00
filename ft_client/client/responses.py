"""Reading France Travail answers: the message of an error body, the ``Retry-After`` header."""

from __future__ import annotations

import email.utils
import json
import time

import httpx


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
