"""Legacy unit credentials (R8): ``chk`` + digits with a fixed password, as HIS used them before
smart-card login. Accepted by verify and SOAP only before ``UCAUTH_LEGACY_LOGIN_UNTIL``; after
it, a clear refusal that says smart-card login replaced them and since when. Unset: never
accepted (such usernames are refused like any unknown account).

Passwords are kept as Argon2id hashes (argon2-cffi's RFC 9106 low-memory profile: 64 MiB, 3
passes), so checking one costs tens of milliseconds and 64 MiB: the channels run the check on a
worker thread (:func:`check_in_thread`), at most ``MAX_CONCURRENT_HASHES`` at a time.
Failures are throttled like token failures (scope ``verify``, per username and per address).
Every use is audited (``legacy_login``, with its channel), refusals too; a credential's last
use and last refusal are stamped (at most every few minutes) for :func:`usage_report`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import ParamSpec, TypeVar

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from ucauth.accounts.errors import InvalidAccountDataError
from ucauth.accounts.models import Unit
from ucauth.accounts.service import find_unit
from ucauth.audit.models import AuditEvent
from ucauth.audit.service import Event, Outcome, record
from ucauth.db import Db, UtcDateTime
from ucauth.lifecycle.errors import (
    LegacyCredentialExistsError,
    LegacyCredentialNotFoundError,
    LegacyLoginEndedError,
)
from ucauth.lifecycle.models import LegacyCredential
from ucauth.tokens import throttle
from ucauth.tokens.errors import InvalidCredentialsError
from ucauth.tokens.service import TokenConfig

P = ParamSpec("P")
T = TypeVar("T")
USERNAME = re.compile(r"chk[0-9]{1,17}")
PASSWORD_MAX_LENGTH = 128
MAX_CONCURRENT_HASHES = 4
STAMP_INTERVAL = timedelta(minutes=5)
LEGACY_LOGIN = "legacy_login"
LEGACY_CREATE = "legacy_credential_create"
LEGACY_REMOVE = "legacy_credential_remove"
_hashes = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)


@dataclass(frozen=True)
class LegacyUnit:
    """Who a valid legacy credential belongs to: a unit, not a person."""

    username: str
    unit_hcode: str
    until: datetime  # the sunset


@dataclass(frozen=True)
class LegacyUsage:
    """A credential used (or refused after the sunset) within the report's window."""

    username: str
    unit_hcode: str
    unit_name: str
    region_number: int
    uses: int
    refusals: int
    last_used_at: datetime | None
    last_refused_at: datetime | None


def is_legacy_username(username: str) -> bool:
    """``chk`` followed by digits (any case, surrounding spaces ignored)."""
    return USERNAME.fullmatch(username.strip().lower()) is not None


def uses_legacy_login(config: TokenConfig, username: str) -> bool:
    """Whether these credentials go to :func:`authenticate_legacy`: a sunset is configured and
    the username has the legacy form."""
    return config.legacy_until is not None and is_legacy_username(username)


def create_credential(
    session: Session, *, username: str, unit_hcode: str, password: str, actor: str, now: datetime
) -> LegacyCredential:
    """Register an old-style unit credential (its password is hashed here)."""
    username = username.strip().lower()
    if not is_legacy_username(username):
        raise InvalidAccountDataError(field="username (chk + digits)")
    if not password or len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidAccountDataError(field="password")
    find_unit(session, unit_hcode)
    if session.scalar(select(LegacyCredential.id).where(LegacyCredential.username == username)):
        raise LegacyCredentialExistsError(username=username)
    credential = LegacyCredential(
        username=username,
        unit_hcode=unit_hcode,
        password_hash=_hash(password),
        created_at=now,
        created_by=actor,
    )
    session.add(credential)
    record(
        session,
        now,
        Event(LEGACY_CREATE, actor=actor, unit_hcode=unit_hcode, details={"username": username}),
    )
    session.commit()
    return credential


def list_credentials(session: Session, *, unit_hcode: str | None = None) -> list[LegacyCredential]:
    query = select(LegacyCredential).order_by(
        LegacyCredential.unit_hcode, LegacyCredential.username
    )
    if unit_hcode is not None:
        query = query.where(LegacyCredential.unit_hcode == unit_hcode)
    return list(session.scalars(query))


def remove_credential(session: Session, username: str, *, actor: str, now: datetime) -> None:
    """Delete a credential; it stops working at once (the audit log keeps its history)."""
    credential = session.scalar(
        select(LegacyCredential).where(LegacyCredential.username == username.strip().lower())
    )
    if credential is None:
        raise LegacyCredentialNotFoundError(username=username[:20])
    session.delete(credential)
    record(
        session,
        now,
        Event(
            LEGACY_REMOVE,
            actor=actor,
            unit_hcode=credential.unit_hcode,
            details={"username": credential.username},
        ),
    )
    session.commit()


_CREDENTIAL = throttle.joined(
    select(
        LegacyCredential.id,
        LegacyCredential.unit_hcode,
        LegacyCredential.password_hash,
        LegacyCredential.last_used_at,
        LegacyCredential.last_refused_at,
    )
    .select_from(throttle.ONE_ROW)
    .outerjoin(LegacyCredential, LegacyCredential.username == bindparam("username"))
)
_STAMP = update(LegacyCredential).where(LegacyCredential.id == bindparam("credential_id"))
_STAMP_USED = _STAMP.values(last_used_at=bindparam("now", type_=UtcDateTime))
_STAMP_REFUSED = _STAMP.values(last_refused_at=bindparam("now", type_=UtcDateTime))


def authenticate_legacy(
    db: Db,
    config: TokenConfig,
    username: str,
    password: str,
    *,
    now: datetime,
    client_address: str,
    channel: str,
) -> LegacyUnit:
    """The unit of a legacy credential, before the sunset. Raises LegacyLoginEndedError after
    it (whatever the password), InvalidCredentialsError for a wrong or unknown one (and always
    when no sunset is configured), TooManyAttemptsError while throttled. Costs one Argon2
    check: call it on a worker thread (:func:`check_in_thread`)."""
    username = username.strip().lower()
    keys = throttle.Keys(throttle.Scope.VERIFY, client_address, username)
    row = db.execute(_CREDENTIAL, {"username": username, **keys.params()}).one()
    throttle.raise_if_blocked(row, now)
    sunset = config.legacy_until

    def refuse(reason: str, error: Exception, *, count: bool) -> Exception:
        if count:
            throttle.record_failure(db, keys, now)
        record(db, now, _event(username, row.unit_hcode, client_address, channel, reason))
        db.commit()
        return error

    if sunset is not None and now >= sunset:
        if row.id is not None and _stale(row.last_refused_at, now):
            db.execute(_STAMP_REFUSED, {"credential_id": row.id, "now": now})
        ended = LegacyLoginEndedError(date=sunset.astimezone(config.zone).date().isoformat())
        raise refuse(ended.code, ended, count=False)
    if sunset is None:  # never accepted
        raise refuse("legacy_login_disabled", InvalidCredentialsError(), count=True)
    if not _verify(row.password_hash or _dummy_hash(), password) or row.id is None:
        reason = "unknown_account" if row.id is None else "wrong_password"
        raise refuse(reason, InvalidCredentialsError(), count=True)
    if row.account_failures is not None:
        throttle.clear_account(db, keys)
    if _stale(row.last_used_at, now):
        db.execute(_STAMP_USED, {"credential_id": row.id, "now": now})
    record(db, now, _event(username, row.unit_hcode, client_address, channel))
    db.commit()
    return LegacyUnit(username, row.unit_hcode, sunset)


async def check_in_thread(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``work(*args, **kwargs)`` on a worker thread: keeps an Argon2 check off the event loop."""
    return await anyio.to_thread.run_sync(lambda: work(*args, **kwargs))


def usage_report(session: Session, *, now: datetime, days: int = 30) -> list[LegacyUsage]:
    """Credentials used, or refused after the sunset, in the last ``days`` days, by unit: the
    HIS that have not moved to smart-card login yet."""
    since = now - timedelta(days=days)
    credentials = session.execute(
        select(LegacyCredential, Unit.name, Unit.region_number)
        .join(Unit, Unit.hcode == LegacyCredential.unit_hcode)
        .where(
            (LegacyCredential.last_used_at >= since) | (LegacyCredential.last_refused_at >= since)
        )
        .order_by(Unit.region_number, LegacyCredential.unit_hcode, LegacyCredential.username)
    ).all()
    report = []
    for credential, unit_name, region in credentials:
        outcomes = session.execute(
            select(AuditEvent.outcome, func.count())
            .where(
                AuditEvent.actor == credential.username,
                AuditEvent.at >= since,
                AuditEvent.action == LEGACY_LOGIN,
            )
            .group_by(AuditEvent.outcome)
        )
        counts = {outcome: count for outcome, count in outcomes}
        report.append(
            LegacyUsage(
                credential.username,
                credential.unit_hcode,
                unit_name,
                region,
                counts.get(str(Outcome.SUCCESS), 0),
                counts.get(str(Outcome.FAILURE), 0),
                credential.last_used_at,
                credential.last_refused_at,
            )
        )
    return report


def _event(
    username: str,
    unit_hcode: str | None,
    client_address: str,
    channel: str,
    failure: str | None = None,
) -> Event:
    return Event(
        LEGACY_LOGIN,
        actor=username,
        outcome=Outcome.SUCCESS if failure is None else Outcome.FAILURE,
        reason=failure,
        unit_hcode=unit_hcode,
        client_address=client_address,
        channel=channel,
    )


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Checked against when the username is unknown, so that it costs the same."""
    return _hash("not a password")


def _hash(password: str) -> str:
    with _hashes:
        return _hasher().hash(password)


def _verify(stored: str, password: str) -> bool:
    with _hashes:
        try:
            return _hasher().verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False


def _stale(stamp: datetime | None, now: datetime) -> bool:
    return stamp is None or now - stamp >= STAMP_INTERVAL
