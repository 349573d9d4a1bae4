"""The agent service's state machine: in-process virtual cards (through the real card monitor)
and the in-process server app; the steps as ``GET /api/status`` shows them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.agent import (
    CLERK_CID,
    CLERK_PIN,
    PAGE_ORIGIN,
    READER,
    VirtualReaders,
    enrol,
    page_login,
    status_steps,
)
from tests.support.factories import add_user
from tests.support.pcsc import as_card
from tests.support.server import BANGKOK, ORIGIN, START
from ucauth.accounts import service as accounts
from ucauth.accounts.models import UserStatus
from ucauth.agent.app import create_agent_app
from ucauth.agent.server import ServerClient
from ucauth.agent.settings import AgentSettings
from ucauth.card.errors import CardRemovedError
from ucauth.card.pin import PIN_LENGTH
from ucauth.card.virtual.card import VirtualThaiIdCard
from ucauth.card.virtual.profile import load_named_profile
from ucauth.clock import FixedClock
from ucauth.thaidate import THAI_MONTHS

Wait = Callable[..., None]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The agent does not care which database the server uses."""
    return sqlite_url


def step(client: TestClient, name: str) -> dict[str, Any]:
    return status_steps(client)[name]


def login(client: TestClient, pin: str = CLERK_PIN) -> dict[str, Any]:
    """The answer's body, with its HTTP status as ``status``."""
    response = page_login(client, pin)
    body: dict[str, Any] = response.json()
    body["status"] = response.status_code
    return body


def verify(server: TestClient, cid: str, token: str) -> int:
    response = server.post("/api/v1/auth/verify", json={"username": cid, "password": token})
    status: int = response.status_code
    return status


def insert_ready(client: TestClient, readers: VirtualReaders, wait_for: Wait, card: str = "normal"):
    readers.insert(as_card(card))
    wait_for(lambda: step(client, "account")["state"] in ("ok", "error"))


def test_steps_follow_the_card_and_the_login(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait
) -> None:
    wait_for(lambda: step(agent_client, "card")["code"] == "no_card")
    now = status_steps(agent_client)
    assert now["reader"]["state"] == "ok" and now["reader"]["detail"]["reader"] == READER
    assert now["card"]["state"] == "waiting"
    assert now["account"]["state"] == "unknown" and now["pin"]["state"] == "unknown"

    insert_ready(agent_client, virtual_readers, wait_for)
    now = status_steps(agent_client)
    assert [now[s]["state"] for s in ("reader", "card", "server", "account")] == ["ok"] * 4
    assert now["card"]["detail"]["cid"] == CLERK_CID
    assert now["pin"]["code"] == "pin_needed"

    session = login(agent_client)
    assert session["status"] == 200 and session["username"] == CLERK_CID
    assert agent_client.get("/api/token").json()["token"] == session["token"]
    status = agent_client.get("/api/status").json()
    assert status["session"]["token"] == session["token"]
    assert status["steps"][4]["code"] == "logged_in"
    expires = status["steps"][4]["message"]  # Thai by default: a Thai date, at midnight
    assert any(month in expires for month in THAI_MONTHS) and expires.endswith("00:00")

    virtual_readers.remove()  # the clerk takes the card out: the session stays (R2, R3)
    wait_for(lambda: step(agent_client, "card")["code"] == "no_card")
    assert step(agent_client, "card")["detail"] == {}  # the holder's data is forgotten
    assert step(agent_client, "pin")["code"] == "logged_in"
    assert agent_client.get("/api/token").status_code == 200


def test_second_login_kills_the_first_token(
    agent_client: TestClient,
    agent_server: TestClient,
    virtual_readers: VirtualReaders,
    wait_for: Wait,
) -> None:
    insert_ready(agent_client, virtual_readers, wait_for)
    first = login(agent_client)
    second = login(agent_client)
    assert verify(agent_server, CLERK_CID, str(second["token"])) == 200
    assert verify(agent_server, CLERK_CID, str(first["token"])) == 401


def test_wrong_pin_shows_tries_left_and_gives_no_token(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait
) -> None:
    insert_ready(agent_client, virtual_readers, wait_for)
    answer = login(agent_client, "0000")
    assert answer["status"] == 401
    assert answer["error"] == {
        "code": "invalid_pin",
        "message": "รหัส PIN ไม่ถูกต้อง เหลือโอกาสอีก 2 ครั้ง ก่อนบัตรจะถูกล็อก",
        "tries_left": 2,
    }
    pin = step(agent_client, "pin")
    assert pin["state"] == "error" and pin["detail"] == {"tries_left": 2}
    assert "2 tries left" in str(pin["message"])
    assert agent_client.get("/api/token").status_code == 404
    assert login(agent_client, "12")["error"]["code"] == "pin_format"
    assert step(agent_client, "pin")["detail"] == {"tries_left": 2}  # nothing sent to the card


def test_blocked_pin_gives_no_token(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait
) -> None:
    insert_ready(agent_client, virtual_readers, wait_for, "pin_blocked")
    answer = login(agent_client, load_named_profile("pin_blocked").pin)
    assert answer["status"] == 403 and answer["error"]["code"] == "pin_blocked"
    assert "civil registration office" in str(step(agent_client, "pin")["message"])
    assert agent_client.get("/api/token").status_code == 404


def test_expired_card(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait, session: Session
) -> None:
    add_user(session, load_named_profile("expired").cid)
    virtual_readers.insert(as_card("expired"))
    wait_for(lambda: step(agent_client, "card")["state"] == "error")
    card = step(agent_client, "card")
    assert card["code"] == "card_expired" and card["detail"]["expiry_date"] == "2021-01-01"
    assert "(2021-01-01)" in card["message"]
    assert "(1 มกราคม 2564)" in status_steps(agent_client, "th")["card"]["message"]
    assert step(agent_client, "pin")["state"] == "unknown"
    answer = login(agent_client, load_named_profile("expired").pin)
    assert answer["status"] == 403 and answer["error"]["code"] == "card_expired"


@pytest.mark.parametrize(
    ("status", "code", "words"),
    [
        (None, "account_not_registered", "https://ucauth.test/access-request"),
        (UserStatus.PENDING, "account_pending", "regional office"),
        (UserStatus.REVOKED, "account_revoked", "180 days"),
        (UserStatus.SUSPENDED, "account_suspended", "regional office"),
    ],
)
def test_account_status_before_the_pin(
    agent_client: TestClient,
    virtual_readers: VirtualReaders,
    wait_for: Wait,
    session: Session,
    status: UserStatus | None,
    code: str,
    words: str,
) -> None:
    profile = load_named_profile("lifetime")
    if status is not None:
        add_user(session, profile.cid, status=status)
    insert_ready(agent_client, virtual_readers, wait_for, "lifetime")
    account = step(agent_client, "account")
    assert (account["state"], account["code"]) == ("error", code)
    assert words in str(account["message"])
    if code == "account_not_registered":
        assert account["detail"]["access_request_url"] == "https://ucauth.test/access-request"
    if code == "account_revoked":
        assert account["detail"]["revoked_at"]
    answer = login(agent_client, profile.pin)
    assert answer["status"] == 403 and answer["error"]["code"] == code


def test_pcsc_service_lost_and_back(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait
) -> None:
    insert_ready(agent_client, virtual_readers, wait_for)
    virtual_readers.stop_service()
    wait_for(lambda: step(agent_client, "reader")["code"] == "pcsc_unavailable")
    assert "pcscd" in str(step(agent_client, "reader")["message"])
    assert login(agent_client)["status"] == 503
    virtual_readers.start_service()
    wait_for(lambda: step(agent_client, "account")["state"] == "ok")  # the card is read again
    assert login(agent_client)["status"] == 200


def test_reader_unplugged_and_plugged_back(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait
) -> None:
    card = as_card("normal")
    virtual_readers.insert(card)
    wait_for(lambda: step(agent_client, "card")["state"] == "ok")
    virtual_readers.unplug()
    wait_for(lambda: step(agent_client, "reader")["code"] == "no_reader")
    assert step(agent_client, "card")["state"] == "unknown"
    virtual_readers.plug()
    virtual_readers.insert(card)
    wait_for(lambda: step(agent_client, "pin")["code"] == "pin_needed")


def test_not_enrolled_then_enrolled_while_running(
    tmp_path: Path,
    agent_server: TestClient,
    session: Session,
    clock: FixedClock,
    virtual_readers: VirtualReaders,
    wait_for: Wait,
) -> None:
    settings = AgentSettings(data_dir=tmp_path / "fresh", port=8189)
    service = virtual_readers.agent(settings, clock, agent_server)
    with TestClient(create_agent_app(service), base_url=PAGE_ORIGIN) as client:
        virtual_readers.insert(as_card("normal"))
        wait_for(lambda: step(client, "card")["state"] == "ok")
        server = step(client, "server")
        assert (server["state"], server["code"]) == ("error", "agent_not_enrolled")
        assert "ucauth agent enroll" in str(server["message"])
        assert step(client, "account")["state"] == "unknown"
        status = client.get("/api/status").json()
        assert status["enrolled"] is False and status["search_url"] is None
        answer = login(client)
        assert answer["status"] == 403 and answer["error"]["code"] == "agent_not_enrolled"

        enrol(session, ServerClient(ORIGIN, http=agent_server), settings.data_dir, clock.now())
        wait_for(lambda: step(client, "pin")["code"] == "pin_needed")  # no restart needed
        assert client.get("/api/status").json()["search_url"] == f"{ORIGIN}/search"
        assert login(client)["status"] == 200


def test_session_ends_at_midnight(
    agent_client: TestClient,
    virtual_readers: VirtualReaders,
    wait_for: Wait,
    clock: FixedClock,
) -> None:
    insert_ready(agent_client, virtual_readers, wait_for)
    session = login(agent_client)
    assert session["expires_at"] == "2026-11-25T17:00:00Z"  # 00:00 in Bangkok
    clock.set(datetime(2026, 11, 26, 0, 0, tzinfo=BANGKOK))
    assert agent_client.get("/api/token").json()["error"]["code"] == "not_logged_in"
    status = agent_client.get("/api/status", params={"lang": "en"}).json()
    assert status["session"] is None
    assert status["steps"][4]["code"] == "session_expired"
    assert "midnight" in status["steps"][4]["message"]
    clock.advance(timedelta(hours=8))
    assert login(agent_client)["status"] == 200


def test_session_ended_on_the_server(
    agent_client: TestClient,
    agent_server: TestClient,
    virtual_readers: VirtualReaders,
    wait_for: Wait,
) -> None:
    insert_ready(agent_client, virtual_readers, wait_for)
    token = login(agent_client)["token"]
    ended = agent_server.post(
        "/api/v1/auth/logout", headers={"Authorization": f"Bearer {CLERK_CID}#{token}"}
    )
    assert ended.status_code == 204  # e.g. an administrator's kill-sessions
    wait_for(lambda: step(agent_client, "pin")["code"] == "session_ended")
    assert "no longer valid" in str(step(agent_client, "pin")["message"])
    assert agent_client.get("/api/token").status_code == 404
    assert login(agent_client)["status"] == 200


def test_account_revoked_after_step_4(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait, session: Session
) -> None:
    insert_ready(agent_client, virtual_readers, wait_for)
    accounts.revoke_user(session, CLERK_CID, reason="inactive", actor="cli:test", now=START)
    answer = login(agent_client)
    assert answer["status"] == 403 and answer["error"]["code"] == "account_revoked"
    assert step(agent_client, "account")["code"] == "account_revoked"
    assert step(agent_client, "pin")["state"] == "unknown"


def test_concurrent_login_gets_409(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait
) -> None:
    card = SlowCard(load_named_profile("normal"))
    virtual_readers.insert(card)
    wait_for(lambda: step(agent_client, "pin")["code"] == "pin_needed")
    card.hold.clear()
    first: dict[str, Any] = {}
    racer = threading.Thread(target=lambda: first.update(login(agent_client)))
    racer.start()
    assert card.entered.wait(5)
    second = login(agent_client)
    assert second["status"] == 409 and second["error"]["code"] == "login_in_progress"
    assert agent_client.get("/api/status").json()["login_in_progress"] is True
    card.hold.set()
    racer.join(10)
    assert first["status"] == 200


class SlowCard(VirtualThaiIdCard):
    """A card that stops at the PIN command until the test lets it go."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.hold = threading.Event()
        self.hold.set()
        self.entered = threading.Event()

    def process(self, apdu: bytes) -> bytes:
        if apdu[1] == 0x20 and len(apdu) > PIN_LENGTH:  # VERIFY
            self.entered.set()
            self.hold.wait(10)
        return super().process(apdu)


class PulledCard(VirtualThaiIdCard):
    """A card taken out of its reader at its ``after``-th command (as the reader reports it)."""

    def __init__(self, readers: VirtualReaders, after: int) -> None:
        super().__init__(load_named_profile("normal"))
        self.readers, self.after, self.commands = readers, after, 0

    def process(self, apdu: bytes) -> bytes:
        self.commands += 1
        if self.commands == self.after:
            self.readers.remove()
            raise CardRemovedError()
        return super().process(apdu)


@pytest.mark.parametrize("after", [2, 6])
def test_card_pulled_in_the_middle_of_a_read(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait, after: int
) -> None:
    virtual_readers.insert(PulledCard(virtual_readers, after))
    wait_for(lambda: step(agent_client, "card")["code"] == "no_card")
    virtual_readers.insert(as_card("normal"))
    wait_for(lambda: step(agent_client, "pin")["code"] == "pin_needed")


def test_card_pulled_during_the_login(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait
) -> None:
    card = PulledCard(virtual_readers, after=10**6)
    virtual_readers.insert(card)
    wait_for(lambda: step(agent_client, "pin")["code"] == "pin_needed")
    card.after = card.commands + 5  # during the login's read
    answer = login(agent_client)
    assert answer["status"] == 409 and answer["error"]["code"] == "card_removed"
    assert agent_client.get("/api/token").status_code == 404


def test_a_card_left_in_another_reader_is_taken_up(
    tmp_path: Path, agent_server: TestClient, session: Session, clock: FixedClock, wait_for: Wait
) -> None:
    readers = VirtualReaders("Reader A", "Reader B")
    settings = AgentSettings(data_dir=tmp_path / "two", port=8189)
    enrol(session, ServerClient(ORIGIN, http=agent_server), settings.data_dir, clock.now())
    service = readers.agent(settings, clock, agent_server)
    with TestClient(create_agent_app(service), base_url=PAGE_ORIGIN) as client:
        readers.insert(as_card("lifetime"), "Reader A")
        wait_for(lambda: step(client, "card")["state"] == "ok")
        readers.insert(as_card("normal"), "Reader B")
        readers.remove("Reader A")
        wait_for(lambda: step(client, "card")["detail"].get("cid") == CLERK_CID)
        assert step(client, "reader")["detail"]["reader"] == "Reader B"
        assert login(client)["status"] == 200
