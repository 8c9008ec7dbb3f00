"""« Pas intéressé » (issue 15): the offers a person hid with 🙈, each with an optional reason.

Every row hides its offer for good (/recherche, /match, digests); a reason (``metier``,
``entreprise``, ``trop_loin``, ``salaire``, ``contrat``) adds an effect on the next digests,
computed by ``ft_client.alert_feedback`` from the offer's facts stored with it. « Annuler » in
/alertes clears the reason (the offer stays hidden). At most `MAX_FEEDBACK` rows per person:
the oldest ones without a reason go first (offers expire within weeks anyway).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from sqlalchemy import delete, select
from sqlalchemy.engine import Row

from ft_client.alert_feedback import Feedback, Reason
from storage.clock import _now
from storage.db import Database
from storage.models import from_epoch, require_user_id, to_epoch
from storage.saved_alerts import lock_user
from storage.schema import offer_feedback

MAX_FEEDBACK: Final = 1000
MAX_TEXT: Final = 200  # company names are cut: they are compared, never shown whole

_COLUMNS = (
    offer_feedback.c.user_id,
    offer_feedback.c.offer_id,
    offer_feedback.c.reason,
    offer_feedback.c.rome_code,
    offer_feedback.c.company,
    offer_feedback.c.distance_km,
    offer_feedback.c.salary_monthly,
    offer_feedback.c.contract_type,
    offer_feedback.c.created_at,
)


def _reason(text: str | None) -> Reason | None:
    try:
        return Reason(text) if text else None
    except ValueError:
        return None


def _from_row(row: Row[Any]) -> Feedback:
    return Feedback(
        offer_id=row[1],
        reason=_reason(row[2]),
        rome_code=row[3],
        company=row[4],
        distance_km=row[5],
        salary_monthly=row[6],
        contract_type=row[7],
        at=from_epoch(row[8]),
    )


def _cut(text: str | None) -> str | None:
    return text[:MAX_TEXT] if text else None


class FeedbackRepository(Database):
    """Hide offers, set or clear their reason, and read it all for many people at once."""

    async def add_feedback(
        self, user_id: int, feedback: Feedback, *, at: datetime | None = None
    ) -> None:
        """Hide ``feedback.offer_id`` for the person (again: its facts and reason refreshed)."""
        require_user_id(user_id)
        stamp = to_epoch("at", at or _now())
        values = {
            "reason": feedback.reason.value if feedback.reason else None,
            "rome_code": _cut(feedback.rome_code),
            "company": _cut(feedback.company),
            "distance_km": feedback.distance_km,
            "salary_monthly": feedback.salary_monthly,
            "contract_type": _cut(feedback.contract_type),
        }
        insert = self._insert(offer_feedback).values(
            user_id=user_id, offer_id=feedback.offer_id[:MAX_TEXT], created_at=stamp, **values
        )
        c = offer_feedback.c
        async with self._transaction() as db:
            await lock_user(db, user_id)
            await db.execute(
                insert.on_conflict_do_update(index_elements=[c.user_id, c.offer_id], set_=values)
            )
            await self._prune(db, user_id)

    async def hide_offers(self, user_id: int, offer_ids: Iterable[str]) -> None:
        """Hide offers without a reason (those already there keep theirs): the old
        ``user_data["hidden_offers"]`` lists move here."""
        require_user_id(user_id)
        ids = list(dict.fromkeys(str(i)[:MAX_TEXT] for i in offer_ids))
        if not ids:
            return
        stamp = int(_now().timestamp())
        async with self._transaction() as db:
            await lock_user(db, user_id)
            for offer_id in ids:
                insert = self._insert(offer_feedback).values(
                    user_id=user_id, offer_id=offer_id, created_at=stamp
                )
                await db.execute(insert.on_conflict_do_nothing())
            await self._prune(db, user_id)

    @staticmethod
    async def _prune(db: Any, user_id: int) -> None:
        c = offer_feedback.c
        rows = (
            await db.execute(
                select(c.offer_id)
                .where(c.user_id == user_id)
                .order_by((c.reason.is_(None)).desc(), c.created_at, c.offer_id)
            )
        ).all()
        extra = len(rows) - MAX_FEEDBACK
        if extra > 0:
            doomed = [row[0] for row in rows[:extra]]
            await db.execute(
                delete(offer_feedback).where(c.user_id == user_id, c.offer_id.in_(doomed))
            )

    async def set_feedback_reason(self, user_id: int, offer_id: str, reason: Reason | None) -> bool:
        """Set (or, with None, clear: « annuler ») the reason of one of the person's own rows."""
        c = offer_feedback.c
        async with self._transaction() as db:
            result = await db.execute(
                offer_feedback.update()
                .where(c.user_id == user_id, c.offer_id == offer_id)
                .values(reason=reason.value if reason else None)
            )
            return result.rowcount > 0

    async def feedback_of(self, user_ids: Iterable[int]) -> dict[int, list[Feedback]]:
        """Every row of many people (one query per chunk of ids), newest first."""
        found: dict[int, list[Feedback]] = {}
        for part in self._in_chunks(set(user_ids)):
            rows = await self._fetchall(select(*_COLUMNS).where(offer_feedback.c.user_id.in_(part)))
            for row in rows:
                found.setdefault(int(row[0]), []).append(_from_row(row))
        for rows_of_one in found.values():
            rows_of_one.sort(key=lambda f: (-(f.at.timestamp() if f.at else 0), f.offer_id))
        return found

    async def list_feedback(self, user_id: int) -> list[Feedback]:
        return (await self.feedback_of([user_id])).get(user_id, [])

    async def hidden_offers_of(self, user_ids: Iterable[int]) -> dict[int, frozenset[str]]:
        """The offers each person hid (people who hid nothing are absent)."""
        c = offer_feedback.c
        found: dict[int, set[str]] = {}
        for part in self._in_chunks(set(user_ids)):
            rows = await self._fetchall(select(c.user_id, c.offer_id).where(c.user_id.in_(part)))
            for user_id, offer_id in rows:
                found.setdefault(int(user_id), set()).add(str(offer_id))
        return {user_id: frozenset(ids) for user_id, ids in found.items()}
