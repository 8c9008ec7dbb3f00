"""Coercion of ``OfferQuery`` field values, and their rendering as API parameters.

Each helper accepts what a caller may reasonably pass (a code as ``str`` or ``int``, codes as a
comma-separated string or any iterable, a number as a string of digits…) and returns the one
normalised form, or raises ``ValueError`` naming the ``OfferQuery`` field and the reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any


def _fail(field_name: str, reason: str) -> ValueError:
    return ValueError(f"OfferQuery.{field_name}: {reason}")


def _codes(field_name: str, value: Any, *, upper: bool = True) -> tuple[str, ...]:
    """A list of codes given as a str ("CDI" or "CDI,CDD") or any iterable → sorted tuple."""
    if value is None:
        return ()
    items: Iterable[Any]
    items = value.split(",") if isinstance(value, str) else value
    out: set[str] = set()
    try:
        for item in items:
            if not isinstance(item, str):
                raise _fail(field_name, f"expected codes as strings, got {item!r}")
            code = item.strip()
            if upper:
                code = code.upper()
            if code:
                out.add(code)
    except TypeError as exc:
        raise _fail(
            field_name, f"expected a string or a sequence of strings, got {value!r}"
        ) from exc
    return tuple(sorted(out))


def _optional_code(field_name: str, value: Any, *, upper: bool = True) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _fail(field_name, f"expected a string, got {value!r}")
    code = value.strip()
    if upper:
        code = code.upper()
    return code or None


def _optional_int(field_name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _fail(field_name, f"expected an integer, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if not isinstance(value, int):
        raise _fail(field_name, f"expected an integer, got {value!r}")
    return value


def _optional_number(field_name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(field_name, f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise _fail(field_name, f"expected a finite number, got {value!r}")
    return float(value)


def _optional_bool(field_name: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise _fail(field_name, f"expected True, False or None, got {value!r}")


def _number_param(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _hhmm(hours: float) -> str:
    whole = int(hours)
    minutes = round((hours - whole) * 60)
    if minutes == 60:
        whole, minutes = whole + 1, 0
    return f"{whole}{minutes:02d}"
