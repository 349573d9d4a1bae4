from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ucauth.tokens.throttle import ACCOUNT_POLICY, ADDRESS_POLICY, Keys, Scope, retry_after

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def test_account_delays_double_after_five_free_failures_and_cap_at_a_minute() -> None:
    delays = [ACCOUNT_POLICY.delay(n).total_seconds() for n in range(1, 14)]
    assert delays == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]


def test_address_delays_start_after_twenty_and_cap_at_five_minutes() -> None:
    assert ADDRESS_POLICY.delay(20) == timedelta(0)
    assert ADDRESS_POLICY.delay(21) == timedelta(seconds=1)
    assert ADDRESS_POLICY.delay(1000) == timedelta(minutes=5)


def test_retry_after_counts_down_and_forgets_after_the_quiet_period() -> None:
    last = NOW - timedelta(seconds=3)
    assert retry_after(ACCOUNT_POLICY, 9, last, NOW) == 5  # 8 s block, 3 s gone
    assert retry_after(ACCOUNT_POLICY, 9, last, NOW + timedelta(seconds=5)) == 0
    assert retry_after(ACCOUNT_POLICY, 5, last, NOW) == 0
    assert retry_after(ACCOUNT_POLICY, None, None, NOW) == 0
    assert retry_after(ACCOUNT_POLICY, 500, NOW - timedelta(minutes=15), NOW) == 0


def test_keys_name_scope_address_and_account() -> None:
    keys = Keys(Scope.VERIFY, "10.0.0.7", "1101700230705")
    assert keys.address_key == "verify:addr:10.0.0.7"
    assert keys.account_key == "verify:acct:1101700230705"
    assert Keys(Scope.LOGIN, "10.0.0.7").account_key is None
    assert len(Keys(Scope.LOGIN, "x" * 500).address_key) == 100
