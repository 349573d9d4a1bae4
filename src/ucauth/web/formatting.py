"""Template filters: dates in Thai (Buddhist Era) or English, citizen IDs, local times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ucauth.thaidate import long_date, long_date_time


def cid(value: str | None) -> str:
    """``3-1503-00174-30-0``, as printed on the card."""
    if not value or len(value) != 13:
        return value or "-"
    return f"{value[0]}-{value[1:5]}-{value[5:10]}-{value[10:12]}-{value[12]}"


def filters(zone: ZoneInfo) -> dict[str, Callable[..., Any]]:
    def local(moment: datetime | None, lang: str = "th") -> str:
        """A moment in the server's time zone: ``25 พฤศจิกายน 2569 10:00`` / ISO-like."""
        return "-" if moment is None else long_date_time(moment, zone, lang)

    return {"long_date": long_date, "cid": cid, "local": local}
