"""One PostgreSQL connection of the server's own, for statements sent straight from the event
loop (psycopg's async driver, no pool, no SQLAlchemy execution layer): the batched hot reads and
the audit group commits each keep one.

Autocommit: each statement is its own transaction, committed (durably) before its answer comes
back. A failed statement raises what SQLAlchemy would (``OperationalError`` when the database is
unreachable: the server answers 503) and the connection is replaced on the next statement.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import psycopg
from sqlalchemy import make_url
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError

from ucauth.db import sqlalchemy_error

STATEMENT_TIMEOUT = 10.0  # seconds for one statement, network included


class OwnConnection:
    """A connection opened when first needed; used from one event loop, one statement at a
    time."""

    def __init__(self, url: str, dialect: Dialect, connect_args: Mapping[str, Any]) -> None:
        self._conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._dialect, self._connect_args = dialect, dict(connect_args)
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._forgotten = False

    async def fetch_all(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of a query."""
        rows: list[tuple[Any, ...]] = await self._run(sql, params, rows=True)
        return rows

    async def execute(self, sql: str, params: Mapping[str, Any]) -> None:
        """Run a statement without rows; it has committed when this returns."""
        await self._run(sql, params, rows=False)

    def forget(self) -> None:
        """Replace the connection before the next statement (the database restarted)."""
        self._forgotten = True

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()

    async def _run(self, sql: str, params: Mapping[str, Any], *, rows: bool) -> Any:
        try:
            async with asyncio.timeout(STATEMENT_TIMEOUT):
                if self._forgotten:
                    self._forgotten = False
                    await self.close()
                if self._connection is None or self._connection.closed:
                    self._connection = await psycopg.AsyncConnection.connect(
                        self._conninfo, autocommit=True, **self._connect_args
                    )
                cursor = await self._connection.execute(sql, params, prepare=True)
                return await cursor.fetchall() if rows else None
        except (psycopg.Error, TimeoutError) as error:
            disconnect = self._connection is not None and self._connection.broken
            await self.close()
            if isinstance(error, TimeoutError):
                raise OperationalError(sql, None, error, hide_parameters=True) from None
            raise sqlalchemy_error(sql, error, self._dialect, invalidated=disconnect) from None
