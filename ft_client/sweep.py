"""The sweep: every offer created since the previous sweep, nationwide, each fetched once.

``OfferSweep(client, sink).run()`` reads the sink's high-water mark (the end of the previous
sweep's window), queries the creation window ``[mark - overlap, now]`` partitioned as
``sweep_plan`` describes so that no query exceeds the reachable results, hands the offers to the
sink and moves the mark to ``now``. Offers created during a sweep fall after its window and are
caught by the next one; those the API indexes late (dated before ``now`` but visible after) are
caught by the overlap, and the sink's upsert deduplicates.

What the API allows for offers updated or withdrawn: the search filters on creation date only
and there is no deletion feed. A withdrawn offer answers 204 (or 400) on ``GET /offres/{id}``
and ``OfferSweep.withdrawn(ids)`` checks a few ids that way (one call each: for the offers about
to be sent, not for the table); the store's lookback period expires the rest. Updates to an
offer after it was swept are not seen.

Cost: each partition costs ⌈its total / 150⌉ calls (at least one), and a partition that had to
be split cost one call too, so a sweep makes at most ⌈new offers / 150⌉ + partitions calls,
plus the client's retries (429, 5xx, timeouts). A sweep is background work: it waits out
``Retry-After`` (the client's limiter pauses every call) instead of failing like a command.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from ft_client.client.offers import MAX_PAGE_SIZE
from ft_client.errors import FTError, FTRateLimited, FTUnavailable
from ft_client.models import Offer, OfferPage
from ft_client.sweep_plan import Partition, departement_weights, split_partition

if TYPE_CHECKING:
    from ft_client.client import FranceTravailClient

log = logging.getLogger("ft_client.sweep")

DEFAULT_OVERLAP = timedelta(minutes=2)  # offers indexed a little after their creation (a guess)
DEFAULT_FIRST_WINDOW = timedelta(days=1)  # the first sweep, without a high-water mark
DEFAULT_MIN_WINDOW = timedelta(minutes=1)  # below this, a département's window is not split
DEFAULT_CONCURRENCY = 4  # calls in flight; the client's limiter sets the pace
# A page the client gave up on (its own retries spent) is tried again this many times, after
# a pause: a sweep is background work, and a failed sweep costs the whole window again.
DEFAULT_PAGE_RETRIES = 2
PAGE_RETRY_PAUSE = 2.0  # seconds
UPSERT_BATCH = 500
SEARCH_ENDPOINT = "offres_search"  # the client's counters, per endpoint


class OfferSink(Protocol):
    """Where swept offers go: the ``offers`` table, or ``InMemoryOfferSink`` in tests."""

    async def upsert_offers(self, offers: Sequence[Offer]) -> int:
        """Insert or replace by id; return how many ids were not stored before."""
        ...

    async def high_water_mark(self) -> datetime | None:
        """The end of the last complete sweep's window (``None`` before the first)."""
        ...

    async def set_high_water_mark(self, moment: datetime) -> None: ...


class InMemoryOfferSink:
    """``OfferSink`` in a dict, for tests and the benchmark. ``upserts`` counts every offer
    handed over, so ``upserts - len(offers)`` is how many were handed over twice."""

    def __init__(self) -> None:
        self.offers: dict[str, Offer] = {}
        self.upserts = 0
        self._mark: datetime | None = None

    async def upsert_offers(self, offers: Sequence[Offer]) -> int:
        new = 0
        for offer in offers:
            self.upserts += 1
            new += offer.id not in self.offers
            self.offers[offer.id] = offer
        return new

    async def high_water_mark(self) -> datetime | None:
        return self._mark

    async def set_high_water_mark(self, moment: datetime) -> None:
        self._mark = moment


@dataclass
class SweepReport:
    """What one sweep did. ``calls`` counts search requests sent, retries included, from the
    client's counters: another task searching with the same client meanwhile is counted too."""

    window_start: datetime
    window_end: datetime
    calls: int = 0
    pages: int = 0  # pages answered (calls - pages: retried failures)
    partitions: int = 0  # queries made (the ones later split included)
    splits: int = 0  # partitions over the reachable results, replaced by smaller ones
    offers: int = 0  # distinct offers fetched
    new_offers: int = 0  # of which the sink did not have before
    rate_limited: int = 0  # 429 answers (waited out)
    retries: int = 0
    unreachable: int = 0  # results beyond the reachable ones of a minimum-window partition
    national_total: int | None = None  # the whole window's total, from the first query
    high_water_mark: datetime | None = None  # set when the sweep completed
    seconds: float = 0.0
    partition_totals: dict[str, int] = field(default_factory=dict)

    @property
    def ideal_calls(self) -> int:
        """⌈offers / 150⌉: the floor for fetching every offer once."""
        return math.ceil(self.offers / MAX_PAGE_SIZE)

    @property
    def call_budget(self) -> float:
        """The target: 1.2 × ⌈offers / 150⌉ + partitions."""
        return 1.2 * self.ideal_calls + self.partitions

    def summary(self) -> str:
        return (
            f"sweep {self.window_start:%Y-%m-%d %H:%M:%S}..{self.window_end:%H:%M:%S}: "
            f"{self.offers} offers ({self.new_offers} new), {self.calls} calls "
            f"(ideal {self.ideal_calls}, {self.partitions} partitions, {self.splits} splits), "
            f"{self.rate_limited} × 429, {self.seconds:.1f} s"
        )


class SweepIncomplete(Exception):
    """A call kept failing after the client's retries; the high-water mark was not moved, so
    the next sweep covers the window again. The offers fetched so far were stored."""

    def __init__(self, report: SweepReport, cause: FTError) -> None:
        super().__init__(f"sweep incomplete: {cause}")
        self.report = report
        self.cause = cause


def _utc_seconds(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


class OfferSweep:
    """Fetch every offer created in a window, partitioned under the API's reachable results."""

    def __init__(
        self,
        client: FranceTravailClient,
        sink: OfferSink,
        *,
        overlap: timedelta = DEFAULT_OVERLAP,
        first_window: timedelta = DEFAULT_FIRST_WINDOW,
        min_window: timedelta = DEFAULT_MIN_WINDOW,
        concurrency: int = DEFAULT_CONCURRENCY,
        page_retries: int = DEFAULT_PAGE_RETRIES,
        page_retry_pause: float = PAGE_RETRY_PAUSE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        self.client = client
        self.sink = sink
        self.overlap = overlap
        self.first_window = first_window
        self.min_window = min_window
        self.concurrency = concurrency
        self.page_retries = page_retries
        self.page_retry_pause = page_retry_pause
        self.clock = clock
        self.reachable = min(client.max_end, client.max_start + MAX_PAGE_SIZE - 1) + 1

    async def run(self) -> SweepReport:
        """One sweep from the sink's high-water mark to now; moves the mark when complete."""
        end = _utc_seconds(self.clock())
        mark = await self.sink.high_water_mark()
        start = _utc_seconds(mark - self.overlap if mark else end - self.first_window)
        report = await self.sweep_window(start, end)
        await self.sink.set_high_water_mark(end)
        report.high_water_mark = end
        log.info("%s", report.summary())
        return report

    async def sweep_window(self, start: datetime, end: datetime) -> SweepReport:
        """Fetch the offers created in ``[start, end]`` into the sink (the mark is not moved)."""
        report = SweepReport(window_start=_utc_seconds(start), window_end=_utc_seconds(end))
        stats = self.client.stats
        calls_before = stats.calls[SEARCH_ENDPOINT]
        retries_before = stats.retries[SEARCH_ENDPOINT]
        limited_before = stats.rate_limited
        started = time.perf_counter()
        seen: set[str] = set()
        pending: list[Offer] = []
        queue: asyncio.Queue[tuple[Partition, int]] = asyncio.Queue()
        queue.put_nowait((Partition((), report.window_start, report.window_end), 0))
        weights = departement_weights()
        failure: list[Exception] = []
        planned: dict[Partition, int] = {}  # per partition: the end of the pages queued

        async def flush(force: bool) -> None:
            if pending and (force or len(pending) >= UPSERT_BATCH):
                batch = pending[:]
                pending.clear()
                report.new_offers += await self.sink.upsert_offers(batch)

        async def fetch(partition: Partition, start_at: int) -> None:
            page = await self._page(partition, start_at)
            report.pages += 1
            for offer in page.offers:
                if offer.id not in seen:
                    seen.add(offer.id)
                    pending.append(offer)
            await flush(False)
            if start_at != 0:
                # Offers indexed late inside the window push the oldest ones down: when the
                # last planned page sees a larger total, the pages beyond are fetched too.
                planned_end = planned[partition]
                if start_at + MAX_PAGE_SIZE >= planned_end:
                    plan_pages(partition, planned_end, page.total)
                return
            report.partitions += 1
            if partition.departements or report.national_total is None:
                report.partition_totals[partition.label()] = page.total
            if not partition.departements and report.national_total is None:
                report.national_total = page.total
            if page.total > self.reachable:
                children = split_partition(
                    partition, page.total, self.reachable, self.min_window, weights
                )
                if children:
                    report.splits += 1
                    for child in children:
                        queue.put_nowait((child, 0))
                    return
                report.unreachable += page.total - self.reachable
                log.warning("sweep: %s has %d offers, beyond reach", partition.label(), page.total)
            planned[partition] = MAX_PAGE_SIZE
            plan_pages(partition, MAX_PAGE_SIZE, page.total)

        def plan_pages(partition: Partition, first: int, total: int) -> None:
            end = min(total, self.reachable)
            for next_start in range(first, end, MAX_PAGE_SIZE):
                queue.put_nowait((partition, next_start))
            planned[partition] = max(planned[partition], end)

        async def worker() -> None:
            while True:
                partition, start_at = await queue.get()
                try:
                    if not failure:
                        await fetch(partition, start_at)
                except Exception as exc:  # kept, and raised once the workers have stopped
                    failure.append(exc)
                finally:
                    queue.task_done()

        workers = [asyncio.create_task(worker()) for _ in range(self.concurrency)]
        try:
            await queue.join()
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        await flush(True)
        report.offers = len(seen)
        report.calls = stats.calls[SEARCH_ENDPOINT] - calls_before
        report.retries = stats.retries[SEARCH_ENDPOINT] - retries_before
        report.rate_limited = stats.rate_limited - limited_before
        report.seconds = time.perf_counter() - started
        if failure:
            if isinstance(failure[0], FTError):
                raise SweepIncomplete(report, failure[0])
            raise failure[0]
        return report

    async def _page(self, partition: Partition, start_at: int) -> OfferPage:
        retries = 0
        while True:
            try:
                return await self.client.search_offers(partition.query(), start_at, MAX_PAGE_SIZE)
            except (FTUnavailable, FTRateLimited) as exc:
                if retries >= self.page_retries:
                    raise
                retries += 1
                log.warning(
                    "sweep: %s page %d: %s; again in %.1fs",
                    partition.label(),
                    start_at,
                    exc,
                    self.page_retry_pause,
                )
                await asyncio.sleep(self.page_retry_pause)

    async def withdrawn(self, offer_ids: Sequence[str]) -> list[str]:
        """The ids among ``offer_ids`` that the API no longer serves (one call per id)."""
        gone = []
        for offer_id in offer_ids:
            if await self.client.get_offer(offer_id) is None:
                gone.append(offer_id)
        return gone
