"""The record of every job run."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ucauth.db import Base, UtcDateTime, string_enum


class RunStatus(StrEnum):
    RUNNING = "running"  # or killed while running: the next claim of its slot takes it over
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Trigger(StrEnum):
    SCHEDULED = "scheduled"  # at its cron time, or caught up at start-up
    MANUAL = "manual"  # ``ucauth jobs run``


class JobRun(Base):
    """One run of a job. A scheduled run is unique per job and slot (``scheduled_for``): that
    row is what makes the daily run happen once, whatever the number of server processes."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "scheduled_for", name="uq_job_runs_job_scheduled_for"),
        Index("ix_job_runs_job_started_at", "job", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    trigger: Mapped[Trigger] = mapped_column(string_enum(Trigger, "trigger"))
    scheduled_for: Mapped[datetime | None] = mapped_column(UtcDateTime)  # None: manual
    dry_run: Mapped[bool]
    status: Mapped[RunStatus] = mapped_column(string_enum(RunStatus, "status"))
    attempts: Mapped[int]
    runner: Mapped[str] = mapped_column(String(100))  # host:pid of the last attempt
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(500))
