"""Offers a person hid with 🙈: never shown to them again in /recherche, /match or alerts.

Kept in the person's PTB ``user_data`` (persisted with it, exported by /mesdonnees, erased by
/supprimer with the rest of their memory): a list of offer ids, newest last, bounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Final

from ft_client.models import Offer

if TYPE_CHECKING:
    from telegram.ext import Application

HIDDEN_KEY: Final = "hidden_offers"
MAX_HIDDEN: Final = 500  # offers expire after weeks: the oldest ids can go


def hidden_ids(user_data: Mapping[str, Any] | None) -> frozenset[str]:
    found = user_data.get(HIDDEN_KEY) if user_data is not None else None
    if not isinstance(found, list):
        return frozenset()
    return frozenset(str(offer_id) for offer_id in found)


def hide(user_data: MutableMapping[str, Any] | None, offer_id: str) -> None:
    if user_data is None:
        return
    found = user_data.get(HIDDEN_KEY)
    ids = [i for i in found if i != offer_id] if isinstance(found, list) else []
    ids.append(offer_id)
    user_data[HIDDEN_KEY] = ids[-MAX_HIDDEN:]


def visible(offers: Iterable[Offer], hidden: frozenset[str]) -> list[Offer]:
    """The offers not hidden (order kept)."""
    return [offer for offer in offers if offer.id not in hidden]


# The running application's user_data, for the alert cycle (which gets services and the bot,
# not the application). A one-shot cycle from the command line has no user_data: nothing hidden.
_live_user_data: Mapping[int, Any] | None = None


def watch(application: Application) -> None:
    """Let `hidden_for` read this application's user_data (called when handlers register)."""
    global _live_user_data
    _live_user_data = application.user_data


def hidden_for(user_id: int) -> frozenset[str]:
    """The offers ``user_id`` hid, read without creating a user_data entry."""
    data = _live_user_data.get(user_id) if _live_user_data is not None else None
    return hidden_ids(data) if isinstance(data, Mapping) else frozenset()
