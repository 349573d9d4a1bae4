"""Web sessions die with their token, and failures are pages, never a stack trace (the app
in-process, with its injected clock; SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.support.factories import ACTOR, add_agent, add_unit, add_user, cid_for
from tests.support.rights import PID, SAMPLE_ROW, audit_refused, store
from tests.support.server import BANGKOK, ORIGIN
from ucauth.accounts import service as accounts
from ucauth.clock import FixedClock

CID = cid_for(1)
LOGON_FORM = 'action="/search/login"'
SEARCH_FORM = 'name="pid"'


@pytest.fixture
def browser_client(app: FastAPI, session: Session) -> Iterator[TestClient]:
    """A client on the server's own origin (its cookies are Secure), logged on as CID."""
    add_unit(session)
    add_user(session, CID)
    agent = add_agent(session, ORIGIN)
    with TestClient(
        app, base_url=ORIGIN, client=("127.0.0.1", 50000), raise_server_exceptions=False
    ) as client:
        token = agent.token(client, CID)
        csrf = _csrf(client.get("/search").text)
        answer = client.post(
            "/search/login",
            data={"username": CID, "password": token, "csrf": csrf},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
        assert token not in cookie
        assert SEARCH_FORM in client.get("/search").text
        yield client


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def test_the_session_dies_at_midnight(browser_client: TestClient, clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 25, 23, 59, 59, tzinfo=BANGKOK))
    assert SEARCH_FORM in browser_client.get("/search").text
    clock.advance(timedelta(seconds=1))
    page = browser_client.get("/search").text
    assert LOGON_FORM in page
    assert SEARCH_FORM not in page


@pytest.mark.parametrize("end", ["revoke", "suspend", "kill_sessions"])
def test_the_session_dies_when_the_account_or_token_is_ended(
    browser_client: TestClient, session: Session, clock: FixedClock, end: str
) -> None:
    now = clock.now()
    if end == "revoke":
        accounts.revoke_user(session, CID, reason="left", actor=ACTOR, now=now)
    elif end == "suspend":
        accounts.suspend_user(session, CID, reason="inquiry", actor=ACTOR, now=now)
    else:
        accounts.kill_sessions(session, CID, actor=ACTOR, now=now)
    assert LOGON_FORM in browser_client.get("/search").text
    csrf = _csrf(browser_client.get("/search").text)
    answer = browser_client.post("/search", data={"pid": PID, "csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/search")


def test_an_unaudited_lookup_is_a_page_saying_so(
    browser_client: TestClient, database_url: str
) -> None:
    store(database_url, SAMPLE_ROW)
    csrf = _csrf(browser_client.get("/search").text)
    with audit_refused(database_url):
        answer = browser_client.post("/search", data={"pid": PID, "csrf": csrf})
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("text/html")
    assert "บันทึกการใช้งานไม่สำเร็จ" in answer.text
    assert "ธนิกุล" not in answer.text


def test_an_unexpected_failure_is_a_page_without_a_stack_trace(
    browser_client: TestClient, session: Session
) -> None:
    csrf = _csrf(browser_client.get("/search").text)
    session.execute(text("DROP TABLE beneficiaries"))
    session.commit()
    answer = browser_client.post("/search", data={"pid": PID, "csrf": csrf})
    assert answer.status_code == 500
    assert "เกิดข้อผิดพลาด" in answer.text
    assert "Traceback" not in answer.text and "beneficiaries" not in answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in answer.headers["content-security-policy"]
