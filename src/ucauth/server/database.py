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
  :mod:`ucauth.server.checkpoint`). PostgreSQL runs them on psycopg's async driver through
  SQLAlchemy's greenlet bridge (``run_sync``): the same service code, but the loop serves other
  requests while one waits for the network or for its commit's WAL flush, and concurrent commits
  share flushes.

PostgreSQL connections carry connect and statement timeouts (bounding any stall of the loop)
and are not pinged at every checkout (after a database restart the first request on each stale
connection fails, then the pool reconnects).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

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

    ``pool_size``: PostgreSQL connections kept open for write transactions (bursts open 10 more).
    """

    def __init__(self, url: str, pool_size: int) -> None:
        self._async: AsyncEngine | None = None
        self._checkpointer: WalCheckpointer | None = None
        if url.startswith("sqlite"):
            self.engine = self._reader = make_engine(url)
            self._checkpointer = WalCheckpointer(self.engine)
            return
        self.engine = make_engine(url, pool_pre_ping=False, connect_args=POSTGRES_CONNECT_ARGS)
        self._reader = make_engine(
            url,
            pool_pre_ping=False,
            isolation_level="AUTOCOMMIT",
            connect_args=READER_CONNECT_ARGS,
        )
        self._async = create_async_engine(
            url, pool_pre_ping=False, pool_size=pool_size, connect_args=POSTGRES_CONNECT_ARGS
        )

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
        if self._async is None:
            with self.engine.connect() as connection:
                return work(connection, *args, **kwargs)
        async with self._async.connect() as async_connection:
            return await async_connection.run_sync(work, *args, **kwargs)

    async def dispose(self) -> None:
        if self._async is not None:
            await self._async.dispose()
        if self._checkpointer is not None:
            self._checkpointer.close()
        self._reader.dispose()
        self.engine.dispose()
