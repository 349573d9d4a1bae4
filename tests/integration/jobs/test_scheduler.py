"""The scheduler inside the server: catch-up at start-up, a clean shutdown, ``purge-tokens``."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.server import BANGKOK, ORIGIN, START, free_port, start_server, stop_process
from ucauth.accounts.models import User, UserStatus
from ucauth.audit.service import events
from ucauth.clock import FixedClock
from ucauth.db import make_engine
from ucauth.jobs import purge, revoke
from ucauth.jobs.models import JobRun, RunStatus
from ucauth.jobs.service import JobRunner, list_runs
from ucauth.server.app import create_app
from ucauth.settings import ServerSettings
from ucauth.tokens.models import Token, UsedNonce


def wait_for_runs(session: Session, count: int) -> list[JobRun]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        session.expire_all()
        runs = [r for r in list_runs(session) if r.status != RunStatus.RUNNING]
        if len(runs) >= count:
            return runs
        time.sleep(0.1)
    raise AssertionError(f"expected {count} finished runs, have {list_runs(session)}")


def test_missed_runs_are_caught_up_at_start_and_the_thread_stops_with_the_server(
    server_settings: ServerSettings, clock: FixedClock, session: Session
) -> None:
    add_unit(session)
    idle = cid_for(1)
    add_user(session, idle)
    session.execute(update(User).values(activated_at=START - timedelta(days=200)))
    session.commit()
    before = set(threading.enumerate())
    app = create_app(server_settings.model_copy(update={"jobs_enabled": True}), clock=clock)
    with TestClient(app):
        runs = wait_for_runs(session, 2)
    assert set(threading.enumerate()) <= before  # the scheduler's threads are gone
    by_job = {run.job: run for run in runs}
    # 10:00 in Bangkok: the latest 12:30 was yesterday's, the latest 00:00 today's.
    assert by_job[revoke.NAME].scheduled_for == START.replace(hour=12, minute=30) - timedelta(1)
    assert by_job[purge.NAME].scheduled_for == START.replace(hour=0)
    assert by_job[revoke.NAME].counts == {"revoked": 1, "tokens": 0}
    session.expire_all()
    assert session.scalar(select(User.status).where(User.cid == idle)) == UserStatus.REVOKED

    with TestClient(
        create_app(server_settings.model_copy(update={"jobs_enabled": True}), clock=clock)
    ):
        time.sleep(1)  # a second start-up finds both slots done
    assert len(list_runs(session)) == 2


def test_purge_tokens_deletes_what_expired(
    client: TestClient, session: Session, clock: FixedClock, database_url: str
) -> None:
    add_unit(session)
    add_user(session, cid_for(1))
    add_user(session, cid_for(2))
    agent = add_agent(session, ORIGIN)
    agent.token(client, cid_for(1))  # dies at midnight; so does its used nonce, long before
    clock.advance(timedelta(hours=14))  # 00:00 tomorrow in Bangkok
    agent.token(client, cid_for(2))  # alive until the next midnight; its nonce for 5 minutes
    runner = JobRunner(database_url, clock=clock, zone=BANGKOK)
    dry = runner.run_now(purge.NAME, dry_run=True)
    assert dry.counts == {"tokens": 1, "nonces": 1}
    run = runner.run_due(purge.NAME)
    runner.close()
    assert run is not None and run.scheduled_for == clock.now()
    assert run.counts is not None and (run.counts["tokens"], run.counts["nonces"]) == (1, 1)
    session.expire_all()
    assert session.scalars(select(Token.user_id)).all() == [2]
    assert len(session.scalars(select(UsedNonce.nonce)).all()) == 1


@pytest.mark.postgres
def test_two_server_processes_on_one_postgresql_run_each_slot_once(
    postgres_url: str, tmp_path: Path
) -> None:
    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as session:
        add_unit(session)
        for number in range(30):
            add_user(session, cid_for(number))
        long_ago = datetime.now(UTC) - timedelta(days=200)
        session.execute(update(User).values(activated_at=long_ago))
        session.commit()
        servers = [
            start_server(
                postgres_url,
                tmp_path / name,
                free_port(),
                tmp_path / f"{name}.log",
                UCAUTH_JOBS_ENABLED="true",
            )
            for name in ("a", "b")
        ]
        try:
            runs = wait_for_runs(session, 2)
            time.sleep(1)  # time for a duplicate, were there one
            session.expire_all()
            assert len(list_runs(session)) == 2
        finally:
            for server in servers:
                stop_process(server)
        assert {run.job: run.counts for run in runs}[revoke.NAME] == {"revoked": 30, "tokens": 0}
        assert len(events(session, actions=["user_revoke"], limit=None)) == 30
    engine.dispose()
