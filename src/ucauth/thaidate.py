"""Buddhist Era (BE) dates as written by NHSO services: ``YYYYMMDD`` with year = CE + 543.

Registries also hold partly unknown dates, birth dates above all: ``25200000`` is some day of
2520 BE (1977 CE). :class:`PartialDate` keeps them, with ``0`` for an unknown month or day.
People read dates as :func:`long_date` writes them: ``12 กันยายน 2526`` in Thai, ISO in English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

BE_OFFSET = 543
THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
_PARTIAL_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def to_be(day: date) -> str:
    """``date(1983, 9, 12)`` -> ``"25260912"``."""
    return f"{day.year + BE_OFFSET:04d}{day.month:02d}{day.day:02d}"


def from_be(text: str) -> date:
    """``"25260912"`` -> ``date(1983, 9, 12)``; raises ValueError for anything not a real date."""
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise ValueError(f"not a BE YYYYMMDD date: {text!r}")
    return date(int(text[:4]) - BE_OFFSET, int(text[4:6]), int(text[6:]))


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A Common-Era date whose day, or month and day, may be unknown (``0``).

    Stored and imported as ``YYYY-MM-DD`` with ``00`` for the unknown parts (``1977-00-00``,
    ``1977-03-00``); a known day in an unknown month is not a date.
    """

    year: int
    month: int = 0
    day: int = 0

    def __post_init__(self) -> None:
        if not (1 <= self.year <= 9999 and 0 <= self.month <= 12) or (self.day and not self.month):
            raise ValueError(f"not a partial date: {self.iso()}")
        if self.day:
            date(self.year, self.month, self.day)  # raises ValueError for 30 February

    @classmethod
    def of(cls, day: date) -> PartialDate:
        return cls(day.year, day.month, day.day)

    @classmethod
    def from_iso(cls, text: str) -> PartialDate:
        """``"1977-00-00"`` -> ``PartialDate(1977)``; raises ValueError for anything else."""
        match = _PARTIAL_ISO.fullmatch(text)
        if match is None:
            raise ValueError(f"not a YYYY-MM-DD date (00 for unknown parts): {text!r}")
        return cls(*map(int, match.groups()))

    @property
    def known(self) -> date | None:
        """The date, when month and day are known."""
        return date(self.year, self.month, self.day) if self.day else None

    def iso(self) -> str:
        """``YYYY-MM-DD`` with ``00`` for the unknown parts."""
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def be(self) -> str:
        """Buddhist-Era ``YYYYMMDD`` with ``00`` for the unknown parts: ``25200000``."""
        return f"{self.year + BE_OFFSET:04d}{self.month:02d}{self.day:02d}"


def thai_long_date(day: date | PartialDate) -> str:
    """``12 กันยายน 2526``: day, Thai month name and Buddhist-Era year; the unknown parts of a
    partial date are left out (``มีนาคม 2520``, ``2520``)."""
    if isinstance(day, date):
        day = PartialDate.of(day)
    parts = [str(day.day)] if day.day else []
    if day.month:
        parts.append(THAI_MONTHS[day.month - 1])
    return " ".join([*parts, str(day.year + BE_OFFSET)])


def long_date(day: date | PartialDate | None, lang: str = "th") -> str:
    """``12 กันยายน 2526`` in Thai, ``1983-09-12`` in English; ``-`` for none."""
    if day is None:
        return "-"
    if lang == "th":
        return thai_long_date(day)
    return day.isoformat() if isinstance(day, date) else day.iso().replace("-00", "")


def long_date_time(moment: datetime, zone: ZoneInfo, lang: str = "th") -> str:
    """A moment in ``zone``: ``25 พฤศจิกายน 2569 10:00`` in Thai, ``2026-11-25 10:00`` in
    English."""
    here = moment.astimezone(zone)
    return f"{long_date(here.date(), lang)} {here:%H:%M}"
