"""Beneficiary registry: beneficiaries, code names (seeded with the shipped tables), wsid blocks."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ucauth.db import UtcDateTime
from ucauth.rights.code_tables import CodeKind, shipped_entries

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _right_columns(prefix: str) -> list[sa.Column[object]]:
    return [
        sa.Column(f"{prefix}maininscl", sa.String(length=5), nullable=True),
        sa.Column(f"{prefix}subinscl", sa.String(length=5), nullable=True),
        sa.Column(f"{prefix}hmain", sa.String(length=5), nullable=True),
        sa.Column(f"{prefix}hsub", sa.String(length=5), nullable=True),
        sa.Column(f"{prefix}hmain_op", sa.String(length=5), nullable=True),
        sa.Column(f"{prefix}purchaseprovince", sa.String(length=4), nullable=True),
        sa.Column(f"{prefix}startdate", sa.Date(), nullable=True),
        sa.Column(f"{prefix}expdate", sa.Date(), nullable=True),
        sa.Column(f"{prefix}paid_model", sa.String(length=10), nullable=True),
        sa.Column(f"{prefix}mastercup_id", sa.String(length=20), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "beneficiaries",
        sa.Column("person_id", sa.String(length=13), nullable=False),
        sa.Column("title", sa.String(length=3), nullable=True),
        sa.Column("fname", sa.String(length=100), nullable=False),
        sa.Column("lname", sa.String(length=100), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("birthdate", sa.Date(), nullable=True),
        sa.Column("nation", sa.String(length=3), nullable=True),
        sa.Column("death_date", sa.Date(), nullable=True),
        sa.Column("primaryprovince", sa.String(length=4), nullable=True),
        sa.Column("primary_amphur_name", sa.String(length=100), nullable=True),
        sa.Column("primary_tumbon_name", sa.String(length=100), nullable=True),
        sa.Column("primary_mooban_name", sa.String(length=100), nullable=True),
        sa.Column("primary_moo", sa.String(length=2), nullable=True),
        *_right_columns(""),
        sa.Column("maininscl_main", sa.String(length=1), nullable=True),
        sa.Column("startdate_sss", sa.Date(), nullable=True),
        sa.Column("cardid", sa.String(length=30), nullable=True),
        *_right_columns("new_"),
        sa.Column("new_date_register", UtcDateTime(), nullable=True),
        sa.Column("new_type_register", sa.String(length=10), nullable=True),
        sa.Column("new_type_register_desc", sa.String(length=200), nullable=True),
        sa.Column("new_staffname", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_beneficiaries")),
    )
    codes = op.create_table(
        "rights_codes",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("kind", "code", name=op.f("pk_rights_codes")),
    )
    op.bulk_insert(
        codes,
        [
            {"kind": kind.value, "code": entry.code, "name": entry.name}
            for kind in CodeKind
            for entry in shipped_entries(kind)
        ],
    )
    op.create_table(
        "rights_id_blocks",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("last_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rights_id_blocks")),
    )


def downgrade() -> None:
    op.drop_table("rights_id_blocks")
    op.drop_table("rights_codes")
    op.drop_table("beneficiaries")
