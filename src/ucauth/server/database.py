"""How the async routes run units of work: plain service functions taking a Core Connection.

Two kinds of work, two ways:

- **Lone reads** (:meth:`Database.read`: authenticate, on every verify and rights lookup) run in
  place on the event loop: one indexed query is cheaper than any hand-off to a thread or to the
  async driver. On PostgreSQL they use their own pool in autocommit mode (one round trip), whose
  incidental writes (failure counters and their audit, the five-minutely last-access stamp)
  commit without waiting for the WAL flush (``synchronous_commit=off``: a database crash may lose
  the last fraction of a second of them, never corrupt anything).
- **Write transactions** (:meth:`Database.run`: login, logout, account status). SQLite
  runs them in place too: it is local and commits without a disk flush (WAL,
  ``synchronous=NORMAL``; the log goes back into the database file in a background thread,
  :mod:`ucauth.server.checkpoint`). Its pool hands out the connection used last, whose page cache
  the last write left valid. PostgreSQL runs them in a pool of threads, one connection
  each: the same service code, but the loop serves other requests while one waits for the
  network or for its commit's WAL flush, and concurrent commits share flushes. (Threads cost a
  third less CPU per login than psycopg's async driver behind SQLAlchemy's greenlet bridge,
  which had to wake the loop for every statement; the GIL is released while a thread waits.)

PostgreSQL connections carry connect and statement timeouts (bounding any stall of the loop)
and are not pinged at every checkout (after a database restart the first request on each stale
connection fails, then the pool reconnects).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection

from ucauth.db import make_engine
from ucauth.server.checkpoint import WalCheckpointer

P = ParamSpec("P")
T = TypeVar("T")
TIMEOUTS = "-c statement_timeout=5000"
POSTGRES_CONNECT_ARGS: dict[str, Any] = {"connect_timeout": 5, "options": TIMEOUTS}
READER_CONNECT_ARGS: dict[str, Any] = {
    "connect_timeout": 5,
    "options": f"{TIMEOUTS} -c synchronous_commit=off",
}


class Database:
    """The server's engines: ``engine`` (sync: ORM sessions, the schema check) and the runners.

    ``pool_size``: PostgreSQL connections (and threads) for write transactions.
    """

    def __init__(self, url: str, pool_size: int) -> None:
        self._threads: ThreadPoolExecutor | None = None
        self._checkpointer: WalCheckpointer | None = None
        if url.startswith("sqlite"):
            self.engine = self._reader = self._writer = make_engine(url, pool_use_lifo=True)
            self._checkpointer = WalCheckpointer(self.engine)
            return
        self.engine = make_engine(url, pool_pre_ping=False, connect_args=POSTGRES_CONNECT_ARGS)
        self._reader = make_engine(
            url,
            pool_pre_ping=False,
            isolation_level="AUTOCOMMIT",
            connect_args=READER_CONNECT_ARGS,
        )
        self._writer = make_engine(
            url,
            pool_pre_ping=False,
            pool_size=pool_size,
            max_overflow=0,
            connect_args=POSTGRES_CONNECT_ARGS,
        )
        self._threads = ThreadPoolExecutor(pool_size, thread_name_prefix="db-write")

    def read(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``work(connection, ...)`` in place, outside a transaction (see the module doc)."""
        with self._reader.connect() as connection:
            return work(connection, *args, **kwargs)

    async def run(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``work(connection, ...)`` in a transaction; it commits what it wants kept."""
        job = partial(self._transaction, work, *args, **kwargs)
        if self._threads is None:
            return job()
        return await asyncio.get_running_loop().run_in_executor(self._threads, job)

    def _transaction(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        with self._writer.connect() as connection:
            return work(connection, *args, **kwargs)

    async def dispose(self) -> None:
        if self._threads is not None:
            self._threads.shutdown()
        if self._checkpointer is not None:
            self._checkpointer.close()
        for engine in {self._writer, self._reader, self.engine}:
            engine.dispose()
