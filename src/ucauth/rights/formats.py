"""Date and time formats of the rights service's wire documents (SOAP, REST, FHIR)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ucauth.thaidate import BE_OFFSET, PartialDate

# Thailand keeps +07:00 all year; NHSO writes date-times with this offset.
BANGKOK = timezone(timedelta(hours=7))

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip


def bangkok_iso(moment: datetime) -> str:
    """``2020-11-11T11:05:37+07:00``: an aware moment in Bangkok time, to the second."""
    return moment.astimezone(BANGKOK).isoformat(timespec="seconds")


def bangkok_today(moment: datetime) -> date:
    """The calendar day in Bangkok at an aware moment."""
    return moment.astimezone(BANGKOK).date()


def thai_long_date(day: date | PartialDate) -> str:
    """``12 กันยายน 2526``: day, Thai month name and Buddhist-Era year; the unknown parts of a
    partial date are left out (``มีนาคม 2520``, ``2520``)."""
    if isinstance(day, date):
        day = PartialDate.of(day)
    parts = [str(day.day)] if day.day else []
    if day.month:
        parts.append(THAI_MONTHS[day.month - 1])
    return " ".join([*parts, str(day.year + BE_OFFSET)])
