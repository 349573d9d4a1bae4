"""The agent protocol over HTTP: challenge, login, account status, and every refusal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.agents import TestAgent
from tests.support.factories import ACTOR, add_agent, add_unit, add_user, cid_for
from tests.support.server import ORIGIN, START
from ucauth.accounts import service as accounts
from ucauth.accounts.models import UserStatus
from ucauth.audit.service import events
from ucauth.clock import FixedClock
from ucauth.randomness import SecureRandom
from ucauth.tokens import nonces, protocol
from ucauth.tokens.active_agents import FRESH_FOR
from ucauth.tokens.models import UsedNonce
from ucauth.tokens.service import TokenConfig

CID = cid_for(1)
LOGIN = "/api/v1/auth/login"


@pytest.fixture
def agent(session: Session) -> TestAgent:
    add_unit(session)
    add_user(session, CID)
    return add_agent(session, ORIGIN)


def refused(response: object, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    error: dict[str, str] = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == code and error["message"]
    return error


def last_login_failure(session: Session) -> str | None:
    session.expire_all()
    failure = events(session, actions=["login"])[0]
    assert failure.outcome == "failure"
    return failure.reason


def test_login_answers_a_token_for_the_card_holder(client: TestClient, agent: TestAgent) -> None:
    response = agent.login(client, CID)
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == CID and len(body["token"]) == 16
    assert body["token"].isascii() and body["token"].isalnum() and body["token"].islower()
    assert body["expires_at"] == "2026-11-25T17:00:00Z"  # next 00:00 in Bangkok


def test_a_lifetime_card_logs_in(client: TestClient, agent: TestAgent) -> None:
    assert agent.login(client, CID, card_expiry=None).status_code == 200


def test_challenge_is_random_and_bound_to_agent_card_and_five_minutes(
    client: TestClient, agent: TestAgent, session: Session, token_config: TokenConfig
) -> None:
    bodies = [
        client.post("/api/v1/auth/challenge", json={"agent_id": agent.agent_id, "cid": CID}).json()
        for _ in range(2)
    ]
    issued = [protocol.decode_b64(b["nonce"], protocol.NONCE_BYTES, "nonce") for b in bodies]
    assert issued[0] != issued[1] and issued[0][:32] != issued[1][:32]
    assert bodies[0]["expires_at"] == "2026-11-25T03:05:00Z"  # 10:05 in Bangkok
    binding = nonces.unseal(token_config.nonce_key, issued[0])
    assert binding is not None
    assert (binding.agent_id, binding.cid) == (agent.agent_id, CID)
    assert binding.expires_at == START + timedelta(minutes=5)
    assert session.scalars(select(UsedNonce.nonce)).all() == []  # nothing stored until a login


def test_a_nonce_this_server_did_not_issue_is_refused(
    client: TestClient, agent: TestAgent, session: Session
) -> None:
    forged = agent.login_body(SecureRandom().token_bytes(protocol.NONCE_BYTES), CID)
    refused(client.post(LOGIN, json=forged), 403, "nonce_unknown")
    assert last_login_failure(session) == "nonce_unknown"


def test_a_replayed_login_is_refused(
    client: TestClient, agent: TestAgent, session: Session
) -> None:
    body = agent.login_body(agent.challenge(client, CID), CID)
    assert client.post(LOGIN, json=body).status_code == 200
    refused(client.post(LOGIN, json=body), 403, "nonce_unknown")
    assert last_login_failure(session) == "nonce_unknown"


def test_an_expired_nonce_is_refused(
    client: TestClient, agent: TestAgent, clock: FixedClock
) -> None:
    nonce = agent.challenge(client, CID)
    clock.advance(timedelta(minutes=5))
    refused(client.post(LOGIN, json=agent.login_body(nonce, CID)), 403, "nonce_expired")


def test_a_nonce_issued_to_another_agent_is_refused(
    client: TestClient, agent: TestAgent, session: Session
) -> None:
    other = add_agent(session, ORIGIN, seed=2, name="ws-2")
    nonce = agent.challenge(client, CID)
    response = client.post(LOGIN, json=other.login_body(nonce, CID))
    refused(response, 403, "nonce_agent_mismatch")
    # The stolen nonce is used up: its own agent cannot use it any more either.
    refused(client.post(LOGIN, json=agent.login_body(nonce, CID)), 403, "nonce_unknown")


def test_a_bad_signature_is_refused_and_keeps_the_nonce(
    client: TestClient, agent: TestAgent, session: Session
) -> None:
    nonce = agent.challenge(client, CID)
    forged = agent.login_body(nonce, CID, key=protocol.generate_private_key())
    refused(client.post(LOGIN, json=forged), 403, "bad_signature")
    assert last_login_failure(session) == "bad_signature"
    assert client.post(LOGIN, json=agent.login_body(nonce, CID)).status_code == 200


def test_an_unknown_agent_is_refused(client: TestClient, agent: TestAgent) -> None:
    response = client.post("/api/v1/auth/challenge", json={"agent_id": 999, "cid": CID})
    refused(response, 403, "agent_unknown")
    nonce = agent.challenge(client, CID)
    refused(
        client.post(LOGIN, json=agent.login_body(nonce, CID, agent_id=999)), 403, "agent_unknown"
    )


def test_a_disabled_agent_is_refused(
    client: TestClient, agent: TestAgent, session: Session, clock: FixedClock
) -> None:
    nonce = agent.challenge(client, CID)
    accounts.disable_agent(session, agent.agent_id, actor=ACTOR, now=START)
    refused(client.post(LOGIN, json=agent.login_body(nonce, CID)), 403, "agent_disabled")
    # A challenge trusts the status it found a moment ago (disabled elsewhere: by the CLI) ...
    clock.advance(FRESH_FOR - timedelta(microseconds=1))
    late = agent.challenge(client, CID)
    refused(client.post(LOGIN, json=agent.login_body(late, CID)), 403, "agent_disabled")
    # ... and reads it again after FRESH_FOR.
    clock.advance(timedelta(microseconds=1))
    response = client.post("/api/v1/auth/challenge", json={"agent_id": agent.agent_id, "cid": CID})
    refused(response, 403, "agent_disabled")


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (None, "account_not_registered"),
        (UserStatus.PENDING, "account_pending"),
        (UserStatus.REVOKED, "account_revoked"),
        (UserStatus.SUSPENDED, "account_suspended"),
    ],
)
def test_accounts_that_may_not_log_in_are_refused_with_their_reason(
    client: TestClient,
    agent: TestAgent,
    session: Session,
    status: UserStatus | None,
    code: str,
) -> None:
    cid = cid_for(2)
    if status is not None:
        add_user(session, cid, status=status)
    error = refused(agent.login(client, cid), 403, code)
    if status == UserStatus.REVOKED:  # the clerk is told when and why, in Thai by default
        assert "2026-01-05" in error["message"] and "inactive 180 days" in error["message"]
        assert "ยกเลิก" in error["message"]
    assert last_login_failure(session) == code


def test_a_signed_cid_other_than_the_challenged_one_is_refused(
    client: TestClient, agent: TestAgent, session: Session
) -> None:
    add_user(session, cid_for(2))
    nonce = agent.challenge(client, CID)
    refused(client.post(LOGIN, json=agent.login_body(nonce, cid_for(2))), 403, "cid_mismatch")


def test_an_expired_card_is_refused_but_it_is_valid_through_its_expiry_day(
    client: TestClient, agent: TestAgent
) -> None:
    today = date(2026, 11, 25)  # in Bangkok
    error = refused(
        agent.login(client, CID, card_expiry=today - timedelta(days=1)), 403, "card_expired"
    )
    assert "2026-11-24" in error["message"]
    assert agent.login(client, CID, card_expiry=today).status_code == 200


def test_a_login_signed_for_another_server_is_refused(client: TestClient, agent: TestAgent) -> None:
    error = refused(
        agent.login(client, CID, origin="https://phishing.example"), 403, "origin_mismatch"
    )
    assert ORIGIN in error["message"]


def test_repeated_failures_are_throttled_with_retry_after(
    client: TestClient, agent: TestAgent, session: Session, clock: FixedClock
) -> None:
    add_user(session, cid_for(2), status=UserStatus.PENDING)
    for _ in range(6):
        refused(agent.login(client, cid_for(2)), 403, "account_pending")
    response = agent.login(client, cid_for(2))
    refused(response, 429, "too_many_attempts")
    assert response.headers["Retry-After"] == "1"
    assert agent.login(client, CID).status_code == 200  # other accounts are not blocked
    clock.advance(timedelta(seconds=1))
    refused(agent.login(client, cid_for(2)), 403, "account_pending")


def test_unsigned_garbage_only_counts_against_the_address(
    client: TestClient, agent: TestAgent
) -> None:
    forger = protocol.generate_private_key()
    for _ in range(21):
        nonce = agent.challenge(client, CID)
        refused(
            client.post(LOGIN, json=agent.login_body(nonce, CID, key=forger)), 403, "bad_signature"
        )
    refused(agent.login(client, CID), 429, "too_many_attempts")  # this address waits
    with TestClient(client.app, client=("10.20.30.40", 1)) as elsewhere:  # the account does not
        assert agent.login(elsewhere, CID).status_code == 200


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"nonce": "short"}, "invalid_protocol_value"),
        ({"signature": "AAAA"}, "invalid_protocol_value"),
        ({"signed_at": "yesterday"}, "invalid_protocol_value"),
        ({"cid": "12345"}, "invalid_request"),
        ({"card_digest": "zz"}, "invalid_request"),
        ({"agent_id": "seven"}, "invalid_request"),
        ({"agent_id": 2**40}, "invalid_request"),
    ],
)
def test_malformed_login_bodies_get_a_clear_422(
    client: TestClient, agent: TestAgent, change: dict[str, object], code: str
) -> None:
    body = {**agent.login_body(agent.challenge(client, CID), CID), **change}
    refused(client.post(LOGIN, json=body), 422, code)


def test_a_body_that_is_not_json_is_refused(client: TestClient, agent: TestAgent) -> None:
    response = client.post(LOGIN, content=b"agent_id=1", headers={"Content-Type": "text/plain"})
    refused(response, 422, "invalid_request")
    response = client.post(LOGIN, content=b"{", headers={"Content-Type": "application/json"})
    refused(response, 422, "invalid_request")


class TestAccountStatus:
    URL = "/api/v1/auth/account-status"

    def status(self, client: TestClient, agent: TestAgent, cid: str) -> dict[str, object]:
        response = client.post(self.URL, json=agent.status_body(agent.challenge(client, cid), cid))
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body

    def test_an_enrolled_agent_learns_the_status_before_the_pin_is_asked(
        self, client: TestClient, agent: TestAgent, session: Session
    ) -> None:
        add_user(session, cid_for(2), status=UserStatus.PENDING)
        add_user(session, cid_for(3), status=UserStatus.REVOKED)
        assert self.status(client, agent, CID)["status"] == "active"
        assert self.status(client, agent, cid_for(2))["status"] == "pending"
        assert self.status(client, agent, cid_for(3)) == {
            "status": "revoked",
            "revoked_at": "2026-01-05T03:00:00Z",
            "revoked_reason": "inactive 180 days",
        }
        assert self.status(client, agent, cid_for(9))["status"] == "not_registered"

    def test_anyone_else_learns_nothing(self, client: TestClient, agent: TestAgent) -> None:
        nonce = agent.challenge(client, CID)
        forged = agent.status_body(nonce, CID, key=protocol.generate_private_key())
        error = refused(client.post(self.URL, json=forged), 403, "bad_signature")
        assert "active" not in error["message"]
        body = agent.status_body(nonce, CID)
        client.post(self.URL, json=body)
        refused(client.post(self.URL, json=body), 403, "nonce_unknown")  # no replay either
