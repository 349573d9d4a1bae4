"""Access requests (R7): submitted by anyone, decided by an administrator of the unit's region.

Each public function that changes something is one unit of work: it audits and commits.
Administrators act through an :class:`Administrator`: :func:`administrator` for a staff
account with an admin role (the web console, the API), :meth:`Administrator.cli` for the
command line (every region).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ucauth.accounts.errors import InvalidAccountDataError
from ucauth.accounts.models import Role, Unit, User, UserStatus
from ucauth.accounts.service import clean_text, user_regions
from ucauth.audit.service import Action, Event, Outcome, record
from ucauth.cid import validate_cid
from ucauth.lifecycle.errors import (
    AccountAlreadyActiveError,
    AccountSuspendedCannotApproveError,
    NotAdministratorError,
    OutsideRegionError,
    RequestDecidedError,
    RequestNotFoundError,
    RequestPendingError,
)
from ucauth.lifecycle.models import AccessRequest, RequestStatus
from ucauth.randomness import RandomSource, random_string
from ucauth.tokens import throttle

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
REFERENCE_HALF = 5  # XXXXX-XXXXX: 50 bits
BANGKOK = ZoneInfo("Asia/Bangkok")
_PHONE = re.compile(r"\+?[0-9]{9,15}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class RequestAction(StrEnum):
    """Audit actions of access requests."""

    SUBMIT = "access_request_submit"
    APPROVE = "access_request_approve"
    REJECT = "access_request_reject"


@dataclass(frozen=True)
class Administrator:
    """Who decides: ``actor`` as the audit records it (a CID, or ``cli:<OS user>``) and the
    regions they act on (None: every region)."""

    actor: str
    regions: frozenset[int] | None

    @classmethod
    def cli(cls, actor: str) -> Administrator:
        """The command line's operator: every region."""
        return cls(actor, None)

    def check(self, region: int) -> None:
        """OutsideRegionError unless this administrator acts on ``region``."""
        if self.regions is not None and region not in self.regions:
            raise OutsideRegionError(region=region)


@dataclass(frozen=True)
class RequestForm:
    """What a requester fills in (the public form, ``POST /api/v1/access-requests``)."""

    cid: str
    first_name: str
    last_name: str
    unit_hcode: str
    position: str
    phone: str
    email: str
    reason: str


def administrator(session: Session, cid: str) -> Administrator:
    """The active ``admin`` or ``regional_admin`` account of ``cid`` as an Administrator;
    NotAdministratorError for anyone else."""
    user = session.scalar(select(User).where(User.cid == cid))
    if user is None or user.status != UserStatus.ACTIVE or user.role == Role.STAFF:
        raise NotAdministratorError()
    if user.role == Role.ADMIN:
        return Administrator(user.cid, None)
    return Administrator(user.cid, frozenset(user_regions(session, user.id)))


def submit_request(
    session: Session,
    form: RequestForm,
    *,
    now: datetime,
    random: RandomSource,
    client_address: str,
    zone: ZoneInfo = BANGKOK,
) -> AccessRequest:
    """Record a new pending request and give it its reference number.

    Throttled per client address (every submission counts). Refused: an invalid field
    (InvalidAccountDataError / InvalidCitizenIdError), an active account
    (AccountAlreadyActiveError), a pending request for the same CID (RequestPendingError, with
    its submission date and status; ``zone`` dates it).
    """
    keys = throttle.Keys(throttle.Scope.REQUEST, client_address)
    throttle.check(session, keys, now)
    throttle.record_failure(session, keys, now)
    session.commit()
    cid = validate_cid(form.cid)
    unit = session.get(Unit, form.unit_hcode.strip())
    if unit is None:
        raise InvalidAccountDataError(field="unit_hcode")
    request = AccessRequest(
        reference=_new_reference(random),
        cid=cid,
        first_name=clean_text(form.first_name, "first_name", 100),
        last_name=clean_text(form.last_name, "last_name", 100),
        unit_hcode=unit.hcode,
        region_number=unit.region_number,
        position=clean_text(form.position, "position", 100),
        phone=_phone(form.phone),
        email=_email(form.email),
        reason=clean_text(form.reason, "reason", 500),
        status=RequestStatus.PENDING,
        submitted_at=now,
        client_address=client_address,
    )
    status = session.scalar(select(User.status).where(User.cid == cid))
    if status == UserStatus.ACTIVE:
        raise AccountAlreadyActiveError()
    _raise_if_pending(session, cid, zone)
    session.add(request)
    try:
        session.flush()
    except IntegrityError:  # a concurrent submission for the same CID won
        session.rollback()
        _raise_if_pending(session, cid, zone)
        raise
    _audit(session, now, RequestAction.SUBMIT, "anonymous", request, client_address)
    session.commit()
    return request


def request_status(
    session: Session, reference: str, *, now: datetime, client_address: str
) -> AccessRequest:
    """A request by its reference number, for the public status page (which shows its status,
    dates and rejection reason only). Unknown references count against the client address."""
    keys = throttle.Keys(throttle.Scope.REQUEST, client_address)
    throttle.check(session, keys, now)
    request = _find(session, reference)
    if request is None:
        throttle.record_failure(session, keys, now)
        session.commit()
        raise RequestNotFoundError(reference=reference[:20])
    return request


def get_request(session: Session, reference: str, *, admin: Administrator) -> AccessRequest:
    """A request with all its fields, for an administrator of its region."""
    request = _find(session, reference)
    if request is None:
        raise RequestNotFoundError(reference=reference[:20])
    admin.check(request.region_number)
    return request


def list_requests(
    session: Session,
    admin: Administrator,
    *,
    status: RequestStatus | None = RequestStatus.PENDING,
    limit: int = 200,
) -> list[AccessRequest]:
    """The requests of the administrator's regions (``status`` None: all), oldest pending first
    (decided ones: newest decision first)."""
    query = select(AccessRequest).limit(limit)
    if status is not None:
        query = query.where(AccessRequest.status == status)
    if admin.regions is not None:
        query = query.where(AccessRequest.region_number.in_(sorted(admin.regions)))
    if status == RequestStatus.PENDING:
        query = query.order_by(AccessRequest.submitted_at, AccessRequest.id)
    else:
        query = query.order_by(AccessRequest.submitted_at.desc(), AccessRequest.id.desc())
    return list(session.scalars(query))


def approve_request(
    session: Session, reference: str, *, admin: Administrator, now: datetime
) -> AccessRequest:
    """Approve a pending request: the account becomes active, created as staff or reactivated
    (a revoked or pending account keeps its id, role and history; names and unit come from the
    request). An active or suspended account cannot be approved into (reject the request)."""
    request = _pending(session, reference, admin)
    user = session.scalar(select(User).where(User.cid == request.cid).with_for_update())
    if user is None:
        user = User(
            cid=request.cid,
            first_name=request.first_name,
            last_name=request.last_name,
            unit_hcode=request.unit_hcode,
            role=Role.STAFF,
            status=UserStatus.ACTIVE,
            created_at=now,
            activated_at=now,
        )
        session.add(user)
        session.flush()
        account_event = Event(
            Action.USER_CREATE,
            actor=admin.actor,
            subject_cid=user.cid,
            unit_hcode=user.unit_hcode,
            details={"role": str(user.role), "status": str(user.status), "request": reference},
        )
    elif user.status == UserStatus.ACTIVE:
        raise AccountAlreadyActiveError()
    elif user.status == UserStatus.SUSPENDED:
        raise AccountSuspendedCannotApproveError()
    else:
        previous = user.status
        user.first_name, user.last_name = request.first_name, request.last_name
        user.unit_hcode = request.unit_hcode
        user.status, user.revoked_at, user.revoked_reason = UserStatus.ACTIVE, None, None
        user.activated_at = now
        account_event = Event(
            Action.USER_REINSTATE,
            actor=admin.actor,
            subject_cid=user.cid,
            unit_hcode=user.unit_hcode,
            details={"previous": str(previous), "request": request.reference},
        )
    request.status, request.decided_at, request.decided_by = (
        RequestStatus.APPROVED,
        now,
        admin.actor,
    )
    request.user_id = user.id
    _audit(session, now, RequestAction.APPROVE, admin.actor, request)
    record(session, now, account_event)
    session.commit()
    return request


def reject_request(
    session: Session, reference: str, *, admin: Administrator, reason: str, now: datetime
) -> AccessRequest:
    """Reject a pending request with a reason, which the requester sees on the status page."""
    request = _pending(session, reference, admin)
    request.decision_reason = clean_text(reason, "reason", 200)
    request.status, request.decided_at, request.decided_by = (
        RequestStatus.REJECTED,
        now,
        admin.actor,
    )
    _audit(session, now, RequestAction.REJECT, admin.actor, request, reason=request.decision_reason)
    session.commit()
    return request


def normal_reference(reference: str) -> str:
    """``XXXXX-XXXXX`` in upper case, whatever the spacing, dashes and case typed."""
    raw = "".join(reference.split()).replace("-", "").upper()
    return f"{raw[:REFERENCE_HALF]}-{raw[REFERENCE_HALF:]}" if raw else raw


def _new_reference(random: RandomSource) -> str:
    return normal_reference(random_string(random, REFERENCE_ALPHABET, 2 * REFERENCE_HALF))


def _find(session: Session, reference: str, *, lock: bool = False) -> AccessRequest | None:
    query = select(AccessRequest).where(AccessRequest.reference == normal_reference(reference))
    return session.scalar(query.with_for_update() if lock else query)


def _pending(session: Session, reference: str, admin: Administrator) -> AccessRequest:
    """The request, locked, checked to be pending and in the administrator's regions."""
    request = _find(session, reference, lock=True)
    if request is None:
        raise RequestNotFoundError(reference=reference[:20])
    admin.check(request.region_number)
    if request.status != RequestStatus.PENDING:
        raise RequestDecidedError(status=str(request.status))
    return request


def _raise_if_pending(session: Session, cid: str, zone: ZoneInfo) -> None:
    pending = session.scalar(
        select(AccessRequest).where(
            AccessRequest.cid == cid, AccessRequest.status == RequestStatus.PENDING
        )
    )
    if pending is not None:
        submitted = pending.submitted_at.astimezone(zone).date().isoformat()
        raise RequestPendingError(submitted=submitted, status=str(pending.status))


def _audit(
    session: Session,
    now: datetime,
    action: RequestAction,
    actor: str,
    request: AccessRequest,
    client_address: str | None = None,
    **details: object,
) -> None:
    record(
        session,
        now,
        Event(
            action,
            actor=actor,
            outcome=Outcome.SUCCESS,
            subject_cid=request.cid,
            unit_hcode=request.unit_hcode,
            client_address=client_address,
            details={"reference": request.reference, **details},
        ),
    )


def _phone(value: str) -> str:
    phone = re.sub(r"[\s\-()]", "", value)
    if not _PHONE.fullmatch(phone):
        raise InvalidAccountDataError(field="phone")
    return phone


def _email(value: str) -> str:
    email = value.strip()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise InvalidAccountDataError(field="email")
    return email
