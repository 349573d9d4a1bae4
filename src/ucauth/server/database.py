"""How the async routes run units of work: plain service functions taking a Core Connection.

Four kinds of work, four ways:

- **Hot reads** (:meth:`Database.fetch`: the token check of every verify and rights lookup, the
  registry read of a lookup in the same query; a ``ucauth.db.DriverQuery``). SQLite runs them in
  place on the event loop, on one connection kept for them (no pool checkout; outside any
  transaction, so each sees the latest commit). PostgreSQL batches them
  (:class:`ucauth.server.batched_reads.ReadBatcher`): the reads that arrive while one statement
  is under way go together in the next, so the loop never waits for a round trip and the
  database answers many reads per statement.
- **Lone reads with writes** (:meth:`Database.read`: the challenge's agent check, a refused
  token's failure counters and audit, the five-minutely last-access stamp, legacy credentials,
  sessions) run in place. On PostgreSQL they use their own pool in autocommit mode (one round
  trip), whose writes commit without waiting for the WAL flush (``synchronous_commit=off``: a
  database crash may lose the last fraction of a second of them, never corrupt anything).
- **Write transactions** (:meth:`Database.run`: login, logout, account status). SQLite
  runs them in place too: it is local and commits without a disk flush (WAL,
  ``synchronous=NORMAL``; the log goes back into the database file in a background thread,
  :mod:`ucauth.server.checkpoint`). Its pool hands out the connection used last, whose page cache
  the last write left valid. PostgreSQL runs them in a pool of threads, one connection
  each: the same service code, but the loop serves other requests while one waits for the
  network or for its commit's WAL flush, and concurrent commits share flushes. (Threads cost a
  third less CPU per login than psycopg's async driver behind SQLAlchemy's greenlet bridge,
  which had to wake the loop for every statement; the GIL is released while a thread waits.)
- **Audit group commits** (:meth:`Database.store_audit`, the records that must be committed
  before a rights lookup is answered): in place on SQLite; on PostgreSQL one statement (the
  events one JSON parameter) on a connection of its own, its durable commit in the same round
  trip.

PostgreSQL connections carry connect and statement timeouts (bounding any stall of the loop)
and are not pinged at every checkout. When any of them finds the database gone (a disconnect),
every pooled and own connection is dropped: the database restarted, they are all dead, and a
rarely used one would otherwise fail a request whenever it was next used, long after recovery.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from ucauth.audit.service import INSERT_JSON, Event, insert_json_params, record_each
from ucauth.db import DriverQuery, make_engine
from ucauth.server.batched_reads import ReadBatcher
from ucauth.server.checkpoint import WalCheckpointer
from ucauth.server.own_connection import OwnConnection

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
        self._batcher: ReadBatcher | None = None
        self._auditing: OwnConnection | None = None
        self._own: tuple[OwnConnection, ...] = ()
        self._fetching: Connection | None = None  # SQLite's, opened by the first fetch
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
        dialect = self.engine.dialect
        reads = OwnConnection(url, dialect, POSTGRES_CONNECT_ARGS)
        self._batcher = ReadBatcher(reads, dialect)
        self._auditing = OwnConnection(url, dialect, POSTGRES_CONNECT_ARGS)
        self._own = (reads, self._auditing)

    def read(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``work(connection, ...)`` in place, outside a transaction (see the module doc)."""
        try:
            with self._reader.connect() as connection:
                return work(connection, *args, **kwargs)
        except DBAPIError as error:
            self._drop_connections_after(error)
            raise

    async def fetch(self, query: DriverQuery, params: Mapping[str, str]) -> Any:
        """``query.first(connection, params)``: in place on SQLite, batched with concurrent
        reads on PostgreSQL (see the module doc)."""
        if self._batcher is not None:
            try:
                return await self._batcher.first(query, params)
            except DBAPIError as error:
                self._drop_connections_after(error)
                raise
        if self._fetching is None or self._fetching.closed:
            self._fetching = self._reader.connect()
        return query.first(self._fetching, params)

    async def run(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``work(connection, ...)`` in a transaction; it commits what it wants kept."""
        job = partial(self._transaction, work, *args, **kwargs)
        if self._threads is None:
            return job()
        try:
            return await asyncio.get_running_loop().run_in_executor(self._threads, job)
        except DBAPIError as error:
            self._drop_connections_after(error)
            raise

    def _transaction(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        with self._writer.connect() as connection:
            return work(connection, *args, **kwargs)

    async def store_audit(self, group: Sequence[tuple[datetime, Event]]) -> None:
        """Commit audit events in one transaction (the group commit of
        :class:`ucauth.audit.writer.AuditWriter`): in place on SQLite; on PostgreSQL one
        statement on a connection of its own (one round trip, its durable commit included)."""
        if self._auditing is not None:
            try:
                await self._auditing.execute(INSERT_JSON, insert_json_params(group))
            except DBAPIError as error:
                self._drop_connections_after(error)
                raise
            return
        with self._writer.connect() as connection:
            record_each(connection, group)
            connection.commit()

    def _drop_connections_after(self, error: DBAPIError) -> None:
        """On PostgreSQL, drop every connection if ``error`` found the database gone (see the
        module doc). Called from ``except`` clauses: nothing on the path of a request that
        succeeds."""
        if error.connection_invalidated and self._own:
            for engine in {self._writer, self._reader, self.engine}:
                engine.dispose(close=False)  # checked-out connections leave with their pool
            for own in self._own:
                own.forget()

    async def dispose(self) -> None:
        if self._auditing is not None:
            await self._auditing.close()
        if self._batcher is not None:
            await self._batcher.close()
        if self._fetching is not None:
            self._fetching.close()
        if self._threads is not None:
            self._threads.shutdown()
        if self._checkpointer is not None:
            self._checkpointer.close()
        for engine in {self._writer, self._reader, self.engine}:
            engine.dispose()
