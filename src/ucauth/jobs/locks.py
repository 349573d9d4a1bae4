"""One lock per job, across processes: the lock half of "exactly once" (the unique run record is
the other half).

PostgreSQL: a session-level advisory lock held on a connection of its own; SQLite: ``flock``
on a file next to the database. Both die with the process that holds them, so a killed run
never leaves its job locked.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from ucauth.jobs.errors import JobBusyError

POLL_SECONDS = 0.2


def lock_key(job: str) -> int:
    """The job's advisory-lock key: a signed 64-bit number derived from its name."""
    digest = hashlib.sha256(f"ucauth.job:{job}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def job_lock(engine: Engine, job: str, *, wait: float, stop: threading.Event) -> Iterator[None]:
    """Hold the job's lock for the block; JobBusyError when it stays taken for ``wait`` seconds
    (or ``stop`` is set while waiting)."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, job, wait, stop):
            yield
        return
    database = engine.url.database
    if not database or database == ":memory:":
        raise ValueError("jobs need a database file")
    with _file_lock(Path(f"{database}.jobs-{job}.lock"), job, wait, stop):
        yield


def _poll(try_once: Callable[[], bool], job: str, wait: float, stop: threading.Event) -> None:
    deadline = time.monotonic() + wait
    while not try_once():
        if time.monotonic() >= deadline or stop.wait(POLL_SECONDS):
            raise JobBusyError(job=job)


@contextmanager
def _advisory_lock(engine: Engine, job: str, wait: float, stop: threading.Event) -> Iterator[None]:
    key = lock_key(job)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:

        def try_once() -> bool:
            statement = text("SELECT pg_try_advisory_lock(:key)")
            return bool(connection.execute(statement, {"key": key}).scalar())

        _poll(try_once, job, wait, stop)
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


@contextmanager
def _file_lock(path: Path, job: str, wait: float, stop: threading.Event) -> Iterator[None]:
    import fcntl  # POSIX only (the SQLite server); the CLI must load on Windows workstations

    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:

        def try_once() -> bool:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        _poll(try_once, job, wait, stop)
        yield  # closing the descriptor releases the lock
    finally:
        os.close(descriptor)
