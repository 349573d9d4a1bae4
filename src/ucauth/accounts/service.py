"""Units, users, workstations and enrolment codes: bootstrap, administration, enrolment.

Each public function that changes something is one unit of work: it audits and commits.
``actor`` names who acts (``cli:<os user>``, or an administrator's CID).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from ucauth.accounts.errors import (
    AgentNotFoundError,
    EnrolmentCodeInvalidError,
    InvalidAccountDataError,
    StatusChangeError,
    UnitExistsError,
    UnitNotFoundError,
    UserExistsError,
    UserNotFoundError,
)
from ucauth.accounts.models import (
    Agent,
    AgentStatus,
    EnrolmentCode,
    Role,
    Unit,
    User,
    UserRegion,
    UserStatus,
)
from ucauth.audit.service import Action, Event, Outcome, record
from ucauth.cid import validate_cid
from ucauth.codes import provinces, regions
from ucauth.randomness import RandomSource, random_string
from ucauth.tokens import throttle
from ucauth.tokens.protocol import check_public_key
from ucauth.tokens.service import revoke_tokens

HCODE_LENGTH = 5
NAME_MAX_LENGTH = 100
REASON_MAX_LENGTH = 200
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
CODE_LENGTH = 24  # 120 bits
CODE_GROUP = 4
DEFAULT_CODE_LIFETIME = timedelta(hours=24)
MAX_CODE_LIFETIME = timedelta(days=30)
INACTIVITY_LIMIT = timedelta(days=180)  # R6: accounts unused this long are revoked


@dataclass(frozen=True)
class IssuedCode:
    """An enrolment code, shown once (``XXXX-XXXX-…``); the database keeps its SHA-256 only."""

    code: str
    unit_hcode: str
    expires_at: datetime


def create_unit(
    session: Session, *, hcode: str, name: str, province_code: str, actor: str, now: datetime
) -> Unit:
    """A new service unit; its region is its province's."""
    hcode = hcode.strip()
    if len(hcode) != HCODE_LENGTH or not hcode.isascii() or not hcode.isdigit():
        raise InvalidAccountDataError(field="hcode")
    province = provinces().get(province_code.strip())
    if province is None:
        raise InvalidAccountDataError(field="province")
    if session.get(Unit, hcode) is not None:
        raise UnitExistsError(hcode=hcode)
    unit = Unit(
        hcode=hcode,
        name=clean_text(name, "name", 200),
        province_code=province.code,
        region_number=province.region,
        created_at=now,
    )
    session.add(unit)
    _audit(session, now, Action.UNIT_CREATE, actor, unit_hcode=hcode)
    session.commit()
    return unit


def list_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.hcode)))


def create_user(
    session: Session,
    *,
    cid: str,
    first_name: str,
    last_name: str,
    unit_hcode: str,
    role: Role = Role.STAFF,
    region_numbers: Sequence[int] = (),
    status: UserStatus = UserStatus.ACTIVE,
    actor: str,
    now: datetime,
) -> User:
    """A new account. Regional administrators need their regions; nobody else has any."""
    cid = validate_cid(cid)
    find_unit(session, unit_hcode)
    if (role == Role.REGIONAL_ADMIN) != bool(region_numbers):
        raise InvalidAccountDataError(field="regions")
    if any(number not in regions() for number in region_numbers):
        raise InvalidAccountDataError(field="regions")
    if status not in (UserStatus.ACTIVE, UserStatus.PENDING):
        raise InvalidAccountDataError(field="status")
    if session.scalar(select(User.id).where(User.cid == cid)) is not None:
        raise UserExistsError(cid=cid)
    user = User(
        cid=cid,
        first_name=clean_text(first_name, "first_name"),
        last_name=clean_text(last_name, "last_name"),
        unit_hcode=unit_hcode,
        role=role,
        status=status,
        created_at=now,
        activated_at=now if status == UserStatus.ACTIVE else None,
    )
    session.add(user)
    session.flush()
    for number in sorted(set(region_numbers)):
        session.add(UserRegion(user_id=user.id, region_number=number))
    _audit(
        session,
        now,
        Action.USER_CREATE,
        actor,
        cid=cid,
        unit_hcode=unit_hcode,
        role=str(role),
        status=str(status),
        regions=sorted(set(region_numbers)),
    )
    session.commit()
    return user


def list_users(
    session: Session,
    *,
    unit_hcode: str | None = None,
    status: UserStatus | None = None,
    unit_hcodes: Collection[str] | None = None,
    text: str = "",
    limit: int | None = None,
) -> list[User]:
    """Accounts, by unit and CID; ``unit_hcodes`` keeps those of these units (a regional
    administrator's), ``text`` those whose CID starts with it or whose name contains it."""
    query = select(User).order_by(User.unit_hcode, User.cid).limit(limit)
    if unit_hcode is not None:
        query = query.where(User.unit_hcode == unit_hcode)
    if unit_hcodes is not None:
        query = query.where(User.unit_hcode.in_(sorted(unit_hcodes)))
    if status is not None:
        query = query.where(User.status == status)
    if text.strip():
        words = text.strip()
        query = query.where(
            or_(
                User.cid.startswith(words, autoescape=True),
                User.first_name.contains(words, autoescape=True),
                User.last_name.contains(words, autoescape=True),
                User.unit_hcode == words,
            )
        )
    return list(session.scalars(query))


def units_of_regions(session: Session, region_numbers: Collection[int]) -> list[Unit]:
    """The units of these regions (what a regional administrator administers)."""
    query = select(Unit).where(Unit.region_number.in_(sorted(region_numbers)))
    return list(session.scalars(query.order_by(Unit.hcode)))


def count_users(
    session: Session, *, status: UserStatus, unit_hcodes: Collection[str] | None = None
) -> int:
    query = select(func.count()).select_from(User).where(User.status == status)
    if unit_hcodes is not None:
        query = query.where(User.unit_hcode.in_(sorted(unit_hcodes)))
    return int(session.scalar(query) or 0)


def inactive_by(
    session: Session,
    deadline: datetime,
    *,
    inactivity: timedelta = INACTIVITY_LIMIT,
    unit_hcodes: Collection[str] | None = None,
) -> list[User]:
    """Active accounts neither accessed nor (re)activated since ``deadline`` minus
    ``inactivity``: those the daily revocation (R6) takes by ``deadline`` unless they log in."""
    cutoff = deadline - inactivity
    last = func.coalesce(User.last_access_at, User.activated_at, User.created_at)
    query = select(User).where(
        User.status == UserStatus.ACTIVE,
        or_(User.last_access_at.is_(None), User.last_access_at < cutoff),
        func.coalesce(User.activated_at, User.created_at) < cutoff,
    )
    if unit_hcodes is not None:
        query = query.where(User.unit_hcode.in_(sorted(unit_hcodes)))
    return list(session.scalars(query.order_by(last, User.cid)))


def user_regions(session: Session, user_id: int) -> list[int]:
    """The regions a regional administrator administers."""
    query = select(UserRegion.region_number).where(UserRegion.user_id == user_id)
    return sorted(session.scalars(query))


def find_user(session: Session, cid: str) -> User:
    user = session.scalar(select(User).where(User.cid == validate_cid(cid)))
    if user is None:
        raise UserNotFoundError(cid=cid)
    return user


def revoke_user(session: Session, cid: str, *, reason: str, actor: str, now: datetime) -> User:
    """Revoke an account (it must request access again) and end its session at once."""
    return _deactivate(session, cid, UserStatus.REVOKED, reason, actor, now)


def suspend_user(session: Session, cid: str, *, reason: str, actor: str, now: datetime) -> User:
    """Suspend an account for a while and end its session at once."""
    return _deactivate(session, cid, UserStatus.SUSPENDED, reason, actor, now)


def reinstate_user(session: Session, cid: str, *, actor: str, now: datetime) -> User:
    """Make a pending, revoked or suspended account active again."""
    user = find_user(session, cid)
    if user.status == UserStatus.ACTIVE:
        raise StatusChangeError(status=str(user.status))
    previous = user.status
    user.status, user.revoked_at, user.revoked_reason = UserStatus.ACTIVE, None, None
    user.activated_at = now
    _audit(session, now, Action.USER_REINSTATE, actor, cid=user.cid, previous=str(previous))
    session.commit()
    return user


def kill_sessions(session: Session, cid: str, *, actor: str, now: datetime) -> int:
    """End the user's session (revoke their token) now; returns how many tokens died."""
    user = find_user(session, cid)
    killed = revoke_tokens(session, user.id, user.cid, reason="admin", actor=actor, now=now)
    _audit(session, now, Action.SESSIONS_KILL, actor, cid=user.cid, tokens=killed)
    session.commit()
    return killed


def issue_enrolment_code(
    session: Session,
    *,
    unit_hcode: str,
    lifetime: timedelta = DEFAULT_CODE_LIFETIME,
    actor: str,
    now: datetime,
    random: RandomSource,
) -> IssuedCode:
    """A one-time code that enrols one workstation into the unit."""
    find_unit(session, unit_hcode)
    if not timedelta(0) < lifetime <= MAX_CODE_LIFETIME:
        raise InvalidAccountDataError(field="lifetime")
    raw = random_string(random, CODE_ALPHABET, CODE_LENGTH)
    issued = IssuedCode(
        "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP)),
        unit_hcode,
        now + lifetime,
    )
    session.execute(
        insert(EnrolmentCode).values(
            code_hash=_code_hash(raw),
            unit_hcode=unit_hcode,
            created_by=actor,
            created_at=now,
            expires_at=issued.expires_at,
        )
    )
    expires_at = issued.expires_at.isoformat()
    _audit(session, now, Action.CODE_ISSUE, actor, unit_hcode=unit_hcode, expires_at=expires_at)
    session.commit()
    return issued


def enroll_agent(
    session: Session,
    *,
    code: str,
    name: str,
    public_key: bytes,
    now: datetime,
    client_address: str,
) -> Agent:
    """Register a workstation's public key with a one-time code; the code is used up.

    Unknown, used and expired codes get one answer; failures are throttled per client address.
    """
    name = clean_text(name, "name")
    check_public_key(public_key)
    keys = throttle.Keys(throttle.Scope.ENROL, client_address)
    throttle.check(session, keys, now)
    used = session.execute(
        update(EnrolmentCode)
        .where(
            EnrolmentCode.code_hash == _code_hash(_normal_code(code)),
            EnrolmentCode.used_at.is_(None),
            EnrolmentCode.expires_at > now,
        )
        .values(used_at=now)
        .returning(EnrolmentCode.id, EnrolmentCode.unit_hcode, EnrolmentCode.created_by)
    ).first()
    known_key = session.scalar(select(Agent.id).where(Agent.public_key == public_key))
    if used is None or known_key is not None:
        throttle.record_failure(session, keys, now)
        reason = "code" if used is None else "key_enrolled"
        record(
            session,
            now,
            Event(
                Action.ENROL,
                actor="anonymous",
                outcome=Outcome.FAILURE,
                reason=reason,
                client_address=client_address,
            ),
        )
        session.commit()
        raise EnrolmentCodeInvalidError()
    agent = Agent(
        name=name,
        unit_hcode=used.unit_hcode,
        public_key=public_key,
        status=AgentStatus.ACTIVE,
        enrolled_at=now,
        last_seen_at=now,
    )
    session.add(agent)
    session.flush()
    session.execute(
        update(EnrolmentCode).where(EnrolmentCode.id == used.id).values(agent_id=agent.id)
    )
    _audit(
        session,
        now,
        Action.ENROL,
        f"agent:{agent.id}",
        unit_hcode=agent.unit_hcode,
        agent_id=agent.id,
        client_address=client_address,
        name=name,
        code_issued_by=used.created_by,
    )
    session.commit()
    return agent


def list_agents(
    session: Session,
    *,
    unit_hcode: str | None = None,
    unit_hcodes: Collection[str] | None = None,
) -> list[Agent]:
    query = select(Agent).order_by(Agent.unit_hcode, Agent.id)
    if unit_hcode is not None:
        query = query.where(Agent.unit_hcode == unit_hcode)
    if unit_hcodes is not None:
        query = query.where(Agent.unit_hcode.in_(sorted(unit_hcodes)))
    return list(session.scalars(query))


def disable_agent(session: Session, agent_id: int, *, actor: str, now: datetime) -> Agent:
    """Stop a workstation from logging anyone in (a lost or replaced machine)."""
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise AgentNotFoundError(agent_id=agent_id)
    if agent.status == AgentStatus.DISABLED:
        raise StatusChangeError(status=str(agent.status))
    agent.status = AgentStatus.DISABLED
    _audit(
        session, now, Action.AGENT_DISABLE, actor, unit_hcode=agent.unit_hcode, agent_id=agent_id
    )
    session.commit()
    return agent


def _deactivate(
    session: Session, cid: str, status: UserStatus, reason: str, actor: str, now: datetime
) -> User:
    user = find_user(session, cid)
    if user.status == UserStatus.REVOKED or (
        status == UserStatus.SUSPENDED and user.status != UserStatus.ACTIVE
    ):
        raise StatusChangeError(status=str(user.status))
    user.status = status
    user.revoked_at, user.revoked_reason = now, clean_text(reason, "reason", REASON_MAX_LENGTH)
    session.flush()
    revoke_tokens(session, user.id, user.cid, reason=str(status), actor=actor, now=now)
    action = Action.USER_REVOKE if status == UserStatus.REVOKED else Action.USER_SUSPEND
    _audit(session, now, action, actor, cid=user.cid, reason=user.revoked_reason)
    session.commit()
    return user


def find_unit(session: Session, hcode: str) -> Unit:
    """The unit with this hcode; UnitNotFoundError when there is none."""
    unit = session.get(Unit, hcode)
    if unit is None:
        raise UnitNotFoundError(hcode=hcode)
    return unit


def clean_text(value: str, field: str, max_length: int = NAME_MAX_LENGTH) -> str:
    """``value`` with its whitespace collapsed; InvalidAccountDataError(field) when empty or
    longer than ``max_length``."""
    text = " ".join(value.split())
    if not text or len(text) > max_length:
        raise InvalidAccountDataError(field=field)
    return text


def _normal_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def _code_hash(code: str) -> bytes:
    return hashlib.sha256(code.encode("utf-8")).digest()


def _audit(
    session: Session,
    now: datetime,
    action: Action,
    actor: str,
    *,
    cid: str | None = None,
    unit_hcode: str | None = None,
    agent_id: int | None = None,
    client_address: str | None = None,
    **details: object,
) -> None:
    record(
        session,
        now,
        Event(
            action,
            actor=actor,
            subject_cid=cid,
            unit_hcode=unit_hcode,
            agent_id=agent_id,
            client_address=client_address,
            details=details,
        ),
    )
