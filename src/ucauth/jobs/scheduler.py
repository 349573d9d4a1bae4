"""The scheduler inside the server process (APScheduler 3, a background thread).

Each job runs at its local time of day in the server's time zone; at start-up every job's
latest slot is caught up if no run of it succeeded (the server was down at that time). Several
server processes may all schedule the jobs: :class:`ucauth.jobs.service.JobRunner` makes each
slot run once. :meth:`JobScheduler.shutdown` asks a running job to stop after its current
batch and waits for the threads to end.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from ucauth.jobs.service import JOBS, JobRunner

log = logging.getLogger(__name__)
MISFIRE_GRACE_SECONDS = 3600


class JobScheduler:
    """The daily jobs of one server process."""

    def __init__(self, runner: JobRunner) -> None:
        self.runner = runner
        self._scheduler = BackgroundScheduler(
            timezone=runner.zone,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
        )
        for job in JOBS.values():
            trigger = CronTrigger(hour=job.at.hour, minute=job.at.minute, timezone=runner.zone)
            self._scheduler.add_job(self._run, trigger, args=[job.name], id=job.name)

    def start(self) -> None:
        """Start the thread and catch up every job's latest slot now."""
        self._scheduler.start()
        for name in JOBS:
            self._scheduler.add_job(self._run, args=[name], id=f"{name}:catch-up")

    def shutdown(self) -> None:
        """Stop a running job after its batch, wait for the threads, release the database."""
        self.runner.stop.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self.runner.close()

    def _run(self, name: str) -> None:
        try:
            run = self.runner.run_due(name)
        except Exception:  # recorded in the run (or logged when it could not be): keep going
            log.exception("scheduled job %s did not complete", name)
            return
        if run is not None:
            log.info("job %s: run %d %s %s", name, run.id, run.status, run.counts)
