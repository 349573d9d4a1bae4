"""Database fixtures: migrated SQLite files and fresh PostgreSQL databases.

``postgres_url`` needs a reachable PostgreSQL (``UCAUTH_TEST_DATABASE_URL``, set by scripts/test, or
the machine's server at 127.0.0.1:5432); when none answers the tests fail, they never skip.
Each test gets a database copied from a template migrated once per session.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import make_url

from ucauth.migrations import upgrade

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server the tests use; fails the tests when it does not answer."""
    url = os.environ.get("UCAUTH_TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
    try:
        with psycopg.connect(_dsn(url), connect_timeout=5):
            pass
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is required for these tests and does not answer at {url}: {error}")
    return url


def _admin(server_url: str, statement: sql.Composed) -> None:
    with psycopg.connect(_dsn(server_url), autocommit=True) as connection:
        connection.execute(statement)


def _create(server_url: str, name: str, template: str | None = None) -> None:
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    _admin(server_url, statement)


def _drop(server_url: str, name: str) -> None:
    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    _admin(server_url, statement)


@pytest.fixture(scope="session")
def postgres_template(postgres_server_url: str) -> Iterator[str]:
    """Name of a database migrated to head, copied for each test."""
    name = f"ucauth_tpl_{uuid.uuid4().hex[:12]}"
    _create(postgres_server_url, name)
    upgrade(_with_database(postgres_server_url, name))
    yield name
    _drop(postgres_server_url, name)


@pytest.fixture
def postgres_url(postgres_server_url: str, postgres_template: str) -> Iterator[str]:
    """URL of a fresh PostgreSQL database at the newest migration, dropped after the test."""
    name = f"ucauth_test_{uuid.uuid4().hex[:12]}"
    _create(postgres_server_url, name, template=postgres_template)
    yield _with_database(postgres_server_url, name)
    _drop(postgres_server_url, name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """URL of a fresh SQLite file at the newest migration."""
    path = tmp_path / "ucauth.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh database at the newest migration: each test runs on SQLite and on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))
