"""What a job's work gets: the database, its run record, the reference time, and when to stop."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select, update

from ucauth.clock import Clock
from ucauth.jobs.errors import JobInterruptedError
from ucauth.jobs.models import JobRun

Counts = dict[str, int]


@dataclass
class JobContext:
    """One run's surroundings.

    ``at`` is the moment the run stands for: its slot for a scheduled run (so a rerun of a
    killed run decides exactly as the first attempt did), the time it was asked for otherwise.
    Work that commits in batches adds each batch's counts to the run record in the batch's own
    transaction (:meth:`add_counts`), so the counts of a run taken over after a kill are those of
    one uninterrupted run.
    """

    engine: Engine
    run_id: int
    at: datetime
    dry_run: bool
    clock: Clock
    zone: ZoneInfo
    stop: threading.Event = field(default_factory=threading.Event)
    batch_size: int = 1000
    on_batch: Callable[[Counts], None] | None = None

    def add_counts(self, connection: Connection, delta: Mapping[str, int]) -> Counts:
        """Add ``delta`` to the run's counts in ``connection``'s transaction; the new totals."""
        current = connection.execute(select(JobRun.counts).where(JobRun.id == self.run_id))
        totals: Counts = dict(current.scalar() or {})
        for name, value in delta.items():
            totals[name] = totals.get(name, 0) + value
        connection.execute(update(JobRun).where(JobRun.id == self.run_id).values(counts=totals))
        return totals

    def batch_done(self, totals: Counts) -> None:
        """After a batch committed: report progress, and stop here if asked to."""
        if self.on_batch is not None:
            self.on_batch(totals)
        if self.stop.is_set():
            raise JobInterruptedError()
