"""Searches kept in ``user_data["searches"]`` under a short key carried by their buttons
(paging, « Élargir à 50 km », « Toute la France », « Sans filtre de contrat », a place chosen).

A search is ``{"q": job text shown, "c": Criteria.to_dict()}`` (plus, for a place question,
``"p"``: the offered places and ``"r"``: the radius); the 10 newest are kept. An unknown key is
a stale button.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Final

from bot.criteria import Criteria
from bot.handlers.common import Context

SEARCHES_KEPT: Final = 10
SEARCHES_KEY: Final = "searches"


def search_key(job_text: str, criteria: Criteria) -> str:
    payload = json.dumps([job_text, criteria.to_dict()], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:10]


def remember_search(context: Context, key: str, search: dict[str, Any]) -> None:
    if context.user_data is None:
        return
    searches = context.user_data.get(SEARCHES_KEY)
    if not isinstance(searches, dict):
        searches = {}
    searches.pop(key, None)
    searches[key] = search
    while len(searches) > SEARCHES_KEPT:
        searches.pop(next(iter(searches)))
    context.user_data[SEARCHES_KEY] = searches


def recall_search(context: Context, key: str) -> dict[str, Any] | None:
    searches = context.user_data.get(SEARCHES_KEY) if context.user_data is not None else None
    found = searches.get(key) if isinstance(searches, dict) else None
    return found if isinstance(found, dict) else None


def remember_criteria(context: Context, job_text: str, criteria: Criteria) -> str:
    """Keep a search so that its buttons work; returns its key."""
    key = search_key(job_text, criteria)
    remember_search(context, key, {"q": job_text[:100], "c": criteria.to_dict()})
    return key
