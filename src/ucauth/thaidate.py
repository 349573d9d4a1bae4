"""Buddhist Era (BE) dates as written by NHSO services: ``YYYYMMDD`` with year = CE + 543."""

from __future__ import annotations

from datetime import date

BE_OFFSET = 543


def to_be(day: date) -> str:
    """``date(1983, 9, 12)`` -> ``"25260912"``."""
    return f"{day.year + BE_OFFSET:04d}{day.month:02d}{day.day:02d}"


def from_be(text: str) -> date:
    """``"25260912"`` -> ``date(1983, 9, 12)``; raises ValueError for anything not a real date."""
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise ValueError(f"not a BE YYYYMMDD date: {text!r}")
    return date(int(text[:4]) - BE_OFFSET, int(text[4:6]), int(text[6:]))
