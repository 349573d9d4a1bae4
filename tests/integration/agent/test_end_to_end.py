"""End to end through pcscd + vpcd and a real server process (issue 3, agent side; issue 5).

``ucauth agent enroll`` / ``login --pin-stdin`` / ``logout`` as commands, and ``ucauth agent
run`` as a process that survives pcscd restarts, card removal and the server going away.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from tests.support.agent import (
    CLERK_CID,
    CLERK_PIN,
    LiveAgent,
    agent_env,
    enrol_live,
    page_login,
    run_ucauth,
    start_agent,
    status_steps,
    verify_live,
    wait_for_step,
    wait_until,
)
from tests.support.pcsc import AttachCard
from tests.support.server import LiveServer, free_port, start_server, stop_process
from ucauth.card.virtual.pcscd import PrivatePcscd
from ucauth.card.virtual.profile import load_named_profile
from ucauth.client import Credentials, agent_token

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(180)]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The server's database is not what these tests are about."""
    return sqlite_url


def test_commands_enrol_login_and_logout(
    live_server: LiveServer,
    session: Session,
    pcscd: PrivatePcscd,
    attach_card: AttachCard,
    tmp_path: Path,
) -> None:
    env = agent_env(tmp_path / "agent", free_port())
    enrol_live(live_server, session, env)
    attach_card("normal")

    first = run_ucauth(env, "agent", "login", "--pin-stdin", stdin=f"{CLERK_PIN}\n")
    assert first.returncode == 0, first.stderr
    token = json.loads(first.stdout)
    assert token["username"] == CLERK_CID and len(token["token"]) == 16
    assert verify_live(live_server, CLERK_CID, token["token"]) == 200

    second = run_ucauth(env, "agent", "login", "--pin-stdin", stdin=CLERK_PIN)
    assert second.returncode == 0, second.stderr
    assert verify_live(live_server, CLERK_CID, json.loads(second.stdout)["token"]) == 200
    assert verify_live(live_server, CLERK_CID, token["token"]) == 401  # refused at once (R3)

    wrong = run_ucauth(env, "agent", "login", "--pin-stdin", stdin="0000\n")
    assert wrong.returncode == 15 and wrong.stdout == ""
    assert "2 tries left" in wrong.stderr
    session_file = tmp_path / "agent" / "session.json"
    assert json.loads(session_file.read_text())["token"] == json.loads(second.stdout)["token"]

    assert run_ucauth(env, "agent", "logout").returncode == 0
    assert verify_live(live_server, CLERK_CID, json.loads(second.stdout)["token"]) == 401
    assert run_ucauth(env, "agent", "logout").returncode == 37  # nobody logged in

    attach_card("pin_blocked", slot=1)
    blocked = run_ucauth(
        env, "agent", "login", "--pin-stdin", "--reader", pcscd.reader(1), stdin="9999"
    )
    assert blocked.returncode == 16 and blocked.stdout == ""
    assert "civil registration office" in blocked.stderr
    assert not session_file.exists()  # logged out before, and no new session

    again = run_ucauth(env, "agent", "enroll", "--server", live_server.url, "--code", "X")
    assert again.returncode == 38  # already enrolled


def test_the_running_agent_survives_its_surroundings(
    live_agent: LiveAgent, pcscd: PrivatePcscd, attach_card: AttachCard
) -> None:
    with httpx.Client(base_url=live_agent.url, timeout=10) as agent:
        wait_for_step(agent, "card", "no_card")
        card = attach_card("normal")
        wait_for_step(agent, "pin", "pin_needed")
        steps = status_steps(agent)
        assert steps["reader"]["detail"]["reader"] == pcscd.reader(0)
        assert steps["card"]["detail"]["cid"] == CLERK_CID

        wrong = page_login(agent, "0000")
        assert wrong.status_code == 401 and wrong.json()["error"]["tries_left"] == 2
        login = page_login(agent)
        assert login.status_code == 200
        token = login.json()["token"]
        assert verify_live(live_agent.server, CLERK_CID, token) == 200
        assert agent.get("/api/token").json()["token"] == token
        assert agent_token(live_agent.url).credentials() == Credentials(CLERK_CID, token)
        assert agent.get("/api/smartcard/terminals").json()[0] == {
            "terminalName": pcscd.reader(0),
            "isPresent": True,
        }
        assert agent.get("/api/smartcard/read-card-only").json()["pid"] == CLERK_CID

        card.remove()  # the clerk takes the card out: still logged in
        wait_for_step(agent, "card", "no_card")
        assert agent.get("/api/token").json()["token"] == token

        pcscd.stop()  # pcscd restarted under the running agent
        wait_for_step(agent, "reader", "pcsc_unavailable")
        pcscd.start()
        attach_card("normal")
        wait_for_step(agent, "card", "ok", timeout=20)
        assert page_login(agent).status_code == 200
        assert verify_live(live_agent.server, CLERK_CID, token) == 401  # the new login replaced it

        assert live_agent.ucauth("agent", "logout").returncode == 0  # the command line
        wait_until(lambda: agent.get("/api/token").status_code == 404)


def test_server_down_and_back(
    session: Session,
    database_url: str,
    pcscd: PrivatePcscd,
    attach_card: AttachCard,
    tmp_path: Path,
) -> None:
    port = free_port()
    server = LiveServer(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}")
    server_log, data = tmp_path / "server.log", tmp_path / "server-data"
    process = start_server(database_url, data, port, server_log)
    agent_port = free_port()
    # A healthy server is probed every second, not every 15 s: the agent notices the stop sooner.
    env = agent_env(tmp_path / "agent", agent_port, UCAUTH_AGENT_CHECK_INTERVAL="1")
    try:
        enrol_live(server, session, env)
        agent_process = start_agent(env, agent_port, tmp_path / "agent.log")
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{agent_port}", timeout=10) as agent:
                attach_card("normal")
                wait_for_step(agent, "pin", "pin_needed")
                stop_process(process)
                wait_for_step(agent, "server", "server_unreachable", timeout=30)
                refused = page_login(agent)
                assert refused.status_code == 503
                assert refused.json()["error"]["code"] == "server_unreachable"
                assert status_steps(agent)["server"]["detail"]["retry_in"] is not None
                process = start_server(database_url, data, port, server_log)
                wait_for_step(agent, "server", "ok", timeout=40)
                assert page_login(agent).status_code == 200
        finally:
            stop_process(agent_process)
    finally:
        stop_process(process)


def test_expired_and_unregistered_cards(live_agent: LiveAgent, attach_card: AttachCard) -> None:
    with httpx.Client(base_url=live_agent.url, timeout=10) as agent:
        expired = attach_card("expired")
        wait_for_step(agent, "card", "card_expired")
        expired.remove()
        wait_for_step(agent, "card", "no_card")
        attach_card("lifetime")
        wait_for_step(agent, "account", "account_not_registered")
        assert page_login(agent, load_named_profile("lifetime").pin).status_code == 403
