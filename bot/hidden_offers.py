"""Offers a person hid with 🙈 (« pas intéressé »): never shown to them again in /recherche,
/match or alerts.

The database holds them (``storage.feedback``: ``offer_feedback``, with the optional reason), so
that alert workers in other processes see them too. Older versions kept a list of ids in the
person's PTB ``user_data`` (``hidden_offers``): it is still read, so nobody's hidden offers come
back, and moved into the database the first time it is read (`hidden_set`). The alert cycle
reads the database only (``storage.feedback_of``, many people at once).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from ft_client.alert_feedback import Feedback
from ft_client.models import Offer
from storage import UnknownUserError

if TYPE_CHECKING:
    from storage import Storage

HIDDEN_KEY: Final = "hidden_offers"


def hidden_ids(user_data: Mapping[str, Any] | None) -> frozenset[str]:
    """The ids of the ``user_data`` list of older versions."""
    found = user_data.get(HIDDEN_KEY) if user_data is not None else None
    if not isinstance(found, list):
        return frozenset()
    return frozenset(str(offer_id) for offer_id in found)


async def hidden_set(
    storage: Storage, user_id: int, user_data: Mapping[str, Any] | None
) -> frozenset[str]:
    """Every offer the person hid: the database's, plus an old ``user_data`` list (moved into
    the database on the way when the person has a user row)."""
    stored = (await storage.hidden_offers_of([user_id])).get(user_id, frozenset())
    legacy = hidden_ids(user_data)
    missing = legacy - stored
    if missing:
        # Nobody stored yet (no user row): the list keeps working from user_data.
        with contextlib.suppress(UnknownUserError):
            await storage.hide_offers(user_id, sorted(missing))
    return stored | legacy


async def move_legacy_lists(storage: Storage, user_data: Mapping[int, Any]) -> int:
    """Move every old ``user_data`` list into the database (the running bot's alert job does
    it once, before its first cycle: the cycle reads the database only). Returns the people
    moved."""
    moved = 0
    for user_id, data in list(user_data.items()):
        ids = hidden_ids(data) if isinstance(data, Mapping) else frozenset()
        if ids:
            with contextlib.suppress(UnknownUserError):
                await storage.hide_offers(user_id, sorted(ids))
                moved += 1
    return moved


async def hide_offer(storage: Storage, user_id: int, feedback: Feedback) -> None:
    """Hide one offer for good (the reason, if any, comes with ``feedback``)."""
    await storage.add_feedback(user_id, feedback)


def visible(offers: Iterable[Offer], hidden: frozenset[str]) -> list[Offer]:
    """The offers not hidden (order kept)."""
    return [offer for offer in offers if offer.id not in hidden]
