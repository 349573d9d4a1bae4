"""Roles and statuses of accounts and agents: plain enums, for code that must not load the
tables (the HIS client, the agent)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user may do: use tokens (staff), administer their regions' units, or everything."""

    STAFF = "staff"
    REGIONAL_ADMIN = "regional_admin"
    ADMIN = "admin"


class UserStatus(StrEnum):
    """Only ``active`` accounts may log in; ``revoked`` ones must request access again (R7)."""

    PENDING = "pending"
    ACTIVE = "active"
    REVOKED = "revoked"
    SUSPENDED = "suspended"


class AgentStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
