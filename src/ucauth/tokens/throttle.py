"""Throttling of failed logins and verifies, per account and per client address.

Counters live in the database (table ``throttles``), so every server process sees the same ones.
A key counts consecutive failures; after ``free_failures`` of them each further failure blocks
the key for a doubling delay (1 s, 2 s, 4 s, …) capped at ``max_delay``. A quiet
``reset_after`` since the last failure starts the count afresh, and a success clears the
account's count. Blocks are always short: nobody, however malicious, can lock an account out for
longer than ``max_delay`` at a time. The check comes before the work; refused requests are not
counted.

The counters are read in the same query as the request's own data: :func:`joined` adds them to
a select, :func:`raise_if_blocked` judges the row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, bindparam, case, delete, literal, select
from sqlalchemy.orm import aliased

from ucauth.db import Db, UtcDateTime, dialect_name, upserts
from ucauth.tokens.errors import TooManyAttemptsError
from ucauth.tokens.models import Throttle


class Scope(StrEnum):
    """What failed: each scope counts separately, so failed verifies never block card logins."""

    LOGIN = "login"
    VERIFY = "verify"
    ENROL = "enrol"
    REQUEST = "request"  # public access requests: every submission counts, per address


@dataclass(frozen=True)
class Policy:
    free_failures: int
    max_delay: timedelta
    reset_after: timedelta

    def delay(self, failures: int) -> timedelta:
        """How long a key with ``failures`` consecutive failures stays blocked after the last."""
        excess = failures - self.free_failures
        if excess <= 0:
            return timedelta(0)
        return min(timedelta(seconds=2 ** min(excess - 1, 30)), self.max_delay)


ACCOUNT_POLICY = Policy(5, timedelta(minutes=1), timedelta(minutes=15))
ADDRESS_POLICY = Policy(20, timedelta(minutes=5), timedelta(hours=1))
KEY_MAX_LENGTH = 100


class Keys:
    """The throttle keys of one request: its client address and, when it names one, its account."""

    __slots__ = ("account_key", "address", "address_key", "cid", "scope")

    def __init__(self, scope: Scope, address: str, cid: str | None = None) -> None:
        self.scope, self.address, self.cid = scope, address, cid
        self.address_key = f"{scope}:addr:{address}"[:KEY_MAX_LENGTH]
        self.account_key = f"{scope}:acct:{cid}" if cid else None

    def params(self) -> dict[str, str]:
        """Bind parameters of a :func:`joined` query."""
        return {"account_key": self.account_key or "", "address_key": self.address_key}

    def policies(self) -> Iterator[tuple[str, Policy]]:
        yield self.address_key, ADDRESS_POLICY
        if self.account_key:
            yield self.account_key, ACCOUNT_POLICY


_ACCOUNT = aliased(Throttle, name="account_throttle")
_ADDRESS = aliased(Throttle, name="address_throttle")
ONE_ROW = select(literal(1).label("one")).subquery("one_row")


def joined(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    """``query`` plus both counters of a request (bind them with :meth:`Keys.params`).

    Start ``query`` from :data:`ONE_ROW` with outer joins, so that a row comes back even when
    nothing else matches.
    """
    return (
        query.add_columns(
            _ACCOUNT.failures.label("account_failures"),
            _ACCOUNT.last_failure_at.label("account_last_failure"),
            _ADDRESS.failures.label("address_failures"),
            _ADDRESS.last_failure_at.label("address_last_failure"),
        )
        .outerjoin(_ACCOUNT, _ACCOUNT.key == bindparam("account_key"))
        .outerjoin(_ADDRESS, _ADDRESS.key == bindparam("address_key"))
    )


def retry_after(
    policy: Policy, failures: int | None, last_failure_at: datetime | None, now: datetime
) -> int:
    """Whole seconds until a key with this state may try again; 0 when it may now."""
    if failures is None or failures <= policy.free_failures or last_failure_at is None:
        return 0
    if now - last_failure_at >= policy.reset_after:
        return 0
    remaining = (last_failure_at + policy.delay(failures) - now).total_seconds()
    return max(0, math.ceil(remaining))


def raise_if_blocked(row: Any, now: datetime) -> None:
    """TooManyAttemptsError (with the longer wait) while either counter of a joined row (a
    SQLAlchemy Row, or a ``ucauth.db.DriverQuery`` one) blocks."""
    if row.account_failures is None and row.address_failures is None:
        return  # the usual case: no recent failures
    wait = max(
        retry_after(ACCOUNT_POLICY, row.account_failures, row.account_last_failure, now),
        retry_after(ADDRESS_POLICY, row.address_failures, row.address_last_failure, now),
    )
    if wait > 0:
        raise TooManyAttemptsError(retry_after=wait)


def check(db: Db, keys: Keys, now: datetime) -> None:
    """Refuse (TooManyAttemptsError) while either of the request's keys is blocked."""
    row = db.execute(joined(select().select_from(ONE_ROW)), keys.params()).one()
    raise_if_blocked(row, now)


def _failure_upsert(insert: Callable[[Any], Any]) -> Any:
    statement = insert(Throttle)
    stale = Throttle.last_failure_at < bindparam("stale_before", type_=UtcDateTime)
    return statement.on_conflict_do_update(
        index_elements=[Throttle.key],
        set_={
            "failures": case((stale, 1), else_=Throttle.failures + 1),
            "last_failure_at": statement.excluded.last_failure_at,
        },
    )


_RECORD_FAILURE = upserts(_failure_upsert)
_CLEAR = delete(Throttle).where(Throttle.key == bindparam("account_key"))


def record_failure(db: Db, keys: Keys, now: datetime) -> None:
    """Count one failure for each of the request's keys (atomic upserts; the caller commits)."""
    statement = _RECORD_FAILURE[dialect_name(db)]
    for key, policy in keys.policies():
        params = {"key": key, "failures": 1, "last_failure_at": now}
        db.execute(statement, {**params, "stale_before": now - policy.reset_after})


def clear_account(db: Db, keys: Keys) -> None:
    """Forget an account's failures after it succeeded (its address keeps counting)."""
    if keys.account_key:
        db.execute(_CLEAR, {"account_key": keys.account_key})


def purge(db: Db, now: datetime) -> int:
    """Delete counters idle longer than any policy remembers; returns how many."""
    longest = max(ACCOUNT_POLICY.reset_after, ADDRESS_POLICY.reset_after)
    result = db.execute(delete(Throttle).where(Throttle.last_failure_at < now - longest))
    return int(result.rowcount)  # type: ignore[attr-defined]
