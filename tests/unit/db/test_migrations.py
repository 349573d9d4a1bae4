from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text

from ucauth.db import Base, UtcDateTime, load_models, make_engine
from ucauth.migrations import (
    alembic_config,
    current_revision,
    ensure_current,
    head_revision,
    upgrade,
)
from ucauth.migrations.errors import SchemaOutOfDateError


def test_empty_database_is_out_of_date(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'new.db'}")
    with pytest.raises(SchemaOutOfDateError) as raised:
        ensure_current(engine)
    assert "ucauth db upgrade" in raised.value.message("en")
    assert current_revision(engine) is None


def test_upgraded_database_is_current_and_has_thirteen_regions(database_url: str) -> None:
    engine = make_engine(database_url)
    ensure_current(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        count = connection.exec_driver_sql("SELECT count(*) FROM regions").scalar_one()
    assert count == 13
    upgrade(database_url)  # idempotent
    engine.dispose()


def test_utc_datetime_round_trips_aware_values(database_url: str) -> None:
    engine = make_engine(database_url)
    table = Table(
        "tz_probe", MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime)
    )
    table.create(engine)
    bangkok = datetime(2026, 11, 25, 0, 0, tzinfo=timezone(timedelta(hours=7)))
    with engine.begin() as connection:
        connection.execute(insert(table).values(id=1, at=bangkok))
        stored = connection.execute(select(table.c.at)).scalar_one()
    assert stored == bangkok and stored.tzinfo == UTC
    with pytest.raises(Exception, match="naive"), engine.begin() as connection:
        connection.execute(insert(table).values(id=2, at=datetime(2026, 1, 1)))  # noqa: DTZ001
    engine.dispose()


def not_a_partition(name: str | None, kind: str, _parent: object) -> bool:
    """The audit table's monthly partitions (PostgreSQL) are not models of their own."""
    return not (kind == "table" and name is not None and name.startswith("audit_events_"))


def test_migrations_create_exactly_the_models(database_url: str) -> None:
    load_models()
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": not_a_partition})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_0001_and_back(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "0001")
    engine = make_engine(database_url)
    assert current_revision(engine) == "0001"
    upgrade(database_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_0004_turns_birth_dates_into_text_and_back(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "0003")
    engine = make_engine(database_url)
    insert_person = "INSERT INTO beneficiaries (person_id, fname, birthdate) VALUES (:p, 'x', :b)"
    birthdate = "SELECT birthdate FROM beneficiaries WHERE person_id = :p"
    with engine.begin() as connection:
        connection.execute(text(insert_person), {"p": "3150300174300", "b": date(1983, 9, 12)})
    upgrade(database_url)
    with engine.begin() as connection:
        assert connection.execute(text(birthdate), {"p": "3150300174300"}).scalar() == "1983-09-12"
        connection.execute(text(insert_person), {"p": "1101700230705", "b": "1977-03-00"})
    command.downgrade(alembic_config(database_url), "0003")
    with engine.begin() as connection:
        partial = connection.execute(text(birthdate), {"p": "1101700230705"}).scalar()
    assert str(partial) == "1977-03-01"  # a date again: the unknown day became the first
    upgrade(database_url)
    engine.dispose()
