"""Rights lookups: the audit's channel and request id; birth dates with unknown parts.

``beneficiaries.birthdate`` becomes text, ``YYYY-MM-DD`` with ``00`` for an unknown month or
day, as registry data has them. Downgrading turns unknown parts into ``01``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _retype_birthdate(type_: sa.types.TypeEngine[Any], using: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("beneficiaries", "birthdate", type_=type_, postgresql_using=using)
        return

    # SQLite keeps dates as ISO text either way: recreate the table with the column declared
    # as the new type and copy the values as they are (a CAST to DATE would make them numbers).
    def retype(_inspector: object, _table: object, column: dict[str, Any]) -> None:
        if column["name"] == "birthdate":
            column["type"] = type_

    reflect = {"listeners": [("column_reflect", retype)]}
    with op.batch_alter_table("beneficiaries", recreate="always", reflect_kwargs=reflect):
        pass


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("channel", sa.String(length=10), nullable=True))
    op.add_column("audit_events", sa.Column("wsid", sa.String(length=20), nullable=True))
    _retype_birthdate(sa.String(length=10), "to_char(birthdate, 'YYYY-MM-DD')")


def downgrade() -> None:
    op.execute(
        "UPDATE beneficiaries SET birthdate = replace(birthdate, '-00', '-01') "
        "WHERE birthdate LIKE '%-00%'"
    )
    _retype_birthdate(sa.Date(), "birthdate::date")
    op.drop_column("audit_events", "wsid")  # SQLite >= 3.35 drops columns in place
    op.drop_column("audit_events", "channel")
