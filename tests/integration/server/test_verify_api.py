"""The HIS side: verify (log-on dialogs), /me with Bearer or Basic credentials, logout."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.agents import TestAgent
from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.server import ORIGIN
from ucauth.clock import FixedClock

CID = cid_for(1)
VERIFY = "/api/v1/auth/verify"


@pytest.fixture
def token(client: TestClient, session: Session) -> str:
    add_unit(session)
    add_user(session, CID)
    agent: TestAgent = add_agent(session, ORIGIN)
    return agent.token(client, CID)


def bearer(token: str, cid: str = CID) -> dict[str, str]:
    return {"Authorization": f"Bearer {cid}#{token}"}


def test_verify_answers_the_user_and_the_expiry(client: TestClient, token: str) -> None:
    response = client.post(VERIFY, json={"username": CID, "password": token})
    assert response.status_code == 200
    assert response.json() == {
        "valid": True,
        "user": {
            "cid": CID,
            "first_name": "สมชาย",
            "last_name": "ใจดี",
            "unit_hcode": "10670",
            "role": "staff",
        },
        "agent_id": 1,
        "expires_at": "2026-11-25T17:00:00Z",
    }


def test_unknown_account_and_wrong_token_get_the_same_answer(
    client: TestClient, token: str
) -> None:
    wrong = client.post(VERIFY, json={"username": CID, "password": "a" * 16})
    unknown = client.post(VERIFY, json={"username": cid_for(9), "password": token})
    malformed = client.post(VERIFY, json={"username": "chk001", "password": "secret"})
    for response in (wrong, unknown, malformed):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="ucauth"'
    assert wrong.json() == unknown.json() == malformed.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"


def test_messages_follow_accept_language(client: TestClient, token: str) -> None:
    body = {"username": CID, "password": "a" * 16}
    thai = client.post(VERIFY, json=body).json()["error"]["message"]
    english = client.post(VERIFY, json=body, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Token" in thai and "ไม่ถูกต้อง" in thai
    assert english.json()["error"]["message"].startswith("Wrong citizen ID or token")


def test_the_token_dies_at_midnight(client: TestClient, token: str, clock: FixedClock) -> None:
    clock.advance(timedelta(hours=14) - timedelta(seconds=1))  # 23:59:59 in Bangkok
    assert client.post(VERIFY, json={"username": CID, "password": token}).status_code == 200
    clock.advance(timedelta(seconds=1))
    assert client.post(VERIFY, json={"username": CID, "password": token}).status_code == 401


def test_failed_verifies_are_throttled(client: TestClient, token: str, clock: FixedClock) -> None:
    for _ in range(6):
        assert client.post(VERIFY, json={"username": CID, "password": "a" * 16}).status_code == 401
    blocked = client.post(VERIFY, json={"username": CID, "password": token})
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "1"
    assert blocked.json()["error"]["code"] == "too_many_attempts"
    clock.advance(timedelta(seconds=1))
    assert client.post(VERIFY, json={"username": CID, "password": token}).status_code == 200


def test_me_accepts_bearer_cid_hash_token_and_basic(client: TestClient, token: str) -> None:
    basic = base64.b64encode(f"{CID}:{token}".encode()).decode()
    for headers in (bearer(token), {"Authorization": f"Basic {basic}"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 200
        assert response.json()["user"]["cid"] == CID


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer abc", f"Bearer {CID}#", "Basic !!!", "Digest x", "Token a#b"],
)
def test_me_without_usable_credentials(client: TestClient, token: str, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "credentials_missing"


def test_me_with_a_wrong_token(client: TestClient, token: str) -> None:
    response = client.get("/api/v1/me", headers=bearer("b" * 16))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_logout_ends_the_session(client: TestClient, token: str) -> None:
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 401


def test_a_new_login_voids_the_token_at_once(
    client: TestClient, token: str, session: Session
) -> None:
    agent = add_agent(session, ORIGIN, seed=5, name="ws-2")
    newer = agent.token(client, CID)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    me = client.get("/api/v1/me", headers=bearer(newer)).json()
    assert me["agent_id"] == agent.agent_id
