"""Daily slots are local times of the server's zone: the day of a slot is Bangkok's, not UTC's."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ucauth.jobs.locks import lock_key
from ucauth.jobs.slots import latest_slot, next_slot_after

BANGKOK = ZoneInfo("Asia/Bangkok")
HALF_PAST_NOON = time(12, 30)


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        # 03:00 in Bangkok is still the 24th in UTC; the latest slot is the 24th's 12:30.
        (datetime(2026, 11, 24, 20, 0, tzinfo=UTC), datetime(2026, 11, 24, 5, 30, tzinfo=UTC)),
        # 12:29:59 Bangkok: not yet today's.
        (datetime(2026, 11, 25, 5, 29, 59, tzinfo=UTC), datetime(2026, 11, 24, 5, 30, tzinfo=UTC)),
        # 12:30:00 Bangkok: today's.
        (datetime(2026, 11, 25, 5, 30, tzinfo=UTC), datetime(2026, 11, 25, 5, 30, tzinfo=UTC)),
        # 23:59 Bangkok is 16:59 UTC: still the 25th.
        (datetime(2026, 11, 25, 16, 59, tzinfo=UTC), datetime(2026, 11, 25, 5, 30, tzinfo=UTC)),
    ],
)
def test_latest_slot_is_the_last_local_half_past_noon(now: datetime, slot: datetime) -> None:
    assert latest_slot(now, HALF_PAST_NOON, BANGKOK) == slot


def test_midnight_slot_in_bangkok_is_17_00_utc_the_day_before() -> None:
    now = datetime(2026, 11, 25, 16, 59, 59, tzinfo=UTC)  # 23:59:59 Bangkok
    assert latest_slot(now, time(0, 0), BANGKOK) == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    assert latest_slot(now.replace(hour=17, second=0, minute=0), time(0, 0), BANGKOK) == (
        datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    )


def test_next_slot_is_strictly_after() -> None:
    at_slot = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)
    assert next_slot_after(at_slot, HALF_PAST_NOON, BANGKOK) == datetime(
        2026, 11, 26, 5, 30, tzinfo=UTC
    )
    just_before = datetime(2026, 11, 25, 5, 29, 59, tzinfo=UTC)
    assert next_slot_after(just_before, HALF_PAST_NOON, BANGKOK) == at_slot


def test_lock_keys_are_stable_signed_64_bit_and_distinct() -> None:
    keys = {lock_key("revoke-inactive"), lock_key("purge-tokens")}
    assert len(keys) == 2 and all(-(2**63) <= key < 2**63 for key in keys)
    assert lock_key("revoke-inactive") == lock_key("revoke-inactive")
