"""Lone reads on PostgreSQL, batched: concurrent single-row reads share one round trip.

The hot reads (a token check on every verify and rights lookup, the registry read of a lookup)
are one indexed query each. Run in place they would stall the event loop for a network round
trip each; handed to a pool one by one, each would pay the async driver's overhead. Instead
:class:`ReadBatcher` sends one statement at a time on its own connection: the reads that arrive
while a statement is under way wait and go together in the next one (the same parameterised
query for every set, its parameters bound as arrays, ``ucauth.db.DriverQuery`` rows back). A
lone read goes at once, with no timer. Every read is a fresh statement started after it was
asked for, in autocommit mode: it sees everything committed before it arrived (a token replaced
by a login on any process is refused at once).

A failed statement fails the reads it carried with what SQLAlchemy would raise (the server
answers 503 when the database is unreachable); the connection is replaced on the next read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Dialect

from ucauth.db import DriverQuery
from ucauth.server.own_connection import OwnConnection

MAX_BATCH = 500  # parameter sets per statement
Waiting = list[tuple[Mapping[str, str], "asyncio.Future[Any]"]]


class ReadBatcher:
    """Batches :class:`DriverQuery` reads on one connection; one per process, used from its
    event loop only."""

    def __init__(self, connection: OwnConnection, dialect: Dialect) -> None:
        self._connection, self._dialect = connection, dialect
        self._pending: dict[DriverQuery, Waiting] = {}
        self._task: asyncio.Task[None] | None = None

    async def first(self, query: DriverQuery, params: Mapping[str, str]) -> Any:
        """The row that ``query.first`` would give for ``params`` (string values only)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.setdefault(query, []).append((params, future))
        if self._task is None:
            # Started on the loop's next turn: reads already waiting to run join this batch.
            self._task = loop.create_task(self._run_batches())
        return await future

    async def close(self) -> None:
        if self._task is not None:
            await self._task
        await self._connection.close()

    async def _run_batches(self) -> None:
        try:
            while self._pending:
                pending, self._pending = self._pending, {}
                for query, waiting in pending.items():
                    for start in range(0, len(waiting), MAX_BATCH):
                        await self._answer(query, waiting[start : start + MAX_BATCH])
        finally:
            for waiting in self._pending.values():  # only when cancelled
                for _, future in waiting:
                    future.cancel()
            self._pending, self._task = {}, None

    async def _answer(self, query: DriverQuery, waiting: Waiting) -> None:
        compiled = query.compiled(self._dialect)
        sql = compiled.batched_sql
        params = compiled.batched_params([values for values, _ in waiting])
        try:
            rows = await self._connection.fetch_all(sql, params)
        except Exception as error:
            for _, future in waiting:
                if not future.done():
                    future.set_exception(error)
            return
        answers: list[Any] = [None] * len(waiting)
        for row in rows:
            answers[row[0] - 1] = query.row(compiled, row[1:])
        for (_, future), answer in zip(waiting, answers, strict=True):
            if not future.done():
                future.set_result(answer)
