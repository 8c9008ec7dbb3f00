"""Offers a person hid with 🙈 (« pas intéressé »): never shown to them again in /recherche,
/match or alerts.

The database holds them (``storage.feedback``: ``offer_feedback``, with the optional reason), so
that alert workers in other processes see them too. Older versions kept a list of ids in the
person's PTB ``user_data`` (``hidden_offers``): it is still read, so nobody's hidden offers come
back, and moved into the database the first time it is read (`hidden_set`).

Bridge until the alert cycle reads the database (phase 2 of issue 15, see
docs/saved-alerts.md): `hide_offer` also keeps the id in ``user_data``, which the in-process cycle
reads synchronously through `hidden_for` (``bot/alerts/planning.py``). Phase 2 replaces that read
with ``storage.hidden_offers_of(user_ids)`` (or ``feedback_of``) and removes the mirror.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Final

from ft_client.alert_feedback import Feedback
from ft_client.models import Offer
from storage import UnknownUserError

if TYPE_CHECKING:
    from telegram.ext import Application

    from storage import Storage

HIDDEN_KEY: Final = "hidden_offers"
MAX_HIDDEN: Final = 500  # the user_data mirror only; offers expire after weeks


def hidden_ids(user_data: Mapping[str, Any] | None) -> frozenset[str]:
    """The ids of the ``user_data`` list (old versions, and the bridge mirror)."""
    found = user_data.get(HIDDEN_KEY) if user_data is not None else None
    if not isinstance(found, list):
        return frozenset()
    return frozenset(str(offer_id) for offer_id in found)


def _mirror(user_data: MutableMapping[str, Any] | None, offer_id: str) -> None:
    if user_data is None:
        return
    found = user_data.get(HIDDEN_KEY)
    ids = [i for i in found if i != offer_id] if isinstance(found, list) else []
    ids.append(offer_id)
    user_data[HIDDEN_KEY] = ids[-MAX_HIDDEN:]


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


async def hide_offer(
    storage: Storage,
    user_id: int,
    user_data: MutableMapping[str, Any] | None,
    feedback: Feedback,
) -> None:
    """Hide one offer for good (the reason, if any, comes with ``feedback``)."""
    await storage.add_feedback(user_id, feedback)
    _mirror(user_data, feedback.offer_id)


def visible(offers: Iterable[Offer], hidden: frozenset[str]) -> list[Offer]:
    """The offers not hidden (order kept)."""
    return [offer for offer in offers if offer.id not in hidden]


# The running application's user_data, for the in-process alert cycle (which gets services and
# the bot, not the application). Phase 2 reads the database instead (see the module docstring).
_live_user_data: Mapping[int, Any] | None = None


def watch(application: Application) -> None:
    """Let `hidden_for` read this application's user_data (called when handlers register)."""
    global _live_user_data
    _live_user_data = application.user_data


def hidden_for(user_id: int) -> frozenset[str]:
    """The offers ``user_id`` hid in this process's memory (bridge: see the module docstring)."""
    data = _live_user_data.get(user_id) if _live_user_data is not None else None
    return hidden_ids(data) if isinstance(data, Mapping) else frozenset()
