"""Accepted digests written down: their offers sent and their alerts served, in one transaction.

``record_delivery`` writes one digest; ``record_deliveries`` writes several in ONE transaction
(a group commit: the alert cycle batches the digests Telegram accepted while the previous
commit ran, so a slow commit delays the records, not the sends). Either way a digest is
recorded whole or not at all: offers sent and alerts served never part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, update
from sqlalchemy.exc import IntegrityError

from storage.alert_delivery import (
    _MARK_SAVED_SERVED,
    AlertDeliveryRepository,
    _saved_rows,
    _sent_rows,
)
from storage.models import require_user_id, to_epoch
from storage.schema import profiles

# One user's profile alert served at ``stamp`` (never moves back: a portable max()); executed
# with one parameter set per digest.
_MARK_USER_SERVED = (
    update(profiles)
    .where(profiles.c.user_id == bindparam("uid"))
    .values(
        last_alert_at=case(
            (profiles.c.last_alert_at < bindparam("stamp"), bindparam("stamp")),
            else_=profiles.c.last_alert_at,
        )
    )
)
# The same, also recording the alert criteria the digest was computed for.
_MARK_USER_SERVED_FOR = _MARK_USER_SERVED.values(alert_criteria=bindparam("criteria"))


@dataclass(frozen=True, slots=True)
class Delivery:
    """One digest Telegram accepted: its offers, when, and the alerts it served — the profile
    alert (``profile``, with the ``criteria`` it was computed for, None: unchanged) and each
    saved alert of ``saved`` (alert number → the criteria it was served for)."""

    user_id: int
    offer_ids: Sequence[str]
    at: datetime
    criteria: str | None = None
    profile: bool = True
    saved: Mapping[int, str] = field(default_factory=dict)


class DeliveryRepository(AlertDeliveryRepository):
    """Record accepted digests (see the module docstring)."""

    async def record_delivery(
        self,
        user_id: int,
        offer_ids: Iterable[str],
        at: datetime,
        *,
        criteria: str | None = None,
        profile: bool = True,
        saved: Mapping[int, str] | None = None,
    ) -> int:
        """A digest Telegram accepted, in ONE transaction: its offers sent (``mark_sent``), the
        profile alert served at ``at`` (``mark_served``, with ``criteria``; skipped when
        ``profile`` is False: the digest held only saved alerts) and each saved alert of
        ``saved`` (alert number → the criteria it was served for) served at ``at``. All or
        nothing: a process killed in between cannot leave the offers sent and an alert due
        (which would send a second, different digest) nor the reverse. Returns the new sent
        rows. An unknown user raises ``UnknownUserError``."""
        delivery = Delivery(user_id, tuple(offer_ids), at, criteria, profile, dict(saved or {}))
        try:
            return await self.record_deliveries([delivery])
        except IntegrityError as error:
            self._raise_unknown_user(error, user_id)
            raise

    async def record_deliveries(self, deliveries: Sequence[Delivery]) -> int:
        """Several digests, each recorded as ``record_delivery`` does, all in ONE transaction
        (three statements whatever their number). All or nothing: one unknown user (erased
        meanwhile) rolls the whole batch back with an ``IntegrityError``; the caller then
        records the others one by one. Returns the new sent rows."""
        sent: list[dict[str, Any]] = []
        served: list[dict[str, Any]] = []
        served_for: list[dict[str, Any]] = []
        saved: list[dict[str, Any]] = []
        for delivery in deliveries:
            user_id = require_user_id(delivery.user_id)
            if delivery.criteria is not None and not isinstance(delivery.criteria, str):
                raise TypeError("criteria must be a str or None")
            stamp = to_epoch("at", delivery.at)
            sent.extend(_sent_rows(user_id, delivery.offer_ids, delivery.at))
            if delivery.profile:
                if delivery.criteria is None:
                    served.append({"uid": user_id, "stamp": stamp})
                else:
                    served_for.append(
                        {"uid": user_id, "stamp": stamp, "criteria": delivery.criteria}
                    )
            saved.extend(_saved_rows(user_id, delivery.saved, stamp))
        if not deliveries:
            return 0
        async with self._transaction() as db:
            inserted = await self._insert_sent(db, sent) if sent else 0
            if served:
                await db.execute(_MARK_USER_SERVED, served)
            if served_for:
                await db.execute(_MARK_USER_SERVED_FOR, served_for)
            if saved:
                await db.execute(_MARK_SAVED_SERVED, saved)
        return inserted
