"""Tables of the tokens domain: used challenge nonces, current tokens, throttling counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ucauth.db import Base, UtcDateTime


class UsedNonce(Base):
    """A challenge nonce that was used (its HMAC), kept until it expires: single use.

    Challenges themselves are stateless (:mod:`ucauth.tokens.nonces`). Without a rowid on
    SQLite: the primary key is the table.
    """

    __tablename__ = "used_nonces"
    __table_args__ = ({"sqlite_with_rowid": False},)

    nonce: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Token(Base):
    """A user's one current token, as HMAC-SHA256; a login replaces it (history: the audit log)."""

    __tablename__ = "tokens"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token_hmac: Mapped[bytes] = mapped_column(LargeBinary(32))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Throttle(Base):
    """Consecutive failures of one key (scope + account or client address), shared by processes."""

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int]
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
