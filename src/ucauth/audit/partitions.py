"""Monthly partitions of the audit table on PostgreSQL, and their archive.

On PostgreSQL ``audit_events`` is partitioned by month of ``at`` (migration 0006): one table
``audit_events_yYYYYmMM`` per month, and ``audit_events_default`` for rows of a month that has
no partition yet (none, as long as :func:`ensure_partitions` runs: the server calls it at
start-up, ``ucauth admin audit-archive`` and the daily ``purge-tokens`` job too). Inserts and the
indexed queries ("who looked up this person") touch the newest partitions only, however many
months are kept; old months leave as whole tables.

Every partition refuses UPDATE, DELETE and TRUNCATE (the parent's row trigger reaches the
partitions; TRUNCATE needs one per partition). The one way rows leave is :func:`archive`: a
month is exported (CSV, gzip, with its SHA-256 recorded in the audit log), detached and
dropped. SQLite keeps one table: nothing here applies to it.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from ucauth.audit.errors import AuditArchiveError
from ucauth.audit.service import Action, Event, record

TABLE = "audit_events"
DEFAULT = f"{TABLE}_default"
_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")
MONTHS_AHEAD = 12
NO_TRUNCATE = (
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
)


_RELKIND = text(
    "SELECT relkind FROM pg_class WHERE relname = :t "
    "AND relnamespace = CAST(current_schema() AS regnamespace)"
)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def is_partitioned(connection: Connection) -> bool:
    """True on PostgreSQL once migration 0006 has partitioned the table."""
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.execute(_RELKIND, {"t": TABLE}).scalar()
    return kind == "p"


def partitions(connection: Connection) -> list[date]:
    """The months that have a partition, oldest first."""
    names = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST(:t AS regclass)"
        ),
        {"t": TABLE},
    ).scalars()
    months = [date(int(m[1]), int(m[2]), 1) for n in names if (m := _NAME.match(n))]
    return sorted(months)


def create_partition(connection: Connection, month: date) -> None:
    """The partition of ``month`` (the caller commits); an existing one is left alone."""
    name = partition_name(month)
    connection.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {TABLE} "
            f"FOR VALUES FROM ('{month.isoformat()}') TO ('{next_month(month).isoformat()}')"
        )
    )
    exists = connection.execute(
        text("SELECT 1 FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) AND tgname = :g"),
        {"t": name, "g": "audit_events_no_truncate"},
    ).first()
    if exists is None:
        connection.execute(text(NO_TRUNCATE.format(table=name)))


def ensure_partitions(connection: Connection, today: date, ahead: int = MONTHS_AHEAD) -> int:
    """Partitions from this month to ``ahead`` months on (commits); how many were made."""
    if not is_partitioned(connection):
        return 0
    have = set(partitions(connection))
    month, made = month_start(today), 0
    for _ in range(ahead + 1):
        if month not in have:
            create_partition(connection, month)
            made += 1
        month = next_month(month)
    connection.commit()
    return made


@dataclass(frozen=True)
class Archived:
    month: date
    rows: int
    path: Path
    sha256: str


def archive(
    connection: Connection, before: date, out: Path, *, actor: str, now: datetime
) -> list[Archived]:
    """Export every month before ``before`` to ``out/audit-YYYY-MM.csv.gz``, then detach and
    drop its partition; one transaction per month, audited. AuditArchiveError on SQLite or
    when rows of those months sit in the default partition."""
    if not is_partitioned(connection):
        raise AuditArchiveError(reason="PostgreSQL with migration 0006 (partitioned audit table)")
    if month_start(before) > month_start(now.date()):
        raise AuditArchiveError(reason="--before at most the current month")
    stray = connection.execute(
        text(f"SELECT count(*) FROM {DEFAULT} WHERE at < :before"),  # noqa: S608 - a constant
        {"before": before},
    ).scalar_one()
    if stray:
        raise AuditArchiveError(reason=f"{stray} rows before {before:%Y-%m} in {DEFAULT}")
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for month in [m for m in partitions(connection) if m < month_start(before)]:
        done.append(_archive_month(connection, month, out, actor=actor, now=now))
    return done


def _archive_month(
    connection: Connection, month: date, out: Path, *, actor: str, now: datetime
) -> Archived:
    name = partition_name(month)
    path = out / f"audit-{month:%Y-%m}.csv.gz"
    connection.execute(text(f"LOCK TABLE {name} IN SHARE MODE"))  # no late insert slips by
    # Table names here are made from a date, never from input.
    rows = connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608
    digest = hashlib.sha256()
    raw: Any = connection.connection.dbapi_connection
    query = f"COPY (SELECT * FROM {name} ORDER BY at, id) TO STDOUT (FORMAT csv, HEADER)"  # noqa: S608
    with gzip.open(path, "wb") as export, raw.cursor() as cursor, cursor.copy(query) as copy:
        for chunk in copy:
            data = bytes(chunk)
            digest.update(data)
            export.write(data)
    archived = Archived(month, rows, path, digest.hexdigest())
    connection.execute(text(f"ALTER TABLE {TABLE} DETACH PARTITION {name}"))
    connection.execute(text(f"DROP TABLE {name}"))
    record(
        connection,
        now,
        Event(
            Action.AUDIT_ARCHIVE,
            actor=actor,
            details={
                "month": f"{month:%Y-%m}",
                "rows": rows,
                "sha256": archived.sha256,
                "file": path.name,
            },
        ),
    )
    connection.commit()
    return archived
