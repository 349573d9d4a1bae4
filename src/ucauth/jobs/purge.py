"""``purge-tokens``: every day at 00:00, delete expired tokens and used nonces and idle throttle
counters (:func:`ucauth.tokens.service.purge_expired`), and keep the audit table's monthly
partitions a year ahead on PostgreSQL (:func:`ucauth.audit.partitions.ensure_partitions`)."""

from __future__ import annotations

from datetime import time

from sqlalchemy import func, select

from ucauth.audit.partitions import ensure_partitions
from ucauth.jobs.context import Counts, JobContext
from ucauth.tokens.models import Token, UsedNonce
from ucauth.tokens.service import NONCE_GRACE, purge_expired

NAME = "purge-tokens"
AT = time(0, 0)


def purge_tokens(context: JobContext) -> Counts:
    """The job's work; a dry run counts the expired tokens and used nonces."""
    now = context.clock.now()
    with context.engine.connect() as connection:
        if not context.dry_run:
            counts = purge_expired(connection, now)
            counts["audit_partitions"] = ensure_partitions(connection, now.date())
            return counts
        expired = {
            "tokens": select(func.count()).select_from(Token).where(Token.expires_at <= now),
            "nonces": select(func.count())
            .select_from(UsedNonce)
            .where(UsedNonce.expires_at <= now - NONCE_GRACE),
        }
        return {name: int(connection.scalar(query) or 0) for name, query in expired.items()}
