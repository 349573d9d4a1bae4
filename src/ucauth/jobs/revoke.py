"""``revoke-inactive`` (R6): revoke active accounts with no access for more than 180 days.

An account's inactivity runs from the later of its last access and its (re)activation. A
scheduled run decides as of its slot (12:30 in the server's zone), so reruns decide alike;
``ucauth jobs run`` decides as of now. Accounts are revoked in batches, each batch one
transaction that rechecks the condition (a login committed meanwhile keeps its account),
deletes the accounts' tokens (dead at once) and audits every revocation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, and_, func, or_, select, update
from sqlalchemy.orm import Session

from ucauth.accounts.models import Unit, User, UserStatus
from ucauth.audit.service import Action, Event, record_bulk
from ucauth.i18n import translate
from ucauth.jobs.context import Counts, JobContext
from ucauth.jobs.slots import next_slot_after
from ucauth.tokens.service import revoke_tokens_of

NAME = "revoke-inactive"
AT = time(12, 30)
INACTIVITY = timedelta(days=180)
WARNING = timedelta(days=150)
ACTOR = f"job:{NAME}"
REASON = "inactive"


@dataclass(frozen=True)
class InactiveAccount:
    """An active account idle since ``inactive_since``; revoked by the run at ``revocation_due``
    unless it is used before."""

    cid: str
    first_name: str
    last_name: str
    unit_hcode: str
    region_number: int
    last_access_at: datetime | None
    inactive_since: datetime
    revocation_due: datetime

    def days_inactive(self, at: datetime) -> int:
        return (at - self.inactive_since).days


def _idle_before(cutoff: datetime) -> ColumnElement[bool]:
    """Active, not accessed and not (re)activated since ``cutoff``."""
    return and_(
        User.status == UserStatus.ACTIVE,
        or_(User.last_access_at.is_(None), User.last_access_at < cutoff),
        func.coalesce(User.activated_at, User.created_at) < cutoff,
    )


def inactive_accounts(
    session: Session,
    *,
    at: datetime,
    inactive_for: timedelta = WARNING,
    zone: ZoneInfo,
    regions: frozenset[int] | None = None,
    limit: int | None = None,
) -> list[InactiveAccount]:
    """Active accounts idle for more than ``inactive_for`` at ``at``, longest idle first: with
    ``WARNING`` (150 days) the accounts to warn, with ``INACTIVITY`` those the run would revoke.
    ``regions`` (None: all) limits them to the units of those regions."""
    activated = func.coalesce(User.activated_at, User.created_at)
    query = (
        select(
            User.cid,
            User.first_name,
            User.last_name,
            User.unit_hcode,
            Unit.region_number,
            User.last_access_at,
            activated.label("activated"),
        )
        .join(Unit, Unit.hcode == User.unit_hcode)
        .where(_idle_before(at - inactive_for))
        .order_by(User.id)
    )
    if regions is not None:
        query = query.where(Unit.region_number.in_(sorted(regions)))
    found = []
    for row in session.execute(query):
        since = max(row.activated, row.last_access_at or row.activated)
        found.append(
            InactiveAccount(
                row.cid,
                row.first_name,
                row.last_name,
                row.unit_hcode,
                row.region_number,
                row.last_access_at,
                since,
                next_slot_after(since + INACTIVITY, AT, zone),
            )
        )
    found.sort(key=lambda account: account.inactive_since)
    return found[:limit] if limit is not None else found


def revoke_inactive(context: JobContext) -> Counts:
    """The job's work: revoke, batch by batch, every account idle for more than 180 days at
    ``context.at``; a dry run only counts them."""
    cutoff = context.at - INACTIVITY
    if context.dry_run:
        with Session(context.engine) as session:
            due = session.scalar(select(func.count()).select_from(User).where(_idle_before(cutoff)))
        return {"due": int(due or 0)}
    reason = " / ".join(
        translate("lifecycle.inactive_reason", lang, days=INACTIVITY.days) for lang in ("th", "en")
    )
    totals: Counts = {"revoked": 0, "tokens": 0}
    # One scan for the candidates; each batch takes a range of them (by id: no long parameter
    # lists) and checks the condition again as it revokes.
    with context.engine.connect() as connection:
        query = select(User.id).where(_idle_before(cutoff)).order_by(User.id)
        candidates = connection.scalars(query).all()
    for start in range(0, len(candidates), context.batch_size):
        ids = candidates[start : start + context.batch_size]
        with context.engine.begin() as connection:
            now = context.clock.now()
            revoked = connection.execute(
                update(User)
                .where(User.id.between(ids[0], ids[-1]), _idle_before(cutoff))
                .values(status=UserStatus.REVOKED, revoked_at=now, revoked_reason=reason)
                .returning(User.id, User.cid, User.unit_hcode, User.last_access_at)
            ).all()
            users = {row.id: row.cid for row in revoked}
            tokens = revoke_tokens_of(connection, users, reason="revoked", actor=ACTOR, now=now)
            events = [_revocation(row, context) for row in revoked]
            if events:  # none when logins committed meanwhile kept every account of the batch
                record_bulk(connection, now, events)
            totals = context.add_counts(connection, {"revoked": len(revoked), "tokens": tokens})
        context.batch_done(totals)
    return totals


def _revocation(row: Row[int, str, str, datetime | None], context: JobContext) -> Event:
    last_access = row.last_access_at.isoformat() if row.last_access_at else None
    return Event(
        Action.USER_REVOKE,
        actor=ACTOR,
        reason=REASON,
        subject_cid=row.cid,
        unit_hcode=row.unit_hcode,
        details={
            "run": context.run_id,
            "as_of": context.at.isoformat(),
            "last_access_at": last_access,
        },
    )
