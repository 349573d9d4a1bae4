"""The access-request endpoints: public submit and status, the administrators' queue."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.server import ORIGIN
from ucauth.accounts.models import Role, UserStatus
from ucauth.accounts.service import find_user

REQUESTS = "/api/v1/access-requests"
QUEUE = "/api/v1/admin/access-requests"
CID = cid_for(1)
ADMIN, REGIONAL, STAFF = cid_for(50), cid_for(51), cid_for(52)
BODY = {
    "cid": CID,
    "first_name": "Somying",
    "last_name": "Rakngan",
    "unit_hcode": "10670",
    "position": "medical records",
    "phone": "0812345678",
    "email": "somying@example.go.th",
    "reason": "front desk rights checks",
}


@pytest.fixture
def tokens(client: TestClient, session: Session) -> dict[str, str]:
    """Bearer headers of an admin, a regional admin of region 1, and a staff member."""
    add_unit(session)
    add_user(session, ADMIN, role=Role.ADMIN)
    add_user(session, REGIONAL, role=Role.REGIONAL_ADMIN, regions=(1,))
    add_user(session, STAFF)
    agent = add_agent(session, ORIGIN)
    return {cid: f"Bearer {cid}#{agent.token(client, cid)}" for cid in (ADMIN, REGIONAL, STAFF)}


def as_(cid: str, tokens: dict[str, str]) -> dict[str, Any]:
    return {"headers": {"Authorization": tokens[cid], "Accept-Language": "en"}}


def test_submit_look_up_and_approve(
    client: TestClient, tokens: dict[str, str], session: Session
) -> None:
    created = client.post(REQUESTS, json=BODY)
    assert created.status_code == 201, created.text
    reference = created.json()["reference"]
    assert created.json() == {
        "reference": reference,
        "status": "pending",
        "unit_hcode": "10670",
        "submitted_at": "2026-11-25T03:00:00Z",
        "decided_at": None,
        "rejection_reason": None,
    }
    again = client.post(REQUESTS, json=BODY, headers={"Accept-Language": "en"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "access_request_pending"
    assert "status: pending" in again.json()["error"]["message"]
    assert client.get(f"{REQUESTS}/{reference.lower()}").json()["status"] == "pending"
    assert client.get(f"{REQUESTS}/ZZZZZ-ZZZZZ").status_code == 404

    queue = client.get(QUEUE, **as_(ADMIN, tokens))
    assert [r["reference"] for r in queue.json()] == [reference]
    assert queue.json()[0]["phone"] == "0812345678"
    assert client.get(QUEUE, **as_(REGIONAL, tokens)).json() == []
    outside = client.post(f"{QUEUE}/{reference}/approve", **as_(REGIONAL, tokens))
    assert outside.status_code == 403 and outside.json()["error"]["code"] == "outside_region"
    staff = client.get(QUEUE, **as_(STAFF, tokens))
    assert staff.status_code == 403 and staff.json()["error"]["code"] == "not_administrator"
    assert client.get(QUEUE).status_code == 401

    approved = client.post(f"{QUEUE}/{reference}/approve", **as_(ADMIN, tokens))
    assert approved.status_code == 200 and approved.json()["decided_by"] == ADMIN
    assert find_user(session, CID).status == UserStatus.ACTIVE
    twice = client.post(f"{QUEUE}/{reference}/approve", **as_(ADMIN, tokens))
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "access_request_decided"
    assert client.get(f"{REQUESTS}/{reference}").json()["status"] == "approved"
    listed = client.get(QUEUE, params={"status": "all"}, **as_(ADMIN, tokens)).json()
    assert [r["status"] for r in listed] == ["approved"]


def test_rejection_reason_is_shown_to_the_requester(
    client: TestClient, tokens: dict[str, str]
) -> None:
    reference = client.post(REQUESTS, json=BODY).json()["reference"]
    rejected = client.post(
        f"{QUEUE}/{reference}/reject", json={"reason": "not on staff"}, **as_(ADMIN, tokens)
    )
    assert rejected.status_code == 200 and rejected.json()["decision_reason"] == "not on staff"
    status = client.get(f"{REQUESTS}/{reference}").json()
    assert (status["status"], status["rejection_reason"]) == ("rejected", "not on staff")
    assert status["decided_at"] == "2026-11-25T03:00:00Z"


def test_invalid_submissions_name_the_field(client: TestClient, tokens: dict[str, str]) -> None:
    bad_cid = client.post(REQUESTS, json={**BODY, "cid": "1234"})
    assert bad_cid.status_code == 422 and bad_cid.json()["error"]["code"] == "invalid_cid"
    bad_mail = client.post(REQUESTS, json={**BODY, "email": "x"}, headers={"Accept-Language": "en"})
    assert bad_mail.status_code == 422 and "email" in bad_mail.json()["error"]["message"]
    missing = client.post(REQUESTS, json={"cid": CID})
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "invalid_request"
