"""Real concurrency against a real ``ucauth server`` process (uvicorn), on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.server import TOKEN_KEY, LiveServer
from ucauth.tokens.credentials import token_hmac
from ucauth.tokens.models import Token

CID = cid_for(1)


@pytest.mark.slow
def test_fifty_concurrent_logins_of_one_user_leave_exactly_one_valid_token(
    live_server: LiveServer, session: Session
) -> None:
    add_unit(session)
    add_user(session, CID)
    agents = [add_agent(session, live_server.origin, seed=n, name=f"ws-{n}") for n in range(5)]

    def log_in(n: int) -> str:
        with httpx.Client(base_url=live_server.url, timeout=30) as client:
            return agents[n % len(agents)].token(client, CID)

    with ThreadPoolExecutor(50) as pool:
        tokens = list(pool.map(log_in, range(50)))
    assert len(set(tokens)) == 50

    stored = session.scalars(select(Token.token_hmac)).all()
    valid = [t for t in tokens if [token_hmac(TOKEN_KEY.encode(), t)] == stored]
    assert len(valid) == 1
    with httpx.Client(base_url=live_server.url) as client:
        ok = client.post("/api/v1/auth/verify", json={"username": CID, "password": valid[0]})
        assert ok.status_code == 200
        stale = next(t for t in tokens if t != valid[0])
        refused = client.post("/api/v1/auth/verify", json={"username": CID, "password": stale})
        assert refused.status_code == 401
