"""Stateless challenges: the ``challenges`` table gives way to ``used_nonces``.

A challenge no longer writes anything (its nonce carries its binding under an HMAC); a login
records the nonce it used, so that it cannot be used again before it expires. Challenges
outstanding during the upgrade die with their table: their agents ask again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ucauth.db import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("challenges")
    op.create_table(
        "used_nonces",
        sa.Column("nonce", sa.LargeBinary(length=32), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_used_nonces")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("used_nonces")
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
