"""Group commit of accepted digests: what Telegram accepted is written down in batches.

Every accepted digest must be recorded (offers sent + alerts served, one transaction) before
the cycle forgets it; one transaction per digest serialises them on SQLite's single writer,
and a transaction whose few steps each wait for a busy event loop held that writer for up to
half a second, while every sender waited behind it. So the digests accepted while one commit
runs go together in the next one (`Storage.record_deliveries`), and a sender waits for its own
record without holding a sending slot.

Crash bound: a sender takes a place in `room` before sending and gives it back once its record
is committed, so at most `limit` digests are ever accepted by Telegram and not yet recorded —
what a kill can make the next run send again, each identically.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage import Delivery, Storage

log = logging.getLogger(__name__)

# Digests per transaction at most (a few hundred rows: one transaction stays short).
MAX_BATCH = 200


class DeliveryRecorder:
    """Records accepted digests in batches; at most `limit` accepted and not yet recorded."""

    def __init__(self, storage: Storage, limit: int) -> None:
        self.storage = storage
        self.room = asyncio.Semaphore(limit)
        self.queue: list[tuple[Delivery, asyncio.Future[None]]] = []
        self.writer: asyncio.Task[None] | None = None
        self.transactions = 0  # transactions tried (tests check the batching with it)

    @asynccontextmanager
    async def place(self) -> AsyncIterator[None]:
        """Held from before a send until its record is committed (or the send failed)."""
        async with self.room:
            yield

    async def record(self, delivery: Delivery) -> None:
        """Return once `delivery` is committed; raise what recording it raised (e.g.
        `UnknownUserError`: the person erased their data meanwhile)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.queue.append((delivery, done))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write())
        # Shielded: a cancelled sender does not cancel the record of a digest that went.
        await asyncio.shield(done)

    async def _write(self) -> None:
        try:
            await self._write_all()
        except BaseException as error:
            # Cancelled (the process is stopping): whoever waits learns it; the digests not
            # recorded stay due, within the bound.
            for _, done in self.queue:
                _settle(done, error)
            self.queue = []
            raise

    async def _write_all(self) -> None:
        while self.queue:
            batch, self.queue = self.queue[:MAX_BATCH], self.queue[MAX_BATCH:]
            self.transactions += 1
            try:
                await self.storage.record_deliveries([delivery for delivery, _ in batch])
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error)
                    continue
                # One bad digest (an erased user) must not cost the others their record.
                log.warning("%d digest records failed together; one by one now", len(batch))
                for delivery, done in batch:
                    await self._write_one(delivery, done)
            else:
                for _, done in batch:
                    _settle(done, None)

    async def _write_one(self, delivery: Delivery, done: asyncio.Future[None]) -> None:
        self.transactions += 1
        try:
            await self.storage.record_delivery(
                delivery.user_id,
                delivery.offer_ids,
                delivery.at,
                criteria=delivery.criteria,
                profile=delivery.profile,
                saved=delivery.saved,
            )
        except Exception as error:
            _settle(done, error)
        else:
            _settle(done, None)


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    if done.done():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
