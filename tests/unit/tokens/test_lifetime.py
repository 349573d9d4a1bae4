from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ucauth.tokens.lifetime import token_expiry

BANGKOK = ZoneInfo("Asia/Bangkok")


def at(zone: ZoneInfo, year: int, month: int, day: int, *hms: int) -> datetime:
    hour, minute, second = (*hms, 0, 0, 0)[:3]
    return datetime(year, month, day, hour, minute, second, tzinfo=zone)


def test_issued_one_second_before_midnight_dies_a_second_later() -> None:
    issued = at(BANGKOK, 2026, 11, 25, 23, 59, 59)
    expiry = token_expiry(issued, BANGKOK)
    assert expiry - issued == timedelta(seconds=1)
    assert expiry == at(BANGKOK, 2026, 11, 26, 0, 0, 0)


def test_issued_at_midnight_lives_until_the_following_midnight() -> None:
    issued = at(BANGKOK, 2026, 11, 26, 0, 0, 0)
    assert token_expiry(issued, BANGKOK) == at(BANGKOK, 2026, 11, 27, 0, 0, 0)


def test_expiry_is_in_utc_and_bangkok_midnight_is_17_utc() -> None:
    expiry = token_expiry(datetime(2026, 11, 25, 16, 59, 59, tzinfo=UTC), BANGKOK)
    assert expiry == datetime(2026, 11, 25, 17, 0, tzinfo=UTC) and expiry.tzinfo == UTC


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"])
def test_another_time_zone_uses_its_own_midnight(zone: str) -> None:
    tz = ZoneInfo(zone)
    assert token_expiry(at(tz, 2026, 3, 10, 12, 30, 0), tz) == at(tz, 2026, 3, 11, 0, 0, 0)


def test_the_same_instant_dies_at_different_instants_in_different_zones() -> None:
    new_york = ZoneInfo("America/New_York")
    issued = at(new_york, 2026, 11, 25, 12, 30, 0)  # 00:30 on the 26th in Bangkok
    assert token_expiry(issued, new_york) == at(new_york, 2026, 11, 26, 0, 0, 0)
    assert token_expiry(issued, BANGKOK) == at(BANGKOK, 2026, 11, 27, 0, 0, 0)


def test_never_more_than_24_hours_even_across_a_dst_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    issued = at(berlin, 2026, 3, 29, 0, 0, 0)  # the day clocks go forward: 23 h long
    expiry = token_expiry(issued, berlin)
    assert expiry == at(berlin, 2026, 3, 30, 0, 0, 0)
    assert expiry - issued == timedelta(hours=23)
