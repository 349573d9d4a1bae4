"""``revoke-inactive`` with an injected clock: the 180-day boundary, never-used and reactivated
accounts, once per slot (also from two runners at once), a killed run rerun, the dry run, the
150-day report, and a revoked account's token refused at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.server import BANGKOK, ORIGIN
from ucauth.accounts.models import User, UserStatus
from ucauth.accounts.service import inactive_by
from ucauth.audit.service import events
from ucauth.clock import FixedClock
from ucauth.jobs import revoke
from ucauth.jobs.models import JobRun, RunStatus, Trigger
from ucauth.jobs.service import JobRunner, list_runs

SLOT = datetime(2026, 11, 25, 12, 30, tzinfo=BANGKOK)
DAYS_180 = timedelta(days=180)


def set_idle(
    session: Session, cid: str, *, last_access: datetime | None, activated: datetime
) -> None:
    session.execute(
        update(User)
        .where(User.cid == cid)
        .values(last_access_at=last_access, activated_at=activated)
    )
    session.commit()


def statuses(session: Session) -> dict[str, UserStatus]:
    session.expire_all()
    return {user.cid: user.status for user in session.scalars(select(User))}


@pytest.fixture
def job_clock() -> FixedClock:
    """Today's 12:30 in Bangkok plus a second."""
    return FixedClock(SLOT + timedelta(seconds=1))


@pytest.fixture
def runner(database_url: str, job_clock: FixedClock) -> Iterator[JobRunner]:
    job_runner = JobRunner(database_url, clock=job_clock, zone=BANGKOK, lock_wait=30)
    yield job_runner
    job_runner.close()


@pytest.fixture
def accounts(session: Session) -> dict[str, str]:
    """Accounts around the boundary, by what they are; each name maps to its CID."""
    add_unit(session)
    long_ago = SLOT - timedelta(days=300)
    cases = {
        "179d23h59m": (SLOT - DAYS_180 + timedelta(minutes=1), long_ago),
        "exactly_180d": (SLOT - DAYS_180, long_ago),
        "180d_1s": (SLOT - DAYS_180 - timedelta(seconds=1), long_ago),
        "180d_1m": (SLOT - DAYS_180 - timedelta(minutes=1), long_ago),
        "never_used_181d": (None, SLOT - timedelta(days=181)),
        "never_used_exactly_180d": (None, SLOT - DAYS_180),
        "never_used_10d": (None, SLOT - timedelta(days=10)),
        "reactivated_10d": (long_ago, SLOT - timedelta(days=10)),
    }
    cids = {}
    for number, (name, (last_access, activated)) in enumerate(cases.items(), start=1):
        cids[name] = cid_for(number)
        add_user(session, cids[name])
        set_idle(session, cids[name], last_access=last_access, activated=activated)
    cids["already_revoked"] = cid_for(99)
    add_user(session, cids["already_revoked"], status=UserStatus.REVOKED)
    return cids


DUE = {"180d_1s", "180d_1m", "never_used_181d"}


def test_revokes_exactly_the_accounts_idle_for_more_than_180_days(
    runner: JobRunner, job_clock: FixedClock, accounts: dict[str, str], session: Session
) -> None:
    run = runner.run_due(revoke.NAME)
    assert run is not None
    assert (run.status, run.trigger, run.attempts) == (RunStatus.SUCCEEDED, Trigger.SCHEDULED, 1)
    assert run.scheduled_for == SLOT
    assert run.counts == {"revoked": 3, "tokens": 0}
    now = statuses(session)
    revoked = {name for name, cid in accounts.items() if now[cid] == UserStatus.REVOKED}
    assert revoked == DUE | {"already_revoked"}
    user = session.scalar(select(User).where(User.cid == accounts["180d_1s"]))
    assert user is not None and user.revoked_at == runner.clock.now()
    assert user.revoked_reason == "ไม่ได้ใช้งานเกิน 180 วัน / inactive for more than 180 days"
    [event] = events(session, subject_cid=accounts["never_used_181d"], actions=["user_revoke"])
    assert (event.actor, event.reason) == ("job:revoke-inactive", "inactive")
    assert event.details is not None and event.details["run"] == run.id

    assert runner.run_due(revoke.NAME) is None  # the second run of the day changes nothing
    assert len(list_runs(session)) == 1
    job_clock.advance(timedelta(days=1))
    tomorrow = runner.run_due(revoke.NAME)
    assert tomorrow is not None and tomorrow.counts == {"revoked": 3, "tokens": 0}
    now = statuses(session)
    kept = {name for name, cid in accounts.items() if now[cid] == UserStatus.ACTIVE}
    assert kept == {"never_used_10d", "reactivated_10d"}
    assert len(events(session, actions=["user_revoke"], actor="job:revoke-inactive")) == 6


def test_before_half_past_noon_the_run_is_yesterdays(
    database_url: str, accounts: dict[str, str], session: Session
) -> None:
    morning = JobRunner(database_url, clock=FixedClock(SLOT - timedelta(seconds=1)), zone=BANGKOK)
    run = morning.run_due(revoke.NAME)
    morning.close()
    assert run is not None and run.scheduled_for == SLOT - timedelta(days=1)
    # As of yesterday's 12:30, the longest idle (181 days today) had been idle exactly 180.
    assert run.counts == {"revoked": 0, "tokens": 0}


def test_dry_run_changes_nothing_and_the_report_warns_at_150_days(
    runner: JobRunner, job_clock: FixedClock, accounts: dict[str, str], session: Session
) -> None:
    before = statuses(session)
    job_clock.set(SLOT)  # manual runs decide as of now
    run = runner.run_now(revoke.NAME, dry_run=True)
    assert (run.dry_run, run.trigger, run.counts) == (True, Trigger.MANUAL, {"due": 3})
    assert statuses(session) == before
    due = revoke.inactive_accounts(session, at=SLOT, inactive_for=revoke.INACTIVITY, zone=BANGKOK)
    assert {a.cid for a in due} == {accounts[name] for name in DUE}
    # The console's forecast (accounts.inactive_by) agrees with the job.
    assert {u.cid for u in inactive_by(session, SLOT)} == {accounts[name] for name in DUE}
    warned = revoke.inactive_accounts(session, at=SLOT, zone=BANGKOK)
    assert {a.cid for a in warned} == {
        cid
        for name, cid in accounts.items()
        if name not in ("never_used_10d", "reactivated_10d", "already_revoked")
    }
    first = warned[0]  # the longest idle first
    assert first.cid == accounts["never_used_181d"] and first.days_inactive(SLOT) == 181
    edge = next(a for a in warned if a.cid == accounts["179d23h59m"])
    assert edge.revocation_due == SLOT + timedelta(days=1)
    assert revoke.inactive_accounts(session, at=SLOT, zone=BANGKOK, regions=frozenset({1})) == []


def test_a_revoked_accounts_token_is_refused_at_once(
    client: TestClient, session: Session, clock: FixedClock, database_url: str
) -> None:
    add_unit(session)
    cid = cid_for(1)
    add_user(session, cid)
    agent = add_agent(session, ORIGIN)
    token = agent.token(client, cid)
    verify = {"username": cid, "password": token}
    assert client.post("/api/v1/auth/verify", json=verify).status_code == 200
    set_idle(
        session,
        cid,
        last_access=clock.now() - timedelta(days=200),
        activated=clock.now() - timedelta(days=300),
    )
    job_runner = JobRunner(database_url, clock=clock, zone=BANGKOK)
    run = job_runner.run_now(revoke.NAME)
    job_runner.close()
    assert run.counts == {"revoked": 1, "tokens": 1}
    refused = client.post("/api/v1/auth/verify", json=verify)
    assert refused.status_code == 401
    [token_event] = events(session, subject_cid=cid, actions=["token_revoke"])
    assert (token_event.reason, token_event.actor) == ("revoked", "job:revoke-inactive")


def test_two_runners_at_once_run_the_slot_once(database_url: str, session: Session) -> None:
    add_unit(session)
    for number in range(60):
        add_user(session, cid_for(number))
    session.execute(update(User).values(activated_at=SLOT - timedelta(days=400)))
    session.commit()
    runners = [
        JobRunner(database_url, clock=FixedClock(SLOT), zone=BANGKOK, batch_size=7, lock_wait=60)
        for _ in range(2)
    ]
    start = threading.Barrier(2)
    results: list[JobRun | None] = []

    def run(job_runner: JobRunner) -> None:
        start.wait()
        results.append(job_runner.run_due(revoke.NAME))

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for job_runner in runners:
        job_runner.close()
    done = [result for result in results if result is not None]
    assert len(results) == 2 and len(done) == 1
    assert done[0].counts == {"revoked": 60, "tokens": 0}
    assert len(list_runs(session)) == 1
    assert len(events(session, actions=["user_revoke"], limit=None)) == 60


KILLED_RUN = """
import os, signal, sys
from datetime import datetime
from ucauth.clock import FixedClock
from ucauth.jobs.service import JobRunner
from zoneinfo import ZoneInfo

runner = JobRunner(sys.argv[1], clock=FixedClock(datetime.fromisoformat(sys.argv[2])),
                   zone=ZoneInfo("Asia/Bangkok"), batch_size=4)
runner.run_due("revoke-inactive", on_batch=lambda counts: os.kill(os.getpid(), signal.SIGKILL))
"""


def test_a_killed_run_is_taken_over_and_finishes_with_the_same_result(
    runner: JobRunner, database_url: str, session: Session
) -> None:
    add_unit(session)
    for number in range(10):
        add_user(session, cid_for(number))
    session.execute(update(User).values(activated_at=SLOT - timedelta(days=400)))
    session.commit()
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(KILLED_RUN),
            database_url,
            runner.clock.now().isoformat(),
        ],
        env={**os.environ},
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    [left] = list_runs(session)
    assert (left.status, left.attempts, left.counts) == (
        RunStatus.RUNNING,
        1,
        {"revoked": 4, "tokens": 0},
    )
    assert list(statuses(session).values()).count(UserStatus.REVOKED) == 4

    run = runner.run_due(revoke.NAME)
    assert run is not None and run.id == left.id
    assert (run.status, run.attempts, run.counts) == (
        RunStatus.SUCCEEDED,
        2,
        {"revoked": 10, "tokens": 0},
    )
    assert set(statuses(session).values()) == {UserStatus.REVOKED}
    assert len(events(session, actions=["user_revoke"], limit=None)) == 10
