"""The audit log cannot be changed: not through the application (it has no update or delete
path; a trigger refuses them on SQLite and PostgreSQL), and on PostgreSQL not by UPDATE, DELETE
or TRUNCATE on any partition, by the owner (trigger) or by the server's role (privileges). Old
months leave only through ``ucauth admin audit-archive``: exported, checked, audited, dropped."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.integration.cli.test_admin_cli import ucauth
from tests.support.factories import cid_for
from ucauth.audit.partitions import create_partition, partitions
from ucauth.audit.service import Action, Event, events, record
from ucauth.db import make_engine

pytestmark = pytest.mark.reliability

PATIENT = cid_for(3)
NOW = datetime.now(UTC)
ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
CHANGES = [
    "UPDATE {table} SET actor = 'forged'",
    "DELETE FROM {table}",
    "TRUNCATE {table}",
]


def lookup(session: Session, at: datetime) -> None:
    record(session, at, Event(Action.RIGHTS_LOOKUP, actor=cid_for(1), subject_cid=PATIENT))
    session.commit()


@pytest.mark.parametrize("change", CHANGES)
def test_the_owner_cannot_change_the_audit_log(
    session: Session, database_url: str, change: str
) -> None:
    lookup(session, NOW)
    engine = make_engine(database_url)
    postgres = engine.dialect.name == "postgresql"
    if not postgres and change.startswith("TRUNCATE"):
        change = "DELETE FROM {table} WHERE 1"  # SQLite has no TRUNCATE: DELETE without WHERE
    tables = ["audit_events"]
    if postgres:  # the partition with the row; the empty default one has nothing to change
        tables.append(f"audit_events_y{NOW:%Y}m{NOW:%m}")
        if change.startswith("TRUNCATE"):
            tables.append("audit_events_default")
    for table in tables:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(change.format(table=table)))
    engine.dispose()
    assert len(events(session, subject_cid=PATIENT)) == 1


@pytest.fixture
def server_role(postgres_url: str) -> Iterator[str]:
    """A role with the privileges docs/reliability.md gives the server: read and insert only on
    the audit table. The URL of the test's database as that role."""
    role = f"ucauth_server_{uuid.uuid4().hex[:8]}"
    dsn = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        admin.execute(
            sql.SQL("GRANT SELECT, INSERT ON audit_events TO {}").format(sql.Identifier(role))
        )
        admin.execute(
            sql.SQL("GRANT USAGE ON SEQUENCE audit_events_id_seq TO {}").format(
                sql.Identifier(role)
            )
        )
    yield postgres_url.replace("postgres@", f"{role}@", 1)
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.mark.postgres
@pytest.mark.parametrize("change", CHANGES)
def test_the_servers_role_has_no_privilege_to_change_it(server_role: str, change: str) -> None:
    engine = make_engine(server_role)
    with engine.begin() as connection:
        record(connection, NOW, Event(Action.RIGHTS_LOOKUP, actor=cid_for(1), subject_cid=PATIENT))
    with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as connection:
        connection.execute(text(change.format(table="audit_events")))
    engine.dispose()


@pytest.mark.postgres
@ON_POSTGRES
def test_rows_go_to_their_months_partition(session: Session, postgres_url: str) -> None:
    lookup(session, NOW)
    where = session.execute(text("SELECT tableoid::regclass::text FROM audit_events")).scalar()
    assert where == f"audit_events_y{NOW:%Y}m{NOW:%m}"
    months = partitions(session.connection())
    assert months[-1] >= date(NOW.year + 1, NOW.month, 1)  # a year ahead


@pytest.mark.postgres
@ON_POSTGRES
def test_archive_exports_checks_audits_and_drops_old_months(
    session: Session, postgres_url: str, tmp_path: Path
) -> None:
    for month in (date(2025, 1, 1), date(2025, 2, 1)):
        create_partition(session.connection(), month)
    session.commit()
    january = [datetime(2025, 1, d, 3, tzinfo=UTC) for d in (5, 6, 7)]
    for at in [*january, datetime(2025, 2, 1, tzinfo=UTC)]:
        lookup(session, at)
    env = {"UCAUTH_DATABASE_URL": postgres_url, "UCAUTH_DATA_DIR": str(tmp_path / "data")}
    out = tmp_path / "archive"
    done = ucauth("admin", "audit-archive", "--before", "2025-02", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    file = out / "audit-2025-01.csv.gz"
    content = gzip.decompress(file.read_bytes())
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert [row["at"][:10] for row in rows] == ["2025-01-05", "2025-01-06", "2025-01-07"]
    session.expire_all()
    connection = session.connection()
    assert date(2025, 1, 1) not in partitions(connection)
    assert date(2025, 2, 1) in partitions(connection)
    (archived,) = events(session, actions=[Action.AUDIT_ARCHIVE])
    assert archived.details == {
        "month": "2025-01",
        "rows": 3,
        "sha256": hashlib.sha256(content).hexdigest(),
        "file": file.name,
    }
    assert archived.actor.startswith("cli:")
    this_month = f"{NOW.year + (NOW.month // 12)}-{NOW.month % 12 + 1:02d}"
    refused = ucauth("admin", "audit-archive", "--before", this_month, "--out", str(out), env=env)
    assert refused.returncode != 0 and "current month" in refused.stderr


def test_archive_needs_postgresql(sqlite_url: str, tmp_path: Path) -> None:
    env = {"UCAUTH_DATABASE_URL": sqlite_url, "UCAUTH_DATA_DIR": str(tmp_path / "data")}
    refused = ucauth(
        "admin", "audit-archive", "--before", "2025-02", "--out", str(tmp_path), env=env
    )
    assert refused.returncode != 0 and "PostgreSQL" in refused.stderr
