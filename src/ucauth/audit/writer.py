"""Group commit of audit events: the records of concurrent requests share one transaction.

A request that must be audited before it is answered awaits :meth:`AuditWriter.write`, which
returns once a transaction holding its events has committed. One writer task commits at a time:
the events that arrive while a commit is under way wait for it and go together into the next
one, so under load one durable commit (and its WAL flush) serves many requests, while a lone
request commits at once, with no timer. If a commit fails, every request whose events it held
gets :class:`AuditUnavailableError`: nobody is answered as if audited.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from ucauth.audit.errors import AuditUnavailableError
from ucauth.audit.service import Event

log = logging.getLogger(__name__)
Stamped = tuple[datetime, Event]
Store = Callable[[Sequence[Stamped]], Awaitable[None]]
"""Commits a group of events in one transaction: ``ucauth.server.database.Database.store_audit``."""


class AuditWriter:
    """Commits audit events in groups; one per process, used from its event loop only."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._pending: list[Stamped] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._task: asyncio.Task[None] | None = None

    async def write(self, at: datetime, *events: Event) -> None:
        """Return once ``events`` are committed; AuditUnavailableError if their commit failed."""
        if not events:
            return
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._pending.extend((at, event) for event in events)
        self._waiters.append(waiter)
        if self._task is None:
            # Started on the loop's next turn: requests already waiting to run join this group.
            self._task = loop.create_task(self._commit_groups())
        await waiter

    async def close(self) -> None:
        """Wait for the events written so far to be committed (at shutdown)."""
        if self._task is not None:
            await self._task

    async def _commit_groups(self) -> None:
        try:
            while self._pending:
                group, self._pending = self._pending, []
                waiters, self._waiters = self._waiters, []
                try:
                    await self._store(group)
                except BaseException as error:
                    log.exception("audit commit of %d events failed", len(group))
                    _settle(waiters, committed=False)
                    if not isinstance(error, Exception):
                        raise  # cancelled: stop here, after failing the waiters
                else:
                    _settle(waiters, committed=True)
        finally:
            _settle(self._waiters, committed=False)
            self._pending, self._waiters, self._task = [], [], None


def _settle(waiters: list[asyncio.Future[None]], *, committed: bool) -> None:
    for waiter in waiters:
        if waiter.done():
            continue  # its request has gone (cancelled)
        if committed:
            waiter.set_result(None)
        else:
            waiter.set_exception(AuditUnavailableError())
