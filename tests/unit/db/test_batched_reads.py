"""Hot reads: batched on PostgreSQL (concurrent reads share statements, each gets its own
row), in place on SQLite; either way a read sees every commit made before it was asked."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError

from tests.support.database import _dsn
from ucauth.accounts.models import Region
from ucauth.db import DriverQuery
from ucauth.server.batched_reads import MAX_BATCH, ReadBatcher
from ucauth.server.database import Database

BY_NAME = DriverQuery(
    select(Region.number, Region.name_en).where(Region.name_en == bindparam("name"))
)


@pytest.fixture
def database(postgres_url: str) -> Iterator[Database]:
    database = Database(postgres_url, pool_size=2)
    yield database
    asyncio.run(database.dispose())


def _regions(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        return {
            name: number
            for number, name in connection.execute(select(Region.number, Region.name_en))
        }


@pytest.mark.postgres
def test_concurrent_reads_each_get_their_own_row_in_few_statements(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    regions = _regions(database)
    asked = [*regions, "nowhere"] * 40  # 560 reads, one of every 14 without a row
    statements: list[int] = []  # how many reads each statement carried
    answer = ReadBatcher._answer

    async def counted(batcher: ReadBatcher, query: DriverQuery, waiting: Any) -> None:
        statements.append(len(waiting))
        await answer(batcher, query, waiting)

    monkeypatch.setattr(ReadBatcher, "_answer", counted)

    async def read_all() -> list[Any]:
        return await asyncio.gather(*(database.fetch(BY_NAME, {"name": n}) for n in asked))

    rows = asyncio.run(read_all())
    assert [None if row is None else (row.name_en, row.number) for row in rows] == [
        None if name == "nowhere" else (name, regions[name]) for name in asked
    ]
    assert statements == [MAX_BATCH, len(asked) - MAX_BATCH]
    assert rows[0]._fields == ("number", "name_en")


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_read_sees_what_was_committed_before_it_was_asked(
    backend: str, request: pytest.FixtureRequest
) -> None:
    database = Database(request.getfixturevalue(f"{backend}_url"), pool_size=1)
    name = next(iter(_regions(database)))

    async def read_rename_read() -> tuple[Any, Any]:
        first = await database.fetch(BY_NAME, {"name": name})
        with database.engine.begin() as connection:
            connection.execute(update(Region).values(name_en="Renamed"))
        return first, await database.fetch(BY_NAME, {"name": name})

    try:
        first, second = asyncio.run(read_rename_read())
        third = asyncio.run(database.fetch(BY_NAME, {"name": "Renamed"}))
    finally:
        asyncio.run(database.dispose())
    assert first is not None and second is None and third is not None


@pytest.mark.postgres
def test_a_lost_connection_fails_its_reads_cleanly_and_the_next_read_reconnects(
    database: Database, postgres_url: str
) -> None:
    name = next(iter(_regions(database)))

    async def read() -> Any:
        return await database.fetch(BY_NAME, {"name": name})

    asyncio.run(read())
    with psycopg.connect(_dsn(postgres_url), autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )

    async def read_twice() -> tuple[BaseException | Any, Any]:
        failed = (await asyncio.gather(read(), return_exceptions=True))[0]
        return failed, await read()

    failed, again = asyncio.run(read_twice())
    assert isinstance(failed, OperationalError)
    assert again is not None and again.name_en == name


@pytest.mark.postgres
def test_an_unreachable_database_fails_every_waiting_read_with_operational_error() -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere"  # the discard port: refused
    database = Database(url, pool_size=1)

    async def read_many() -> list[BaseException | Any]:
        reads = (database.fetch(BY_NAME, {"name": str(n)}) for n in range(5))
        return await asyncio.gather(*reads, return_exceptions=True)

    try:
        failures = asyncio.run(read_many())
    finally:
        asyncio.run(database.dispose())
    assert len(failures) == 5
    assert all(isinstance(failure, OperationalError) for failure in failures)
