"""`ft-bot worker` processes on a real PostgreSQL: each due user served once by 3 workers, a
SIGKILLed worker's users taken over, the Telegram rate held across workers, the sweep once per
period, SIGTERM stopping cleanly."""

from __future__ import annotations

import asyncio
import re
import signal
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.worker.engine import DIGESTS_QUEUE
from tests.helpers_worker import wait_until, worker_env

pytestmark = pytest.mark.slow

USERS = 45
RATE = 8  # messages/s for all workers together: ~6 s of sending, so a kill lands mid-cycle
CONCURRENCY = 2
BATCH = 3
# docs/worker-engine.md: duplicates ≤ digests in flight on the killed worker
# ≤ WORKER_CONCURRENCY × min(WORKER_BATCH_SIZE, UNRECORDED_LIMIT).
DUPLICATE_BOUND = CONCURRENCY * BATCH
TAKEOVER_LIMIT_SECONDS = 60
READY_TIMEOUT = 120
PARIS = ZoneInfo("Europe/Paris")


async def test_three_workers_serve_each_user_once_across_a_sigkill_at_one_shared_rate(
    postgres_database_url: str, tmp_path: Path
) -> None:
    async with worker_env(postgres_database_url, tmp_path) as env:
        settings = {
            "TELEGRAM_BROADCAST_RATE": str(RATE),
            "WORKER_CONCURRENCY": str(CONCURRENCY),
            "WORKER_BATCH_SIZE": str(BATCH),
            "WORKER_SWEEP_SECONDS": "3",
        }
        # One after the other: each start-up builds the matching indexes (seconds of CPU), and
        # three at once would starve the tests running beside this one.
        workers = []
        for index in range(3):
            worker = await env.start(f"w{index}", **settings)
            workers.append(worker)
            await wait_until(
                lambda w=worker: w.has("ready") or w.process.returncode is not None,
                READY_TIMEOUT,
                f"worker {index} ready",
            )
            assert worker.has("ready"), worker.log()[-2000:]
        # Due only now that all three are up: the next planning shares them out.
        users = await env.add_users(USERS)

        def served() -> int:
            return sum(1 for count in env.sent(users) if count)

        await wait_until(lambda: served() >= 12, 60, "a third of the digests")
        victim = workers[0]
        victim.process.send_signal(signal.SIGKILL)
        await victim.process.wait()
        loop = asyncio.get_running_loop()
        killed_at = loop.time()
        assert served() < USERS, "the kill must land mid-cycle"

        try:
            await wait_until(lambda: served() == USERS, TAKEOVER_LIMIT_SECONDS, "every user served")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{await env.diagnosis(users)}") from None
        takeover = loop.time() - killed_at
        assert takeover <= TAKEOVER_LIMIT_SECONDS

        # The digests in flight on the victim at the kill went out but were not recorded: their
        # users are still due, and the victim's retried job serves them again, possibly after
        # everyone has had a first digest (so may a job retried while a loaded worker was slow
        # to beat its heartbeat). The duplicates are counted once nobody is due and no digest
        # job is queued or running.
        deadline = loop.time() + TAKEOVER_LIMIT_SECONDS
        while await env.storage.due_for_alerts(
            datetime.now(UTC), PARIS, user_ids=users
        ) or await env.storage._fetchall(
            "SELECT 1 FROM procrastinate_jobs WHERE queue_name = :queue"
            " AND status IN ('todo', 'doing') LIMIT 1",
            {"queue": DIGESTS_QUEUE},
        ):
            assert loop.time() < deadline, "digests still due or running after the takeover"
            await asyncio.sleep(0.5)
        counts = env.sent(users)
        assert all(count >= 1 for count in counts), counts  # nobody lost
        assert sum(count - 1 for count in counts) <= DUPLICATE_BOUND, counts
        # The rate of all workers together, as Telegram saw it: at most the rate plus the
        # pacer's lateness allowance (1 slot) and two slots of network jitter in any 1-s window.
        assert env.tg.stats.max_sends_in_window(1.0) <= RATE + 3, env.tg.stats.send_times
        assert env.tg.stats.too_many_requests == 0

        # The sweep: once per period whatever the number of workers.
        await wait_until(
            lambda: sum(len(_sweep_periods(w.log())) for w in workers) >= 2, 60, "two sweeps"
        )
        periods = Counter(p for w in workers for p in _sweep_periods(w.log()))
        assert periods and max(periods.values()) == 1, periods

        # Nothing more to send: the survivors stop cleanly on SIGTERM.
        for worker in workers[1:]:
            worker.process.send_signal(signal.SIGTERM)
        for worker in workers[1:]:
            code = await asyncio.wait_for(worker.process.wait(), 40)
            assert code == 0, worker.log()[-3000:]
            assert worker.has("stopped")
        assert "Traceback" not in "".join(w.log() for w in workers[1:])
        assert sum(env.sent(users)) == sum(counts)


def _sweep_periods(log: str) -> list[str]:
    return re.findall(r"sweep of period (\d+)", log)
