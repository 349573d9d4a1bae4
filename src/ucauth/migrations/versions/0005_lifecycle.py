"""Lifecycle: access requests, legacy unit credentials, job runs, users' activation time.

``users.activated_at`` starts as ``created_at`` for existing accounts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ucauth.db import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade() -> None:
    op.add_column("users", sa.Column("activated_at", UtcDateTime(), nullable=True))
    op.execute("UPDATE users SET activated_at = created_at")
    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=11), nullable=False),
        sa.Column("cid", sa.String(length=13), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("unit_hcode", sa.String(length=5), nullable=False),
        sa.Column("region_number", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", _enum("status", "pending", "approved", "rejected"), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.Column("client_address", sa.String(length=45), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decision_reason", sa.String(length=200), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_hcode"], ["units.hcode"], name=op.f("fk_access_requests_unit_hcode_units")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_access_requests_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_access_requests_reference")),
    )
    op.create_index(op.f("ix_access_requests_cid"), "access_requests", ["cid"])
    op.create_index(
        "ix_access_requests_status_region", "access_requests", ["status", "region_number"]
    )
    op.create_index(
        "uq_access_requests_pending_cid",
        "access_requests",
        ["cid"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "legacy_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=20), nullable=False),
        sa.Column("unit_hcode", sa.String(length=5), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
        sa.Column("last_refused_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_hcode"], ["units.hcode"], name=op.f("fk_legacy_credentials_unit_hcode_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legacy_credentials")),
        sa.UniqueConstraint("username", name=op.f("uq_legacy_credentials_username")),
    )
    op.create_index(op.f("ix_legacy_credentials_unit_hcode"), "legacy_credentials", ["unit_hcode"])
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("trigger", _enum("trigger", "scheduled", "manual"), nullable=False),
        sa.Column("scheduled_for", UtcDateTime(), nullable=True),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", _enum("status", "running", "succeeded", "failed"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("runner", sa.String(length=100), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
        sa.UniqueConstraint("job", "scheduled_for", name="uq_job_runs_job_scheduled_for"),
    )
    op.create_index("ix_job_runs_job_started_at", "job_runs", ["job", "started_at"])


def downgrade() -> None:
    op.drop_table("job_runs")
    op.drop_table("legacy_credentials")
    op.drop_table("access_requests")
    op.drop_column("users", "activated_at")
