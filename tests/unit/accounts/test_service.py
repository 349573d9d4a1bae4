from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.factories import add_unit, add_user, cid_for
from ucauth.accounts import service
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
from ucauth.accounts.models import AgentStatus, EnrolmentCode, Role, User, UserStatus
from ucauth.audit.service import events
from ucauth.errors import InvalidCitizenIdError
from ucauth.randomness import SeededRandom
from ucauth.tokens import protocol
from ucauth.tokens.errors import ProtocolError, TooManyAttemptsError

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
ACTOR = "cli:somchai"


def public_key() -> bytes:
    return protocol.public_key_bytes(protocol.generate_private_key())


def test_a_unit_takes_its_region_from_its_province(session: Session) -> None:
    unit = service.create_unit(
        session, hcode="10715", name=" รพ.  ทดสอบ ", province_code="5000", actor=ACTOR, now=NOW
    )
    assert (unit.region_number, unit.name) == (1, "รพ. ทดสอบ")  # Chiang Mai is region 1
    assert [u.hcode for u in service.list_units(session)] == ["10715"]
    event = events(session, actions=["unit_create"])[0]
    assert (event.actor, event.unit_hcode) == (ACTOR, "10715")


@pytest.mark.parametrize(
    ("hcode", "province", "name"),
    [("1071", "5000", "x"), ("1071a", "5000", "x"), ("10715", "9999", "x"), ("10715", "5000", " ")],
)
def test_bad_unit_data_changes_nothing(
    session: Session, hcode: str, province: str, name: str
) -> None:
    with pytest.raises(InvalidAccountDataError):
        service.create_unit(
            session, hcode=hcode, name=name, province_code=province, actor=ACTOR, now=NOW
        )
    assert service.list_units(session) == []


def test_units_and_users_are_unique(session: Session) -> None:
    add_unit(session)
    with pytest.raises(UnitExistsError):
        add_unit(session)
    add_user(session, cid_for(1))
    with pytest.raises(UserExistsError):
        add_user(session, cid_for(1))


def test_users_need_a_valid_cid_and_an_existing_unit(session: Session) -> None:
    add_unit(session)
    with pytest.raises(InvalidCitizenIdError):
        add_user(session, "1234567890123")
    with pytest.raises(UnitNotFoundError):
        add_user(session, cid_for(1), unit="99999")
    assert service.list_users(session) == []


def test_regional_admins_and_only_they_have_regions(session: Session) -> None:
    add_unit(session)
    admin = add_user(session, cid_for(1), role=Role.REGIONAL_ADMIN, regions=(13, 4))
    assert service.user_regions(session, admin.id) == [4, 13]
    with pytest.raises(InvalidAccountDataError):
        add_user(session, cid_for(2), role=Role.REGIONAL_ADMIN)
    with pytest.raises(InvalidAccountDataError):
        add_user(session, cid_for(3), role=Role.STAFF, regions=(1,))
    with pytest.raises(InvalidAccountDataError):
        add_user(session, cid_for(4), role=Role.REGIONAL_ADMIN, regions=(14,))


def test_revoke_reinstate_and_suspend(session: Session) -> None:
    add_unit(session)
    cid = cid_for(1)
    add_user(session, cid)
    user = service.revoke_user(session, cid, reason="inactive 180 days", actor=ACTOR, now=NOW)
    assert (user.status, user.revoked_at, user.revoked_reason) == (
        UserStatus.REVOKED,
        NOW,
        "inactive 180 days",
    )
    with pytest.raises(StatusChangeError):
        service.revoke_user(session, cid, reason="again", actor=ACTOR, now=NOW)
    with pytest.raises(StatusChangeError):
        service.suspend_user(session, cid, reason="x", actor=ACTOR, now=NOW)
    user = service.reinstate_user(session, cid, actor=ACTOR, now=NOW)
    assert (user.status, user.revoked_at, user.revoked_reason) == (UserStatus.ACTIVE, None, None)
    with pytest.raises(StatusChangeError):
        service.reinstate_user(session, cid, actor=ACTOR, now=NOW)
    service.suspend_user(session, cid, reason="investigation", actor=ACTOR, now=NOW)
    service.revoke_user(session, cid, reason="confirmed", actor=ACTOR, now=NOW)
    actions = [e.action for e in events(session, subject_cid=cid)]
    assert actions.count("user_revoke") == 2 and "user_suspend" in actions
    assert "user_reinstate" in actions and actions[-1] == "user_create"


def test_pending_accounts_can_be_reinstated_and_unknown_ones_are_not_found(
    session: Session,
) -> None:
    add_unit(session)
    add_user(session, cid_for(1), status=UserStatus.PENDING)
    assert service.list_users(session, status=UserStatus.PENDING)[0].cid == cid_for(1)
    service.reinstate_user(session, cid_for(1), actor=ACTOR, now=NOW)
    with pytest.raises(UserNotFoundError):
        service.kill_sessions(session, cid_for(2), actor=ACTOR, now=NOW)
    assert service.kill_sessions(session, cid_for(1), actor=ACTOR, now=NOW) == 0


def test_enrolment_codes_are_single_use_hashed_and_expire(session: Session) -> None:
    add_unit(session)
    issued = service.issue_enrolment_code(
        session, unit_hcode="10670", actor=ACTOR, now=NOW, random=SeededRandom(1)
    )
    assert len(issued.code) == 29 and issued.code.count("-") == 5
    assert issued.expires_at == NOW + timedelta(hours=24)
    stored = session.scalars(select(EnrolmentCode.code_hash)).one()
    assert issued.code.encode() not in stored
    typed = issued.code.lower().replace("-", " ")  # typing is forgiving
    agent = service.enroll_agent(
        session, code=typed, name="ws-1", public_key=public_key(), now=NOW, client_address="a"
    )
    assert (agent.unit_hcode, agent.status) == ("10670", AgentStatus.ACTIVE)
    with pytest.raises(EnrolmentCodeInvalidError):  # used
        service.enroll_agent(
            session,
            code=issued.code,
            name="ws-2",
            public_key=public_key(),
            now=NOW,
            client_address="a",
        )
    late = service.issue_enrolment_code(
        session, unit_hcode="10670", actor=ACTOR, now=NOW, random=SeededRandom(2)
    )
    with pytest.raises(EnrolmentCodeInvalidError):  # expired
        service.enroll_agent(
            session,
            code=late.code,
            name="ws-3",
            public_key=public_key(),
            now=late.expires_at,
            client_address="a",
        )
    reasons = [e.reason for e in events(session, actions=["agent_enrol"])]
    assert reasons == ["code", "code", None]


def test_a_key_enrols_once_and_must_be_ed25519(session: Session) -> None:
    add_unit(session)
    key = public_key()
    codes = [
        service.issue_enrolment_code(
            session, unit_hcode="10670", actor=ACTOR, now=NOW, random=SeededRandom(n)
        ).code
        for n in range(2)
    ]
    service.enroll_agent(
        session, code=codes[0], name="ws", public_key=key, now=NOW, client_address="a"
    )
    with pytest.raises(EnrolmentCodeInvalidError):
        service.enroll_agent(
            session, code=codes[1], name="ws", public_key=key, now=NOW, client_address="a"
        )
    with pytest.raises(ProtocolError):
        service.enroll_agent(
            session, code=codes[1], name="ws", public_key=b"short", now=NOW, client_address="a"
        )


def test_failed_enrolments_are_throttled_per_address(session: Session) -> None:
    add_unit(session)
    for _ in range(21):
        with pytest.raises(EnrolmentCodeInvalidError):
            service.enroll_agent(
                session,
                code="NOPE",
                name="ws",
                public_key=public_key(),
                now=NOW,
                client_address="6.6.6.6",
            )
    with pytest.raises(TooManyAttemptsError):
        service.enroll_agent(
            session,
            code="NOPE",
            name="ws",
            public_key=public_key(),
            now=NOW,
            client_address="6.6.6.6",
        )


def test_disable_agent(session: Session) -> None:
    add_unit(session)
    code = service.issue_enrolment_code(
        session, unit_hcode="10670", actor=ACTOR, now=NOW, random=SeededRandom(1)
    ).code
    agent = service.enroll_agent(
        session, code=code, name="ws", public_key=public_key(), now=NOW, client_address="a"
    )
    service.disable_agent(session, agent.id, actor=ACTOR, now=NOW)
    assert service.list_agents(session)[0].status == AgentStatus.DISABLED
    with pytest.raises(StatusChangeError):
        service.disable_agent(session, agent.id, actor=ACTOR, now=NOW)
    with pytest.raises(AgentNotFoundError):
        service.disable_agent(session, 999, actor=ACTOR, now=NOW)


def test_find_user(session: Session) -> None:
    add_unit(session)
    add_user(session, cid_for(1))
    assert service.find_user(session, f" {cid_for(1)} ").cid == cid_for(1)
    assert isinstance(service.find_user(session, cid_for(1)), User)
