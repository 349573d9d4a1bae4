"""Token lifetime (R2): valid until the next 00:00 in the configured time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def token_expiry(issued_at: datetime, zone: ZoneInfo) -> datetime:
    """The first local midnight strictly after ``issued_at`` (at most 24 h away), in UTC."""
    local_day = issued_at.astimezone(zone).date()
    return datetime.combine(local_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
