"""Driver queries after the database restarted: one request fails, the pool then reconnects."""

from __future__ import annotations

from contextlib import ExitStack

import psycopg
import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import OperationalError

from tests.support.database import _dsn
from ucauth.accounts.models import Region
from ucauth.db import DriverQuery, make_engine

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
