"""Access requests through the service: one pending per CID, region scoping, approval creates or
reactivates the account (keeping its history), rejection with a reason, every decision audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests.support.factories import add_unit, add_user, cid_for
from tests.support.server import START
from ucauth.accounts.errors import InvalidAccountDataError
from ucauth.accounts.models import Role, User, UserStatus
from ucauth.accounts.service import find_user
from ucauth.audit.service import events
from ucauth.errors import InvalidCitizenIdError
from ucauth.lifecycle import service
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
from ucauth.randomness import SeededRandom
from ucauth.tokens.errors import TooManyAttemptsError

CID = cid_for(1)
REGION_2_HCODE = "20001"  # province 5300 (Uttaradit), region 2
CLI = service.Administrator.cli("cli:test")


def form(cid: str = CID, unit: str = "10670", **changes: str) -> service.RequestForm:
    fields = {
        "cid": cid,
        "first_name": " สมหญิง ",
        "last_name": "รักงาน",
        "unit_hcode": unit,
        "position": "เจ้าพนักงานเวชสถิติ",
        "phone": "081-234-5678",
        "email": "somying@example.go.th",
        "reason": "ตรวจสอบสิทธิผู้ป่วยที่ห้องบัตร",
        **changes,
    }
    return service.RequestForm(**fields)


def submit(
    session: Session, request_form: service.RequestForm, seed: int = 1, address: str = "10.0.0.1"
) -> AccessRequest:
    return service.submit_request(
        session, request_form, now=START, random=SeededRandom(seed), client_address=address
    )


@pytest.fixture
def units(session: Session) -> None:
    add_unit(session)
    add_unit(session, REGION_2_HCODE, province="5300")


@pytest.mark.usefixtures("units")
def test_a_request_gets_a_reference_and_its_status_is_public(session: Session) -> None:
    request = submit(session, form())
    assert len(request.reference) == 11 and request.reference[5] == "-"
    assert (request.status, request.region_number, request.phone) == ("pending", 13, "0812345678")
    assert request.first_name == "สมหญิง"
    typed = request.reference.lower().replace("-", " ")
    found = service.request_status(session, typed, now=START, client_address="10.0.0.9")
    assert found.id == request.id
    with pytest.raises(RequestNotFoundError):
        service.request_status(session, "00000-00000", now=START, client_address="10.0.0.9")
    [event] = events(session, actions=["access_request_submit"])
    assert (event.subject_cid, event.client_address) == (CID, "10.0.0.1")
    assert event.details == {"reference": request.reference}


@pytest.mark.usefixtures("units")
def test_a_second_pending_request_is_refused_with_the_first_ones_status(session: Session) -> None:
    submit(session, form())
    with pytest.raises(RequestPendingError) as raised:
        submit(session, form(first_name="อื่น"), seed=2)
    assert raised.value.message("en") == (
        "An access request for this citizen ID exists already, submitted on 2026-11-25, "
        "status: pending; wait for the regional office's decision"
    )
    assert "รอการอนุมัติ" in raised.value.message("th")
    assert len(service.list_requests(session, CLI)) == 1


@pytest.mark.usefixtures("units")
@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"cid": "1101700230706"}, InvalidCitizenIdError),
        ({"unit_hcode": "99999"}, InvalidAccountDataError),
        ({"phone": "12ab"}, InvalidAccountDataError),
        ({"email": "not-an-address"}, InvalidAccountDataError),
        ({"reason": "   "}, InvalidAccountDataError),
    ],
)
def test_invalid_fields_are_refused_and_nothing_is_stored(
    session: Session, changes: dict[str, str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        submit(session, form(**changes))
    assert service.list_requests(session, CLI, status=None) == []


@pytest.mark.usefixtures("units")
def test_an_active_account_needs_no_request(session: Session) -> None:
    add_user(session, CID)
    with pytest.raises(AccountAlreadyActiveError):
        submit(session, form())


@pytest.mark.usefixtures("units")
def test_submissions_are_throttled_per_address(session: Session) -> None:
    for number in range(21):  # 20 free, the 21st starts the block
        submit(session, form(cid_for(100 + number)), seed=number, address="10.9.9.9")
    with pytest.raises(TooManyAttemptsError):
        submit(session, form(cid_for(200)), seed=99, address="10.9.9.9")
    submit(session, form(cid_for(200)), seed=99, address="10.9.9.8")


@pytest.mark.usefixtures("units")
def test_approval_creates_an_active_staff_account_and_is_audited(session: Session) -> None:
    request = submit(session, form())
    later = START + timedelta(hours=2)
    approved = service.approve_request(session, request.reference, admin=CLI, now=later)
    assert (approved.status, approved.decided_by, approved.decided_at) == (
        "approved",
        "cli:test",
        later,
    )
    user = find_user(session, CID)
    assert (user.status, user.role, user.activated_at, user.unit_hcode) == (
        UserStatus.ACTIVE,
        Role.STAFF,
        later,
        "10670",
    )
    assert approved.user_id == user.id
    actions = [e.action for e in events(session, subject_cid=CID)]
    assert sorted(actions[:2]) == ["access_request_approve", "user_create"]
    with pytest.raises(RequestDecidedError):
        service.reject_request(session, request.reference, admin=CLI, reason="x", now=later)


@pytest.mark.usefixtures("units")
def test_approval_reactivates_a_revoked_account_keeping_its_history(session: Session) -> None:
    original = add_user(session, CID, status=UserStatus.REVOKED)
    request = submit(session, form(unit=REGION_2_HCODE))
    service.approve_request(session, request.reference, admin=CLI, now=START)
    session.expire_all()
    user = session.get(User, original.id)
    assert user is not None
    assert (user.status, user.revoked_at, user.revoked_reason) == (UserStatus.ACTIVE, None, None)
    assert (user.unit_hcode, user.first_name, user.activated_at) == (REGION_2_HCODE, "สมหญิง", START)
    history = [e.action for e in events(session, subject_cid=CID)]
    assert sorted(history[:2]) == ["access_request_approve", "user_reinstate"]
    assert "user_revoke" in history and "user_create" in history


@pytest.mark.usefixtures("units")
def test_suspended_and_active_accounts_cannot_be_approved_into(session: Session) -> None:
    add_user(session, CID, status=UserStatus.SUSPENDED)
    request = submit(session, form())
    with pytest.raises(AccountSuspendedCannotApproveError):
        service.approve_request(session, request.reference, admin=CLI, now=START)
    session.rollback()
    rejected = service.reject_request(
        session, request.reference, admin=CLI, reason=" ไม่ใช่เจ้าหน้าที่ ", now=START
    )
    assert (rejected.status, rejected.decision_reason) == ("rejected", "ไม่ใช่เจ้าหน้าที่")
    public = service.request_status(session, request.reference, now=START, client_address="x")
    assert public.decision_reason == "ไม่ใช่เจ้าหน้าที่"
    [event] = events(session, actions=["access_request_reject"])
    assert event.details == {"reference": request.reference, "reason": "ไม่ใช่เจ้าหน้าที่"}
    submit(session, form(), seed=3)  # a new request after the rejection is accepted


@pytest.mark.usefixtures("units")
def test_regional_admins_act_only_on_their_regions(session: Session) -> None:
    add_user(session, cid_for(50), role=Role.REGIONAL_ADMIN, regions=(1,))
    add_user(session, cid_for(51), role=Role.ADMIN)
    add_user(session, cid_for(52))
    region_1 = service.administrator(session, cid_for(50))
    assert region_1.regions == frozenset({1})
    ours = submit(session, form(cid_for(60), unit=REGION_2_HCODE))
    theirs = submit(session, form(cid_for(61)), seed=2)
    assert service.list_requests(session, region_1) == []
    with pytest.raises(OutsideRegionError):
        service.approve_request(session, theirs.reference, admin=region_1, now=START)
    session.rollback()
    with pytest.raises(OutsideRegionError):
        service.reject_request(session, theirs.reference, admin=region_1, reason="no", now=START)
    session.rollback()
    with pytest.raises(OutsideRegionError):
        service.get_request(session, theirs.reference, admin=region_1)
    region_2 = service.Administrator(cid_for(50), frozenset({2}))
    assert [r.reference for r in service.list_requests(session, region_2)] == [ours.reference]
    everyone = service.administrator(session, cid_for(51))
    assert len(service.list_requests(session, everyone)) == 2
    with pytest.raises(NotAdministratorError):
        service.administrator(session, cid_for(52))
    with pytest.raises(NotAdministratorError):
        service.administrator(session, cid_for(53))
    assert service.get_request(session, theirs.reference, admin=everyone).status == (
        RequestStatus.PENDING
    )
