"""Daily cron slots in the server's time zone, as aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def latest_slot(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The most recent daily ``at`` (local time in ``zone``) at or before ``now``."""
    local = now.astimezone(zone)
    slot = datetime.combine(local.date(), at, tzinfo=zone)
    if slot > local:
        slot = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=zone)
    return slot.astimezone(UTC)


def next_slot_after(moment: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first daily ``at`` strictly after ``moment``."""
    local = moment.astimezone(zone)
    slot = datetime.combine(local.date(), at, tzinfo=zone)
    if slot <= local:
        slot = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return slot.astimezone(UTC)
