from __future__ import annotations

from datetime import UTC, date, datetime

from ucauth.rights.formats import bangkok_iso, bangkok_today
from ucauth.thaidate import PartialDate, thai_long_date


def test_bangkok_times_and_thai_dates() -> None:
    moment = datetime(2020, 11, 10, 17, 30, 5, 123456, tzinfo=UTC)
    assert bangkok_iso(moment) == "2020-11-11T00:30:05+07:00"
    assert bangkok_today(moment) == date(2020, 11, 11)
    assert thai_long_date(date(1983, 9, 12)) == "12 กันยายน 2526"
    assert thai_long_date(date(2024, 1, 1)) == "1 มกราคม 2567"


def test_thai_dates_leave_unknown_parts_out() -> None:
    assert thai_long_date(PartialDate(1977, 3)) == "มีนาคม 2520"
    assert thai_long_date(PartialDate(1977)) == "2520"
    assert thai_long_date(PartialDate(1983, 9, 12)) == "12 กันยายน 2526"
