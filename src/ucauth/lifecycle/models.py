"""Tables of the lifecycle domain: access requests and legacy unit credentials."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ucauth.db import Base, UtcDateTime, string_enum


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class AccessRequest(Base):
    """A staff member's request for an account (new, or again after a revocation), decided by
    an administrator of the unit's region. At most one pending request per citizen ID."""

    __tablename__ = "access_requests"
    __table_args__ = (
        Index(
            "uq_access_requests_pending_cid",
            "cid",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_access_requests_status_region", "status", "region_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(11), unique=True)
    cid: Mapped[str] = mapped_column(String(13), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    unit_hcode: Mapped[str] = mapped_column(ForeignKey("units.hcode"))
    region_number: Mapped[int]  # the unit's region when the request came in
    position: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[RequestStatus] = mapped_column(string_enum(RequestStatus, "status"))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    client_address: Mapped[str | None] = mapped_column(String(45))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_reason: Mapped[str | None] = mapped_column(String(200))  # shown to the requester
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class LegacyCredential(Base):
    """An old-style unit account (``chk`` + digits, fixed password) kept until the sunset date
    (``UCAUTH_LEGACY_LOGIN_UNTIL``); the password only as an Argon2id hash."""

    __tablename__ = "legacy_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(20), unique=True)
    unit_hcode: Mapped[str] = mapped_column(ForeignKey("units.hcode"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # accepted
    last_refused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # after the sunset
