from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ucauth.clock import FixedClock, SystemClock
from ucauth.randomness import SecureRandom, SeededRandom, random_string
from ucauth.thaidate import PartialDate, from_be, to_be


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


@pytest.mark.parametrize(
    ("iso", "be", "known"),
    [
        ("1983-09-12", "25260912", date(1983, 9, 12)),
        ("1977-03-00", "25200300", None),
        ("1977-00-00", "25200000", None),
    ],
)
def test_partial_dates_keep_unknown_parts_as_zeros(iso: str, be: str, known: date | None) -> None:
    partial = PartialDate.from_iso(iso)
    assert (partial.iso(), partial.be(), partial.known) == (iso, be, known)
    if known:
        assert partial == PartialDate.of(known) and partial.be() == to_be(known)


@pytest.mark.parametrize("iso", ["1977-00-05", "1977-13-00", "1977-02-30", "1977-2-1", "25200000"])
def test_partial_dates_refuse_what_is_no_date(iso: str) -> None:
    with pytest.raises(ValueError):
        PartialDate.from_iso(iso)
