"""The audit table. Rows are only ever inserted; on PostgreSQL (and SQLite) a trigger refuses
UPDATE and DELETE."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ucauth.db import Base, UtcDateTime


class AuditEvent(Base):
    """One audited event. No foreign keys: the record outlives what it names."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject_cid_at", "subject_cid", "at"),
        Index("ix_audit_events_actor_at", "actor", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    action: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(60))
    actor: Mapped[str] = mapped_column(String(100))
    subject_cid: Mapped[str | None] = mapped_column(String(13))
    agent_id: Mapped[int | None]
    unit_hcode: Mapped[str | None] = mapped_column(String(5))
    client_address: Mapped[str | None] = mapped_column(String(45))
    channel: Mapped[str | None] = mapped_column(String(10))  # rights lookups: soap, rest, ...
    wsid: Mapped[str | None] = mapped_column(String(20))  # rights lookups: the request id
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
