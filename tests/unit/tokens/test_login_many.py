"""Logins in one batch (``service.login_many``): one transaction, each its own outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.agents import TestAgent
from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.server import BANGKOK, ORIGIN
from ucauth.accounts.models import UserStatus
from ucauth.audit.service import events
from ucauth.randomness import SecureRandom
from ucauth.tokens import service
from ucauth.tokens.errors import (
    AccountNotRegisteredError,
    AccountPendingError,
    BadSignatureError,
    NonceUnknownError,
)
from ucauth.tokens.models import Throttle
from ucauth.tokens.protocol import generate_private_key
from ucauth.tokens.service import LoginAttempt, TokenConfig

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=BANGKOK)
ACTIVE, OTHER, PENDING, UNKNOWN, FORGED = (cid_for(n) for n in range(1, 6))


@pytest.fixture
def agent(session: Session) -> TestAgent:
    add_unit(session)
    for cid in (ACTIVE, OTHER, FORGED):
        add_user(session, cid)
    add_user(session, PENDING, status=UserStatus.PENDING)
    return add_agent(session, ORIGIN)


def attempt(
    session: Session, config: TokenConfig, agent: TestAgent, cid: str, **overrides: Any
) -> LoginAttempt:
    issued = service.issue_challenge(
        session, config, agent.agent_id, cid, now=NOON, random=SecureRandom()
    )
    return LoginAttempt(agent.signed_login(issued.nonce, cid, **overrides), f"10.0.0.{cid[-1]}")


def test_each_login_of_a_batch_gets_its_own_outcome_in_one_commit(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    replayed = attempt(session, token_config, agent, OTHER)
    service.login_many(session, token_config, [replayed], now=NOON, random=SecureRandom())
    batch = [
        attempt(session, token_config, agent, ACTIVE),
        attempt(session, token_config, agent, FORGED, key=generate_private_key()),
        replayed,
        attempt(session, token_config, agent, PENDING),
        attempt(session, token_config, agent, UNKNOWN),
    ]
    outcomes = service.login_many(session, token_config, batch, now=NOON, random=SecureRandom())
    issued = outcomes[0]
    assert isinstance(issued, service.IssuedToken) and issued.cid == ACTIVE
    assert [type(outcome) for outcome in outcomes[1:]] == [
        BadSignatureError,
        NonceUnknownError,
        AccountPendingError,
        AccountNotRegisteredError,
    ]
    user = service.authenticate(
        session, token_config, ACTIVE, issued.token, now=NOON, client_address="-"
    )
    assert user.cid == ACTIVE
    logins = events(session, actions=["login"])
    failures = {(e.subject_cid, e.reason, e.actor) for e in logins if e.outcome == "failure"}
    assert failures == {
        (FORGED, "bad_signature", "anonymous"),
        (OTHER, "nonce_unknown", "anonymous"),
        (PENDING, "account_pending", f"agent:{agent.agent_id}"),
        (UNKNOWN, "account_not_registered", f"agent:{agent.agent_id}"),
    }
    assert set(session.scalars(select(Throttle.key))) == {
        f"login:addr:10.0.0.{cid[-1]}" for cid in (FORGED, OTHER, PENDING, UNKNOWN)
    } | {f"login:acct:{PENDING}", f"login:acct:{UNKNOWN}"}
