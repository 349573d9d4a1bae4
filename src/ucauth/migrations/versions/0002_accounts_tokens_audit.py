"""Users, regional assignments, agents, enrolment codes, challenges, tokens, throttles, audit.

The audit table is append-only: a trigger refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ucauth.db import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY_POSTGRESQL = [
    """
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
    """,
    """
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()
    """,
]
APPEND_ONLY_SQLITE = [
    f"""
    CREATE TRIGGER audit_events_no_{operation.lower()} BEFORE {operation} ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: {operation} refused'); END
    """
    for operation in ("UPDATE", "DELETE")
]


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cid", sa.String(length=13), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("unit_hcode", sa.String(length=5), nullable=False),
        sa.Column("role", _enum("role", "staff", "regional_admin", "admin"), nullable=False),
        sa.Column(
            "status", _enum("status", "pending", "active", "revoked", "suspended"), nullable=False
        ),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_access_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_hcode"], ["units.hcode"], name=op.f("fk_users_unit_hcode_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("cid", name=op.f("uq_users_cid")),
    )
    op.create_index(op.f("ix_users_unit_hcode"), "users", ["unit_hcode"])
    op.create_table(
        "user_regions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("region_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_number"],
            ["regions.number"],
            name=op.f("fk_user_regions_region_number_regions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_regions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "region_number", name=op.f("pk_user_regions")),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit_hcode", sa.String(length=5), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("status", _enum("status", "active", "disabled"), nullable=False),
        sa.Column("enrolled_at", UtcDateTime(), nullable=False),
        sa.Column("last_seen_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_hcode"], ["units.hcode"], name=op.f("fk_agents_unit_hcode_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("public_key", name=op.f("uq_agents_public_key")),
    )
    op.create_index(op.f("ix_agents_unit_hcode"), "agents", ["unit_hcode"])
    op.create_table(
        "enrolment_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("unit_hcode", sa.String(length=5), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_enrolment_codes_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["unit_hcode"], ["units.hcode"], name=op.f("fk_enrolment_codes_unit_hcode_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_enrolment_codes_code_hash")),
    )
    op.create_index(op.f("ix_enrolment_codes_unit_hcode"), "enrolment_codes", ["unit_hcode"])
    op.create_table(
        "challenges",
        sa.Column("nonce", sa.LargeBinary(length=32), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("cid", sa.String(length=13), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_challenges_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_challenges")),
    )
    op.create_index("ix_challenges_agent_id_expires_at", "challenges", ["agent_id", "expires_at"])
    op.create_table(
        "tokens",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hmac", sa.LargeBinary(length=32), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_tokens_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_tokens")),
    )
    op.create_index(op.f("ix_tokens_expires_at"), "tokens", ["expires_at"])
    op.create_table(
        "throttles",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttles")),
    )
    op.create_index(op.f("ix_throttles_last_failure_at"), "throttles", ["last_failure_at"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("subject_cid", sa.String(length=13), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("unit_hcode", sa.String(length=5), nullable=True),
        sa.Column("client_address", sa.String(length=45), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])
    op.create_index("ix_audit_events_subject_cid_at", "audit_events", ["subject_cid", "at"])
    op.create_index("ix_audit_events_actor_at", "audit_events", ["actor", "at"])
    dialect = op.get_bind().dialect.name
    for statement in APPEND_ONLY_POSTGRESQL if dialect == "postgresql" else APPEND_ONLY_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("audit_events")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_table("throttles")
    op.drop_table("tokens")
    op.drop_table("challenges")
    op.drop_table("enrolment_codes")
    op.drop_table("agents")
    op.drop_table("user_regions")
    op.drop_table("users")
