"""Tolerant readers of France Travail JSON values, and the API's date format.

The real API omits fields, sends ``null`` or ``[]`` where an object is expected, and numbers as
strings: each reader returns ``None`` (or an empty container) for what it cannot use and never
raises. The underscored readers are private to :mod:`ft_client.models`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", "."))
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list_of_dicts(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _str_tuple(value: Any) -> tuple[str, ...]:
    """A field seen both as a string and as a list of strings."""
    if isinstance(value, str):
        text = value.strip()
        return (text,) if text else ()
    if isinstance(value, list):
        return tuple(s for s in (_str(v) for v in value) if s)
    return ()


def parse_datetime(value: Any) -> datetime | None:
    """ISO-8601 as France Travail sends it (``Z``, with or without millis) → aware UTC datetime."""
    text = _str(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_ft_datetime(value: datetime) -> str:
    """The API's date format for ``minCreationDate``/``maxCreationDate``: UTC, no millis."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
