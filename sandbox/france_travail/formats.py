"""Text and date formats of the France Travail API: accent-free matching text, ``dateCreation``."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime


def normalize_text(text: str) -> str:
    """Lower case without accents, for accent- and case-insensitive matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("œ", "oe")


def format_ft_datetime(moment: datetime) -> str:
    """``2026-11-25T10:15:42.000Z`` like real offers."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_ft_datetime(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except (AttributeError, ValueError):
        return None
