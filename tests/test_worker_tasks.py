"""The takeover of a dead worker's jobs (`bot.worker.tasks.retry_stalled`), without a database:
digest jobs are queued again, periodic ones closed, and one failure never blocks the rest."""

from __future__ import annotations

from dataclasses import dataclass, field

from procrastinate.jobs import Status

from bot.worker.tasks import DIGEST_TASK, batches, retry_stalled


@dataclass
class Job:
    id: int
    task_name: str


@dataclass
class FakeJobManager:
    stalled: list[Job]
    retried: list[int] = field(default_factory=list)
    closed: list[tuple[int, Status]] = field(default_factory=list)
    failing: set[int] = field(default_factory=set)

    async def get_stalled_jobs(self, *, seconds_since_heartbeat: float) -> list[Job]:
        assert seconds_since_heartbeat == 30
        return self.stalled

    async def retry_job(self, job: Job) -> None:
        if job.id in self.failing:
            raise RuntimeError("boom")
        self.retried.append(job.id)

    async def finish_job_by_id_async(self, job_id: int, status: Status, delete: bool) -> None:
        if job_id in self.failing:
            raise RuntimeError("already enqueued")
        self.closed.append((job_id, status))


async def test_digests_are_requeued_periodic_jobs_closed_and_failures_isolated() -> None:
    manager = FakeJobManager(
        [Job(1, "plan_digests"), Job(2, DIGEST_TASK), Job(3, "sweep"), Job(4, DIGEST_TASK)],
        failing={1, 4},
    )
    taken = await retry_stalled(manager, 30)  # type: ignore[arg-type]
    assert manager.retried == [2]  # 4 failed, and did not stop the others
    assert manager.closed == [(3, Status.FAILED)]  # 1 failed on its own
    assert taken == 2


def test_batches_cut_in_order() -> None:
    assert batches([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert batches([], 3) == []
