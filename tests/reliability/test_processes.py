"""Several ``ucauth server`` processes on one PostgreSQL, as behind a load balancer: a login on
one voids the previous token on the other at once; concurrent logins of one user over both leave
exactly one valid token; every lookup sent to either has its audit row; the daily jobs (the
12:30 revocation of idle accounts) run once, however many processes start together."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.reliability.soak import record_figures, scaled
from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.rights import PID, SAMPLE_ROW, store
from tests.support.server import TOKEN_KEY, LiveServer
from tests.support.soap import PATH, XML, request
from ucauth.accounts.models import User, UserStatus
from ucauth.audit.models import AuditEvent
from ucauth.audit.service import Action
from ucauth.jobs import purge, revoke
from ucauth.jobs.models import RunStatus
from ucauth.jobs.service import list_runs
from ucauth.tokens.credentials import token_hmac
from ucauth.tokens.models import Token

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

STAFF = [cid_for(n) for n in range(1, 9)]
LOGINS = scaled(50, 500)
LOOKUPS = scaled(400, 20_000)

REST = "/api/ucws/v1/right-search"
Servers = Callable[..., list[LiveServer]]


def verify(server: LiveServer, cid: str, token: str) -> int:
    response = httpx.post(
        f"{server.url}/api/v1/auth/verify", json={"username": cid, "password": token}
    )
    return response.status_code


def test_a_login_on_one_process_voids_the_token_on_the_other_at_once(
    live_servers: Servers, session: Session, database_url: str
) -> None:
    a, b = live_servers(2)
    store(database_url, SAMPLE_ROW)
    add_unit(session)
    add_user(session, STAFF[0])
    agent = add_agent(session, a.origin)
    with httpx.Client(base_url=a.url) as on_a, httpx.Client(base_url=b.url) as on_b:
        first = agent.token(on_a, STAFF[0])
        assert verify(b, STAFF[0], first) == 200
        second = agent.token(on_b, STAFF[0])
        # The very next requests, on the process that issued the first token:
        assert verify(a, STAFF[0], first) == 401
        assert b"NHSO-00003" in on_a.post(PATH, content=request(first), headers=XML).content
        assert verify(a, STAFF[0], second) == 200
        assert b"NHSO-000001" in on_a.post(PATH, content=request(second), headers=XML).content


def test_concurrent_logins_of_one_user_over_both_leave_exactly_one_valid_token(
    live_servers: Servers, session: Session
) -> None:
    servers = live_servers(2)
    add_unit(session)
    add_user(session, STAFF[0])
    agents = [add_agent(session, servers[0].origin, seed=n, name=f"ws-{n}") for n in range(5)]

    def log_in(n: int) -> str:
        with httpx.Client(base_url=servers[n % 2].url, timeout=60) as client:
            return agents[n % len(agents)].token(client, STAFF[0])

    with ThreadPoolExecutor(LOGINS) as pool:
        tokens = list(pool.map(log_in, range(LOGINS)))
    assert len(set(tokens)) == LOGINS
    stored = session.scalars(select(Token.token_hmac)).all()
    valid = [t for t in tokens if [token_hmac(TOKEN_KEY.encode(), t)] == stored]
    assert len(valid) == 1
    stale = [t for t in tokens if t != valid[0]][:4]  # the fifth failure would start throttling
    assert [verify(server, STAFF[0], valid[0]) for server in servers] == [200, 200]
    assert [verify(servers[n % 2], STAFF[0], t) for n, t in enumerate(stale)] == [401] * 4
    session.expire_all()
    rows = session.execute(
        select(AuditEvent.action, AuditEvent.reason).where(AuditEvent.subject_cid == STAFF[0])
    )
    audited = Counter((action, reason) for action, reason in rows)
    assert audited[(Action.LOGIN, None)] == LOGINS
    assert audited[(Action.TOKEN_ISSUE, None)] == LOGINS
    assert audited[(Action.TOKEN_REVOKE, "superseded")] == LOGINS - 1


def test_every_lookup_sent_to_either_process_has_its_audit_row(
    live_servers: Servers, session: Session, database_url: str
) -> None:
    servers = live_servers(2)
    store(database_url, SAMPLE_ROW)
    add_unit(session)
    agent = add_agent(session, servers[0].origin)
    tokens = {}
    with httpx.Client(base_url=servers[0].url) as client:
        for cid in STAFF:
            add_user(session, cid)
            tokens[cid] = agent.token(client, cid)
    plan = list(
        itertools.islice(
            itertools.cycle(itertools.product(servers, STAFF, ("rest", "soap"))), LOOKUPS
        )
    )

    def look_up(step: tuple[LiveServer, str, str]) -> str:
        server, cid, channel = step
        with httpx.Client(base_url=server.url, timeout=60) as client:
            if channel == "rest":
                auth = {"Authorization": f"Bearer {cid}#{tokens[cid]}"}
                response = client.get(
                    "/api/ucws/v1/right-search", params={"pid": PID}, headers=auth
                )
                assert response.status_code == 200, response.text
                return response.headers["X-Request-Id"]
            response = client.post(PATH, content=request(tokens[cid], staff=cid), headers=XML)
            assert b"NHSO-000001" in response.content, response.content
            return response.content.split(b"<wsid>")[1].split(b"<")[0].decode()

    with ThreadPoolExecutor(16) as pool:
        wsids = list(pool.map(look_up, plan))
    assert len(set(wsids)) == LOOKUPS
    session.expire_all()
    audited = session.scalars(
        select(AuditEvent.wsid).where(AuditEvent.action == Action.RIGHTS_LOOKUP)
    ).all()
    assert Counter(audited) == Counter(wsids)
    record_figures("processes_audit", lookups_sent=LOOKUPS, audit_rows=len(audited), servers=2)


def test_the_daily_jobs_run_once_when_three_processes_start_together(
    live_servers: Servers, session: Session
) -> None:
    add_unit(session)
    idle, active = cid_for(90), cid_for(91)
    add_user(session, idle)
    add_user(session, active)
    now = datetime.now(UTC)
    session.execute(update(User).where(User.cid == idle).values(activated_at=now - timedelta(200)))
    session.execute(update(User).where(User.cid == active).values(activated_at=now))
    session.commit()
    live_servers(3, UCAUTH_JOBS_ENABLED="true")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        session.expire_all()
        runs = list_runs(session)
        if len(runs) >= 2 and all(run.status != RunStatus.RUNNING for run in runs):
            break
        time.sleep(0.2)
    time.sleep(2)  # a second run would have started by now
    session.expire_all()
    runs = list_runs(session)
    assert sorted(run.job for run in runs) == sorted([revoke.NAME, purge.NAME])
    assert all(run.status == RunStatus.SUCCEEDED for run in runs), runs
    revoked = session.scalars(
        select(AuditEvent.subject_cid).where(AuditEvent.action == Action.USER_REVOKE)
    ).all()
    assert revoked == [idle]
    assert session.scalar(select(User.status).where(User.cid == active)) == UserStatus.ACTIVE
