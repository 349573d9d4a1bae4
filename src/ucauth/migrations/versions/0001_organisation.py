"""Regions (seeded with NHSO's 13) and service units."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ucauth.codes import regions
from ucauth.db import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    region_table = op.create_table(
        "regions",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name_th", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_regions")),
    )
    op.bulk_insert(
        region_table,
        [
            {"number": r.number, "name_th": r.name_th, "name_en": r.name_en}
            for r in regions().values()
        ],
    )
    op.create_table(
        "units",
        sa.Column("hcode", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("province_code", sa.String(length=4), nullable=False),
        sa.Column("region_number", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_number"], ["regions.number"], name=op.f("fk_units_region_number_regions")
        ),
        sa.PrimaryKeyConstraint("hcode", name=op.f("pk_units")),
    )
    op.create_index(op.f("ix_units_region_number"), "units", ["region_number"])


def downgrade() -> None:
    op.drop_index(op.f("ix_units_region_number"), table_name="units")
    op.drop_table("units")
    op.drop_table("regions")
