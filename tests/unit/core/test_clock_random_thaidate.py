from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ucauth.clock import FixedClock, SystemClock
from ucauth.randomness import SecureRandom, SeededRandom, random_string
from ucauth.thaidate import from_be, to_be


def test_fixed_clock_normalises_to_utc_and_advances() -> None:
    clock = FixedClock(datetime(2026, 1, 1, 7, 0, tzinfo=timezone(timedelta(hours=7))))
    assert clock.now() == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    clock.advance(timedelta(seconds=1))
    assert clock.now().second == 1


def test_fixed_clock_refuses_naive() -> None:
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 1, 1))  # noqa: DTZ001


def test_system_clock_is_aware() -> None:
    assert SystemClock().now().tzinfo is UTC


def test_seeded_random_is_reproducible() -> None:
    a = random_string(SeededRandom(7), "abc", 20)
    assert a == random_string(SeededRandom(7), "abc", 20)
    assert set(a) <= set("abc")


def test_secure_random_lengths() -> None:
    rng = SecureRandom()
    assert len(rng.token_bytes(32)) == 32
    assert all(0 <= rng.randbelow(36) < 36 for _ in range(100))


def test_buddhist_era_round_trip() -> None:
    assert to_be(date(1983, 9, 12)) == "25260912"
    assert from_be("25260912") == date(1983, 9, 12)


@pytest.mark.parametrize("text", ["2526091", "25261312", "2526-9-1", "abcdefgh", "25260230"])
def test_from_be_rejects_bad_dates(text: str) -> None:
    with pytest.raises(ValueError):
        from_be(text)
