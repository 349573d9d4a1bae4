"""PostgreSQL: the audit table partitioned by month; UPDATE, DELETE and TRUNCATE refused on
every partition, and not granted to anybody but the table's owner.

The rows move into monthly partitions (from the oldest row's month to twelve months ahead, plus
a default partition); the primary key becomes ``(id, at)``, as partitioning by ``at`` requires;
the indexes and the append-only trigger are those of 0002, on the partitioned table. SQLite
keeps its single table.
"""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import op
from sqlalchemy import text

from ucauth.audit.partitions import (
    DEFAULT,
    MONTHS_AHEAD,
    NO_TRUNCATE,
    create_partition,
    month_start,
    next_month,
)

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD = "audit_events_unpartitioned"
INDEXES = {
    "ix_audit_events_at": "(at)",
    "ix_audit_events_subject_cid_at": "(subject_cid, at)",
    "ix_audit_events_actor_at": "(actor, at)",
}
APPEND_ONLY = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
)
REVOKE = "REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC"


def _set_aside() -> None:
    """Rename the current table, keep its sequence, drop its indexes and primary key."""
    op.execute(f"ALTER TABLE audit_events RENAME TO {OLD}")
    for index in INDEXES:
        op.execute(f"DROP INDEX {index}")
    op.execute(f"ALTER TABLE {OLD} DROP CONSTRAINT pk_audit_events")


def _finish(partitioned: bool) -> None:
    """Move the rows in, give the sequence to the new table, drop the old one, index."""
    op.execute(f"INSERT INTO audit_events SELECT * FROM {OLD}")  # noqa: S608 - a constant
    op.execute("ALTER SEQUENCE audit_events_id_seq OWNED BY audit_events.id")
    op.execute(f"DROP TABLE {OLD}")  # its triggers go with it
    key = "(id, at)" if partitioned else "(id)"
    op.execute(f"ALTER TABLE audit_events ADD CONSTRAINT pk_audit_events PRIMARY KEY {key}")
    for index, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {index} ON audit_events {columns}")
    op.execute(APPEND_ONLY)
    op.execute(NO_TRUNCATE.format(table="audit_events"))
    op.execute(REVOKE.format(table="audit_events"))


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    _set_aside()
    op.execute(
        f"CREATE TABLE audit_events (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
        "PARTITION BY RANGE (at)"
    )
    op.execute(f"CREATE TABLE {DEFAULT} PARTITION OF audit_events DEFAULT")
    op.execute(NO_TRUNCATE.format(table=DEFAULT))
    oldest = connection.execute(text(f"SELECT min(at) FROM {OLD}")).scalar()  # noqa: S608
    today = datetime.now(UTC).date()
    month = month_start(oldest.date() if oldest else today)
    last = month_start(today)
    for _ in range(MONTHS_AHEAD):
        last = next_month(last)
    while month <= last:
        create_partition(connection, month)
        month = next_month(month)
    _finish(partitioned=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _set_aside()
    op.execute(f"CREATE TABLE audit_events (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    _finish(partitioned=False)
