"""Faults under load, on a private PostgreSQL cluster that the test stops and restarts (never
the machine's server): requests during an outage get a clean 503 or a SOAP Fault, the service
recovers by itself within seconds, and nothing is half-written. A server SIGKILLed in the middle
of logins leaves every account and token whole, and a restarted one carries on.

An import SIGKILLed mid-way is tests/integration/rights/test_import_interrupted.py.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.reliability.soak import record_figures, scaled
from tests.support.agents import TestAgent
from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.pgcluster import Cluster
from tests.support.rights import PID, SAMPLE_ROW, store
from tests.support.server import LiveServer, running_server
from tests.support.soap import PATH, XML, request
from ucauth.accounts.models import User
from ucauth.audit.models import AuditEvent
from ucauth.audit.service import Action, Event, Outcome
from ucauth.db import DriverQuery, make_engine
from ucauth.migrations import upgrade
from ucauth.server.database import Database
from ucauth.tokens import protocol
from ucauth.tokens.credentials import log_label
from ucauth.tokens.models import Token

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.timeout(scaled(300, 3600)),  # a hung cluster fails the test, never the CI run
]

STAFF = [cid_for(n) for n in range(1, 7)]
BEFORE, OUTAGE, AFTER = 2.0, scaled(2, 10), scaled(5, 60)  # seconds of the load run's phases
RECOVERY_SECONDS = 2.0  # after PostgreSQL is back, every request must succeed again by then
CYCLES = scaled(2, 10)  # outages in one run: a clean shutdown, then a crash, in turn
KILLS = scaled(1, 10)


@dataclass(frozen=True)
class Answer:
    started: float
    finished: float
    kind: str
    ok: bool
    clean: bool  # a success, a 503 database_unavailable or a SOAP Fault: nothing else
    detail: str


@pytest.fixture
def database(private_postgres: Cluster) -> Iterator[str]:
    with psycopg.connect(private_postgres.url.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute("CREATE DATABASE ucauth")
    url = private_postgres.url.rsplit("/", 1)[0] + "/ucauth"
    upgrade(url)
    yield url


@pytest.fixture
def db_session(database: str) -> Iterator[Session]:
    engine = make_engine(database)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def staffed(session: Session, url: str, origin: str) -> tuple[TestAgent, dict[str, str]]:
    """Seed the staff and a workstation; log everyone in. The agent and each CID's token."""
    store(url, SAMPLE_ROW)
    add_unit(session)
    agent = add_agent(session, origin)
    tokens = {}
    with httpx.Client(base_url=origin) as client:
        for cid in STAFF:
            add_user(session, cid)
            tokens[cid] = agent.token(client, cid)
    return agent, tokens


def _rest(client: httpx.Client, cid: str, tokens: dict[str, str]) -> tuple[bool, bool, str]:
    auth = {"Authorization": f"Bearer {cid}#{tokens[cid]}"}
    response = client.get("/api/ucws/v1/right-search", params={"pid": PID}, headers=auth)
    if response.status_code == 200:
        return True, True, response.headers["X-Request-Id"]
    code = response.json().get("error", {}).get("code")
    clean = response.status_code == 503 and code in ("database_unavailable", "audit_unavailable")
    return False, clean, f"{response.status_code} {code}"


def _soap(client: httpx.Client, cid: str, tokens: dict[str, str]) -> tuple[bool, bool, str]:
    response = client.post(PATH, content=request(tokens[cid], staff=cid), headers=XML)
    if response.status_code == 200 and b"NHSO-000001" in response.content:
        return True, True, response.content.split(b"<wsid>")[1].split(b"<")[0].decode()
    clean = response.status_code == 500 and b"<faultcode>S:Server</faultcode>" in response.content
    return False, clean, f"{response.status_code} {response.content[:200]!r}"


def _login(
    client: httpx.Client, cid: str, tokens: dict[str, str], agent: TestAgent
) -> tuple[bool, bool, str]:
    challenge = client.post("/api/v1/auth/challenge", json={"agent_id": agent.agent_id, "cid": cid})
    if challenge.status_code != 200:
        code = challenge.json()["error"]["code"]
        return False, challenge.status_code == 503 and code == "database_unavailable", code
    nonce = protocol.decode_b64(challenge.json()["nonce"], protocol.NONCE_BYTES, "nonce")
    body = agent.login_body(nonce, cid)
    response = client.post("/api/v1/auth/login", json=body)
    if response.status_code == 200:
        tokens[cid] = response.json()["token"]
        return True, True, "login"
    code = response.json()["error"]["code"]
    return False, response.status_code == 503 and code == "database_unavailable", code


def load(
    server: LiveServer, agent: TestAgent, tokens: dict[str, str], stop: threading.Event
) -> list[Answer]:
    """REST and SOAP lookups by every clerk, and card logins of the last one, until ``stop``."""
    answers: list[Answer] = []

    def worker(n: int) -> None:
        kind = ("rest", "soap", "login")[n % 3] if n < 3 else ("rest", "soap")[n % 2]
        with httpx.Client(base_url=server.url, timeout=30) as client:
            i = 0
            while not stop.is_set():
                cid = STAFF[-1] if kind == "login" else STAFF[(n + i) % (len(STAFF) - 1)]
                started = time.monotonic()
                try:
                    if kind == "rest":
                        ok, clean, detail = _rest(client, cid, tokens)
                    elif kind == "soap":
                        ok, clean, detail = _soap(client, cid, tokens)
                    else:
                        ok, clean, detail = _login(client, cid, tokens, agent)
                except httpx.TransportError as error:
                    ok, clean, detail = False, False, f"transport: {error!r}"
                answers.append(Answer(started, time.monotonic(), kind, ok, clean, detail))
                i += 1

    with ThreadPoolExecutor(6) as pool:
        for future in [pool.submit(worker, n) for n in range(6)]:
            future.result()
    return answers


def whole(session: Session) -> None:
    """Nothing half-written: every login has its token issue recorded and vice versa, and
    every stored token is one whose issue was recorded for its user."""
    session.expire_all()
    issued: dict[str, set[str]] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for event in session.scalars(select(AuditEvent)):
        counts[(event.action, event.outcome)] += 1
        if event.action == Action.TOKEN_ISSUE and event.subject_cid and event.details:
            issued.setdefault(event.subject_cid, set()).add(event.details["token"])
    logins = counts[(Action.LOGIN, Outcome.SUCCESS)]
    assert logins == counts[(Action.TOKEN_ISSUE, Outcome.SUCCESS)] > 0
    stored = session.execute(select(User.cid, Token.token_hmac).join(Token)).all()
    assert stored and all(log_label(digest) in issued.get(cid, set()) for cid, digest in stored)


def test_postgres_restarts_during_a_load_run_get_clean_answers_and_recover(
    private_postgres: Cluster, database: str, db_session: Session, tmp_path: Path
) -> None:
    with running_server(database, tmp_path) as server:
        agent, tokens = staffed(db_session, database, server.url)
        stop = threading.Event()
        restarts: list[tuple[float, float]] = []

        def faults() -> None:
            try:
                time.sleep(BEFORE)
                for cycle in range(CYCLES):
                    down = time.monotonic()
                    private_postgres.stop("immediate" if cycle % 2 else "fast")
                    time.sleep(OUTAGE)
                    private_postgres.start()
                    restarts.append((down, time.monotonic()))
                    time.sleep(AFTER)
            finally:
                stop.set()  # also when a stop or start failed: the load ends, the test fails

        fault_thread = threading.Thread(target=faults)
        fault_thread.start()
        answers = load(server, agent, tokens, stop)
        fault_thread.join()
    assert len(restarts) == CYCLES
    unclean = [a for a in answers if not a.clean]
    assert not unclean, unclean[:5]
    recovered = []
    for (_, up), (next_down, _) in zip(restarts, [*restarts[1:], (float("inf"), 0.0)], strict=True):
        # Answered between recovery and the next outage: each one must have succeeded.
        between = [a for a in answers if up + RECOVERY_SECONDS < a.started < a.finished < next_down]
        assert len(between) > 10, "too few requests between two outages to judge recovery"
        late = [a for a in between if not a.ok]
        assert not late, late[:5]
        first_ok = min(a.started for a in answers if a.started > up and a.ok)
        recovered.append(round(first_ok - up, 2))
    refused = Counter(a.kind for a in answers if not a.ok)
    record_figures(
        "postgres_restart",
        requests=len(answers),
        succeeded=sum(a.ok for a in answers),
        refused_cleanly=dict(refused),
        outage_seconds=OUTAGE,
        restarts=len(restarts),
        recovered_after_seconds=recovered,
    )
    whole(db_session)
    lookups = {a.detail for a in answers if a.ok and a.kind != "login"}
    audited = set(
        db_session.scalars(select(AuditEvent.wsid).where(AuditEvent.action == Action.RIGHTS_LOOKUP))
    )
    assert lookups <= audited


def _one(connection: Connection) -> int:
    return int(connection.execute(text("SELECT 1")).scalar_one())


def test_once_one_connection_finds_postgres_restarted_no_other_fails_later(
    private_postgres: Cluster, database: str
) -> None:
    """Every kind of connection of the server is open and idle when PostgreSQL restarts; the
    first statement afterwards finds out, and then none of the others fails (each used to fail
    once, whenever it was next used: a lookup minutes after recovery could get a 503)."""
    users = DriverQuery(select(User.id).where(User.cid == bindparam("cid")))
    audit = [(datetime.now(UTC), Event("rights_lookup", actor="1101700230705", channel="rest"))]

    async def scenario() -> None:
        db = Database(database, pool_size=2)
        try:
            assert db.read(_one) == await db.run(_one) == 1
            assert await db.fetch(users, {"cid": STAFF[0]}) is None
            await db.store_audit(audit)
            private_postgres.stop("fast")
            private_postgres.start()
            with pytest.raises(OperationalError) as found:
                await db.fetch(users, {"cid": STAFF[0]})
            assert found.value.connection_invalidated
            await db.store_audit(audit)
            assert db.read(_one) == await db.run(_one) == 1
            assert await db.fetch(users, {"cid": STAFF[0]}) is None
        finally:
            await db.dispose()

    asyncio.run(scenario())


def kill_later(pid: int, stop: threading.Event) -> None:
    """SIGKILL the server in the middle of the load, then stop the load."""
    time.sleep(2)
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    stop.set()


def test_a_server_killed_during_logins_and_lookups_leaves_nothing_half_written(
    database: str, db_session: Session, tmp_path: Path
) -> None:
    (tmp_path / "server.log").touch()
    with running_server(database, tmp_path, log_name="first.log") as first:
        agent, tokens = staffed(db_session, database, first.url)
    for kill in range(KILLS):
        with running_server(database, tmp_path, origin=first.url, log_name=f"{kill}.log") as server:
            stop = threading.Event()
            assert server.process is not None
            thread = threading.Thread(target=kill_later, args=(server.process.pid, stop))
            thread.start()
            answers = load(server, agent, tokens, stop)
            thread.join()
        assert any(a.ok for a in answers) and any(a.detail.startswith("transport") for a in answers)
        whole(db_session)
    with running_server(database, tmp_path, origin=first.url, log_name="last.log") as server:
        stop = threading.Event()
        threading.Timer(2, stop.set).start()
        answers = load(server, agent, tokens, stop)
    assert answers and all(a.ok for a in answers), [a for a in answers if not a.ok][:5]
    whole(db_session)
