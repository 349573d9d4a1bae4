"""Date and time formats of the rights service's wire documents (SOAP, REST, FHIR)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

# Thailand keeps +07:00 all year; NHSO writes date-times with this offset.
BANGKOK = timezone(timedelta(hours=7))


def bangkok_iso(moment: datetime) -> str:
    """``2020-11-11T11:05:37+07:00``: an aware moment in Bangkok time, to the second."""
    return moment.astimezone(BANGKOK).isoformat(timespec="seconds")


def bangkok_today(moment: datetime) -> date:
    """The calendar day in Bangkok at an aware moment."""
    return moment.astimezone(BANGKOK).date()
