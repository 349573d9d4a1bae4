"""Template filters: dates in Thai (Buddhist Era) or English, citizen IDs, local times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ucauth.rights.formats import thai_long_date
from ucauth.thaidate import PartialDate


def long_date(day: date | PartialDate | None, lang: str = "th") -> str:
    """``12 กันยายน 2526`` in Thai, ``1983-09-12`` in English; ``-`` for none."""
    if day is None:
        return "-"
    if lang == "th":
        return thai_long_date(day)
    return day.isoformat() if isinstance(day, date) else day.iso().replace("-00", "")


def cid(value: str | None) -> str:
    """``3-1503-00174-30-0``, as printed on the card."""
    if not value or len(value) != 13:
        return value or "-"
    return f"{value[0]}-{value[1:5]}-{value[5:10]}-{value[10:12]}-{value[12]}"


def filters(zone: ZoneInfo) -> dict[str, Callable[..., Any]]:
    def local(moment: datetime | None, lang: str = "th") -> str:
        """A moment in the server's time zone: ``25 พฤศจิกายน 2569 10:00`` / ISO-like."""
        if moment is None:
            return "-"
        here = moment.astimezone(zone)
        return f"{long_date(here.date(), lang)} {here:%H:%M}"

    return {"long_date": long_date, "cid": cid, "local": local}
