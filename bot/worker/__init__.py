"""`ft-bot worker`: alert digests and the sweep on several processes sharing PostgreSQL.

Engine: procrastinate (docs/worker-engine.md says why). Modules: `engine` (the app, its tasks,
schedules and schema), `tasks` (what each job does), `pacing` (the Telegram rate shared by all
workers), `process` (one worker process: two procrastinate workers, signals).

Topology (docs/deployment.md): one bot process for Telegram updates with ALERT_RUNNER=workers
(it then schedules neither the alert cycle nor the sweep), N worker processes, one PostgreSQL.
"""

from __future__ import annotations

from bot.worker.process import default_name, run_worker

__all__ = ["default_name", "run_worker"]
