"""Tables of the accounts domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ucauth.accounts.statuses import AgentStatus as AgentStatus
from ucauth.accounts.statuses import Role as Role
from ucauth.accounts.statuses import UserStatus as UserStatus
from ucauth.db import Base, UtcDateTime, string_enum


class Region(Base):
    """One of NHSO's 13 regional offices; administrators act on the units of their regions."""

    __tablename__ = "regions"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name_th: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class Unit(Base):
    """A service unit (hospital, health centre) by its 5-digit hcode."""

    __tablename__ = "units"

    hcode: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(String(4))
    region_number: Mapped[int] = mapped_column(ForeignKey("regions.number"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class User(Base):
    """A health-service staff member, known by citizen ID (the HIS username)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    cid: Mapped[str] = mapped_column(String(13), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    unit_hcode: Mapped[str] = mapped_column(ForeignKey("units.hcode"), index=True)
    role: Mapped[Role] = mapped_column(string_enum(Role, "role"))
    status: Mapped[UserStatus] = mapped_column(string_enum(UserStatus, "status"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_access_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the account last became active (created active, reinstated, request approved): the
    # inactivity clock of R6 starts at the later of this and the last access.
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(200))


class UserRegion(Base):
    """A region a regional administrator administers."""

    __tablename__ = "user_regions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    region_number: Mapped[int] = mapped_column(ForeignKey("regions.number"), primary_key=True)


class Agent(Base):
    """An enrolled workstation: its Ed25519 public key signs logins for one unit."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_hcode: Mapped[str] = mapped_column(ForeignKey("units.hcode"), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    status: Mapped[AgentStatus] = mapped_column(string_enum(AgentStatus, "status"))
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EnrolmentCode(Base):
    """A one-time code that binds a new workstation to a unit; stored as its SHA-256 only."""

    __tablename__ = "enrolment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    unit_hcode: Mapped[str] = mapped_column(ForeignKey("units.hcode"), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
