"""How the async routes run units of work: plain service functions taking a Core Connection.

SQLite is local and commits without a disk flush (WAL, ``synchronous=NORMAL``), so its work
runs in place on the event loop: a thread hop would cost more than the work. PostgreSQL's work
runs on psycopg's async driver through SQLAlchemy's greenlet bridge (``run_sync``): the same
service code, but the loop serves other requests while one waits for the network or for its
commit's WAL flush, and concurrent commits share flushes. Reads that need no transaction use a
second pool whose connections are in autocommit mode: one round trip each.

PostgreSQL connections carry connect and statement timeouts and are not pinged at every
checkout (after a database restart the first request on each stale connection fails, then the
pool reconnects).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ucauth.db import make_engine

P = ParamSpec("P")
T = TypeVar("T")
POSTGRES_CONNECT_ARGS: dict[str, Any] = {
    "connect_timeout": 5,
    "options": "-c statement_timeout=5000",
}


class Database:
    """The server's engines: ``engine`` (sync: ORM sessions, the schema check) and the runners.

    ``pool_size`` is how many PostgreSQL connections each of the two async pools keeps open;
    bursts open up to 10 more each.
    """

    def __init__(self, url: str, pool_size: int) -> None:
        self._async: AsyncEngine | None = None
        self._async_reader: AsyncEngine | None = None
        if url.startswith("sqlite"):
            self.engine = make_engine(url)
            return
        options: dict[str, Any] = {"pool_pre_ping": False, "connect_args": POSTGRES_CONNECT_ARGS}
        self.engine = make_engine(url, **options)
        options["pool_size"] = pool_size
        self._async = create_async_engine(url, **options)
        self._async_reader = create_async_engine(url, isolation_level="AUTOCOMMIT", **options)

    async def run(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``work(connection, ...)``; it commits what it wants kept, the rest is rolled back."""
        return await self._run(self._async, work, *args, **kwargs)

    async def read(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Like :meth:`run`, outside a transaction: a lone read is one round trip, and each
        write the work makes is committed at once."""
        return await self._run(self._async_reader, work, *args, **kwargs)

    async def _run(
        self,
        engine: AsyncEngine | None,
        work: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        if engine is None:  # SQLite: in place (its reads run outside transactions anyway)
            with self.engine.connect() as connection:
                return work(connection, *args, **kwargs)
        async with engine.connect() as async_connection:
            return await async_connection.run_sync(work, *args, **kwargs)

    async def dispose(self) -> None:
        for engine in (self._async, self._async_reader):
            if engine is not None:
                await engine.dispose()
        self.engine.dispose()
