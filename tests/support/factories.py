"""Factories for units, users and enrolled agents, written through the accounts service.

Use them in a test's own session; they commit like the service does.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from tests.support.agents import TestAgent
from ucauth.accounts import service as accounts
from ucauth.accounts.models import Role, Unit, User, UserStatus
from ucauth.cid import complete_cid
from ucauth.randomness import SeededRandom
from ucauth.tokens import protocol

ACTOR = "cli:test"
DEFAULT_HCODE = "10670"
DEFAULT_PROVINCE = "1000"  # Bangkok, region 13
CREATED_AT = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


def cid_for(number: int) -> str:
    """A valid synthetic citizen ID, distinct for each ``number``."""
    return complete_cid(f"3{number:011d}")


def add_unit(
    session: Session,
    hcode: str = DEFAULT_HCODE,
    *,
    name: str = "โรงพยาบาลทดสอบ",
    province: str = DEFAULT_PROVINCE,
) -> Unit:
    return accounts.create_unit(
        session, hcode=hcode, name=name, province_code=province, actor=ACTOR, now=CREATED_AT
    )


def add_user(
    session: Session,
    cid: str,
    *,
    unit: str = DEFAULT_HCODE,
    status: UserStatus = UserStatus.ACTIVE,
    role: Role = Role.STAFF,
    regions: tuple[int, ...] = (),
    first_name: str = "สมชาย",
    last_name: str = "ใจดี",
) -> User:
    """A user in any status (revoked and suspended ones go through the service's own actions)."""
    user = accounts.create_user(
        session,
        cid=cid,
        first_name=first_name,
        last_name=last_name,
        unit_hcode=unit,
        role=role,
        region_numbers=regions,
        status=UserStatus.PENDING if status == UserStatus.PENDING else UserStatus.ACTIVE,
        actor=ACTOR,
        now=CREATED_AT,
    )
    if status == UserStatus.REVOKED:
        accounts.revoke_user(session, cid, reason="inactive 180 days", actor=ACTOR, now=CREATED_AT)
    elif status == UserStatus.SUSPENDED:
        accounts.suspend_user(session, cid, reason="investigation", actor=ACTOR, now=CREATED_AT)
    return user


def add_agent(
    session: Session, origin: str, *, unit: str = DEFAULT_HCODE, seed: int = 1, name: str = "ws-1"
) -> TestAgent:
    """An enrolled workstation with a fresh key, enrolled the way the HTTP endpoint does it."""
    key = protocol.generate_private_key()
    issued = accounts.issue_enrolment_code(
        session, unit_hcode=unit, actor=ACTOR, now=CREATED_AT, random=SeededRandom(seed)
    )
    agent = accounts.enroll_agent(
        session,
        code=issued.code,
        name=name,
        public_key=protocol.public_key_bytes(key),
        now=CREATED_AT,
        client_address="127.0.0.1",
    )
    return TestAgent(agent.id, key, origin)
