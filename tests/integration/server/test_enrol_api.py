"""Workstation enrolment over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.agents import TestAgent
from tests.support.factories import ACTOR, add_unit, add_user, cid_for
from tests.support.server import ORIGIN, START
from ucauth.accounts import service as accounts
from ucauth.clock import FixedClock
from ucauth.randomness import SeededRandom
from ucauth.tokens import protocol

ENROL = "/api/v1/agents/enroll"


@pytest.fixture
def code(session: Session) -> str:
    add_unit(session)
    return accounts.issue_enrolment_code(
        session, unit_hcode="10670", actor=ACTOR, now=START, random=SeededRandom(3)
    ).code


def body(code: str, key: bytes | None = None) -> dict[str, str]:
    key = key or protocol.public_key_bytes(protocol.generate_private_key())
    return {"code": code, "name": "frontdesk-1", "public_key": protocol.encode_b64(key)}


def test_enrolment_binds_the_key_to_the_unit_and_then_logs_in(
    client: TestClient, session: Session, code: str
) -> None:
    key = protocol.generate_private_key()
    response = client.post(ENROL, json=body(code, protocol.public_key_bytes(key)))
    assert response.status_code == 200
    enrolled = response.json()
    assert enrolled["unit_hcode"] == "10670" and enrolled["name"] == "frontdesk-1"
    add_user(session, cid_for(1))
    agent = TestAgent(enrolled["agent_id"], key, ORIGIN)
    assert agent.login(client, cid_for(1)).status_code == 200


def test_a_code_works_once(client: TestClient, code: str) -> None:
    assert client.post(ENROL, json=body(code)).status_code == 200
    response = client.post(ENROL, json=body(code))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "enrolment_code_invalid"


def test_an_expired_code_is_refused(client: TestClient, code: str, clock: FixedClock) -> None:
    clock.advance(timedelta(hours=24))
    assert client.post(ENROL, json=body(code)).status_code == 403


def test_a_bad_public_key_changes_nothing(client: TestClient, code: str) -> None:
    response = client.post(ENROL, json={**body(code), "public_key": "AAAA"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_protocol_value"
    assert client.post(ENROL, json=body(code)).status_code == 200  # the code is still good
