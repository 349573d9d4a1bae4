"""Driver queries: many parameter sets at once; after a database restart one request fails."""

from __future__ import annotations

from contextlib import ExitStack

import psycopg
import pytest
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError

from tests.support.database import _dsn
from ucauth.accounts.models import Region
from ucauth.db import DriverQuery, DriverStatement, make_engine

BY_NUMBER = DriverQuery(select(Region.name_en).where(Region.number == bindparam("number")))


@pytest.mark.postgres
def test_after_a_restart_one_read_fails_and_the_pool_s_other_connections_are_replaced(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url, pool_pre_ping=False, pool_size=4)
    try:
        with ExitStack() as held:  # four connections opened, then back in the pool
            for _ in range(4):
                held.enter_context(engine.connect()).exec_driver_sql("SELECT 1")
        with psycopg.connect(_dsn(postgres_url), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        outcomes = []
        for _ in range(4):
            with engine.connect() as connection:
                try:
                    outcomes.append(BY_NUMBER.first(connection, {"number": 1}) is not None)
                except OperationalError:
                    outcomes.append(False)
    finally:
        engine.dispose()
    assert outcomes == [False, True, True, True]


def test_first_each_answers_every_parameter_set_in_order(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            names = BY_NUMBER.first_each(connection, [{"number": n} for n in (3, 99, 1, 3)])
            single = [BY_NUMBER.first(connection, {"number": n}) for n in (3, 1)]
            assert BY_NUMBER.first_each(connection, []) == []
    finally:
        engine.dispose()
    assert names == [single[0], None, single[1], single[0]]
    assert all(name is not None for name in single)


def test_a_statement_s_first_each_writes_in_one_transaction(database_url: str) -> None:
    rename = DriverStatement(
        update(Region)
        .where(Region.number == bindparam("number"))
        .values(name_en=bindparam("name"))
        .returning(Region.number)
    )
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            changed = rename.first_each(
                connection, [{"number": 1, "name": "One"}, {"number": 99, "name": "None"}]
            )
            assert connection.in_transaction()
            connection.rollback()
            after = BY_NUMBER.first(connection, {"number": 1})
    finally:
        engine.dispose()
    assert [row and row.number for row in changed] == [1, None]
    assert after.name_en != "One"  # rolled back with the transaction
