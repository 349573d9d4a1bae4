"""Running jobs: exactly once per slot across processes, every run recorded.

A scheduled run stands for its slot (the day's 12:30 or 00:00 in the server's time zone). To
run a slot, a process takes the job's lock (:mod:`ucauth.jobs.locks`), then looks for the
slot's run record (unique per job and slot): succeeded → nothing to do; absent → it inserts
one; left ``running`` or ``failed`` by an attempt that died or failed → it takes it over
(``attempts`` + 1) and the work carries on from where that attempt's last batch committed.
Manual runs (``ucauth jobs run``) take the same lock and get a record of their own.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ucauth.clock import Clock
from ucauth.db import make_engine
from ucauth.jobs import purge, revoke
from ucauth.jobs.context import Counts, JobContext
from ucauth.jobs.errors import UnknownJobError
from ucauth.jobs.locks import job_lock
from ucauth.jobs.models import JobRun, RunStatus, Trigger
from ucauth.jobs.slots import latest_slot

log = logging.getLogger(__name__)
ERROR_MAX_LENGTH = 500


@dataclass(frozen=True)
class Job:
    """A daily job: its name, its local time of day, its work."""

    name: str
    at: time
    work: Callable[[JobContext], Counts]


JOBS = {
    job.name: job
    for job in (
        Job(revoke.NAME, revoke.AT, revoke.revoke_inactive),
        Job(purge.NAME, purge.AT, purge.purge_tokens),
    )
}


def get_job(name: str) -> Job:
    job = JOBS.get(name)
    if job is None:
        raise UnknownJobError(name=name, known=", ".join(JOBS))
    return job


def list_runs(session: Session, *, job: str | None = None, limit: int = 50) -> list[JobRun]:
    """The newest runs first (of one job, or of all)."""
    query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job is not None:
        query = query.where(JobRun.job == get_job(job).name)
    return list(session.scalars(query))


class JobRunner:
    """Runs jobs against one database; one per server process (and one per CLI command).

    ``lock_wait``: how long to wait for another process's run of the same job (seconds).
    ``stop``: set it to make a running job stop after its current batch (server shutdown).
    """

    def __init__(
        self,
        url: str,
        *,
        clock: Clock,
        zone: ZoneInfo,
        lock_wait: float = 600,
        batch_size: int = 1000,
    ) -> None:
        self.engine: Engine = make_engine(url)
        self.clock, self.zone = clock, zone
        self.lock_wait, self.batch_size = lock_wait, batch_size
        self.stop = threading.Event()
        self.runner = f"{socket.gethostname()}:{os.getpid()}"[:100]

    def close(self) -> None:
        self.engine.dispose()

    def run_due(
        self, name: str, *, on_batch: Callable[[Counts], None] | None = None
    ) -> JobRun | None:
        """Run the job's latest slot (at or before now) unless a run of it succeeded already:
        what the scheduler calls at the job's time and at start-up (catch-up). None when there
        was nothing to do."""
        job = get_job(name)
        slot = latest_slot(self.clock.now(), job.at, self.zone)
        return self._run(job, Trigger.SCHEDULED, slot, slot, dry_run=False, on_batch=on_batch)

    def run_now(
        self, name: str, *, dry_run: bool = False, on_batch: Callable[[Counts], None] | None = None
    ) -> JobRun:
        """Run the job now, as of now (``ucauth jobs run``); a dry run changes nothing."""
        job = get_job(name)
        run = self._run(job, Trigger.MANUAL, None, self.clock.now(), dry_run, on_batch)
        if run is None:  # pragma: no cover - a manual run has a record of its own
            raise RuntimeError("manual run not recorded")
        return run

    def _run(
        self,
        job: Job,
        trigger: Trigger,
        slot: datetime | None,
        at: datetime,
        dry_run: bool,
        on_batch: Callable[[Counts], None] | None,
    ) -> JobRun | None:
        with job_lock(self.engine, job.name, wait=self.lock_wait, stop=self.stop):
            run_id = self._claim(job, trigger, slot, dry_run)
            if run_id is None:
                return None
            context = JobContext(
                self.engine,
                run_id,
                at,
                dry_run,
                self.clock,
                self.zone,
                self.stop,
                self.batch_size,
                on_batch,
            )
            try:
                counts = job.work(context)
            except Exception as error:
                log.exception("job %s failed (run %d)", job.name, run_id)
                self._finish(run_id, RunStatus.FAILED, None, _describe(error))
                raise
            return self._finish(run_id, RunStatus.SUCCEEDED, counts, None)

    def _claim(
        self, job: Job, trigger: Trigger, slot: datetime | None, dry_run: bool
    ) -> int | None:
        """The id of the run record to work under (the lock is held), or None: done already."""
        now = self.clock.now()
        with Session(self.engine) as session:
            run = None
            if slot is not None:
                run = session.scalar(
                    select(JobRun).where(JobRun.job == job.name, JobRun.scheduled_for == slot)
                )
            if run is not None and run.status == RunStatus.SUCCEEDED:
                return None
            if run is None:
                run = JobRun(
                    job=job.name,
                    trigger=trigger,
                    scheduled_for=slot,
                    dry_run=dry_run,
                    status=RunStatus.RUNNING,
                    attempts=1,
                    runner=self.runner,
                    started_at=now,
                )
                session.add(run)
            else:  # an attempt that was killed or failed: take it over
                log.warning("job %s: taking over run %d (%s)", job.name, run.id, run.status)
                run.attempts += 1
                run.status, run.runner, run.started_at = RunStatus.RUNNING, self.runner, now
                run.finished_at = run.error = None
            try:
                session.commit()
            except IntegrityError:  # another process recorded this slot: the lock should have
                log.warning("job %s: slot %s recorded by another process", job.name, slot)
                return None
            return run.id

    def _finish(
        self, run_id: int, status: RunStatus, counts: Counts | None, error: str | None
    ) -> JobRun:
        with Session(self.engine, expire_on_commit=False) as session:
            run = session.get_one(JobRun, run_id)
            run.status, run.finished_at, run.error = status, self.clock.now(), error
            if counts is not None and not run.counts:  # batch work keeps its counts itself
                run.counts = counts
            session.commit()
            return run


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
