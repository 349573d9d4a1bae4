"""Errors of the jobs domain."""

from __future__ import annotations

from ucauth.accounts.errors import NotFoundError
from ucauth.errors import UcauthError


class JobsError(UcauthError):
    code = "jobs_error"
    message_key = "common.error"


class UnknownJobError(NotFoundError):
    """No job is called ``name``."""

    code = "unknown_job"
    message_key = "jobs.unknown_job"


class JobBusyError(JobsError):
    """Another process kept running ``job`` for longer than we were willing to wait."""

    code = "job_busy"
    message_key = "jobs.job_busy"


class JobInterruptedError(JobsError):
    """The run stopped between two batches (the server is shutting down); a rerun finishes it."""

    code = "job_interrupted"
    message_key = "jobs.job_interrupted"
