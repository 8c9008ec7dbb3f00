"""Send rates shared by several processes (``rate_slots``): one row per rate, the instant from
which its next slot is free.

A sender takes ``count`` slots in one statement that moves the row forward by ``count / rate``
seconds from ``max(next_slot, now)``, and learns when its first slot is; a pause (Telegram's
"retry after") moves the row past the pause for every process at once. This is what keeps several
``ft-bot worker`` processes under one Telegram rate together (``bot/worker/pacing.py``); nothing
here knows what is being sent.

PostgreSQL: "now" is the server's clock, so machines with skewed clocks still share one
schedule (the caller sleeps ``first - now``, a difference of two server instants). SQLite (one
machine): the process's clock.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, bindparam, case, cast, func, literal_column

from storage.db import Database
from storage.schema import rate_slots


@dataclass(frozen=True, slots=True)
class RateSlots:
    """Slots taken: the first at ``first``, then one every ``interval`` seconds (epoch seconds
    on the database's clock, ``now`` being that clock when they were taken)."""

    first: float
    interval: float
    count: int
    now: float

    def at(self, index: int) -> float:
        return self.first + index * self.interval


class RateSlotRepository(Database):
    """Take slots of a shared rate; pause it for everyone."""

    def _now_expression(self) -> Any:
        if self.backend == "postgresql":
            # now() is the statement's transaction start: one instant for the whole statement.
            return cast(func.extract("epoch", func.now()), Float)
        return bindparam("now", type_=Float)

    async def _advance(self, name: str, step: Any, *, floor_offset: float) -> tuple[float, float]:
        """Move ``name``'s next slot to ``max(next_slot, now + floor_offset) + step``; returns
        (the new next slot, now)."""
        now = self._now_expression()
        floor = now + bindparam("offset", type_=Float)
        current = rate_slots.c.next_slot
        statement = (
            self._insert(rate_slots)
            .values(name=bindparam("name"), next_slot=floor + step)
            .on_conflict_do_update(
                index_elements=[rate_slots.c.name],
                set_={"next_slot": case((current < floor, floor), else_=current) + step},
            )
            .returning(rate_slots.c.next_slot, now.label("now"))
        )
        params: dict[str, Any] = {"name": name, "offset": floor_offset}
        if self.backend != "postgresql":
            params["now"] = time.time()
        async with self._transaction() as db:
            next_slot, at = (await db.execute(statement, params)).one()
        return float(next_slot), float(at)

    async def take_rate_slots(self, name: str, count: int, rate: float) -> RateSlots:
        """``count`` consecutive slots of the rate ``name`` at ``rate`` per second."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive int")
        if not (rate > 0 and math.isfinite(rate)):
            raise ValueError("rate must be a positive number")
        interval = 1.0 / rate
        step = bindparam("step", value=count * interval, type_=Float)
        next_slot, now = await self._advance(name, step, floor_offset=0.0)
        return RateSlots(next_slot - count * interval, interval, count, now)

    async def pause_rate_slots(self, name: str, seconds: float) -> float:
        """No slot of ``name`` before ``seconds`` from now, for every process; returns how long
        from now its next slot is."""
        if not (seconds >= 0 and math.isfinite(seconds)):
            raise ValueError("seconds must be a non-negative number")
        next_slot, now = await self._advance(
            name, literal_column("0.0", type_=Float), floor_offset=float(seconds)
        )
        return next_slot - now
