"""``ucauth agent`` commands' failures: one line on stderr and the agent's exit codes (30-39)."""

from __future__ import annotations

from pathlib import Path

from tests.support.agent import agent_env, run_ucauth
from tests.support.server import free_port


def test_login_without_enrolment(tmp_path: Path) -> None:
    result = run_ucauth(agent_env(tmp_path, 8189), "agent", "login", "--pin-stdin", stdin="1234")
    assert result.returncode == 30 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "ucauth: This workstation is not enrolled with the server: ask your unit's administrator "
        "for an enrolment code and run ucauth agent enroll --server URL --code CODE"
    ]


def test_enrol_with_an_unreachable_server(tmp_path: Path) -> None:
    server = f"http://127.0.0.1:{free_port()}"
    result = run_ucauth(
        agent_env(tmp_path, 8189), "agent", "enroll", "--server", server, "--code", "ABCD"
    )
    assert result.returncode == 31
    assert f"Cannot reach the server {server}" in result.stderr
    assert not (tmp_path / "agent.json").exists() and not (tmp_path / "agent_key.pem").exists()


def test_logout_when_nobody_is_logged_in(tmp_path: Path) -> None:
    result = run_ucauth(agent_env(tmp_path, 8189), "agent", "logout")
    assert result.returncode == 37
    assert "Nobody is logged in" in result.stderr


def test_bad_settings(tmp_path: Path) -> None:
    env = agent_env(tmp_path, 8189, UCAUTH_AGENT_ALLOWED_ORIGINS="not an origin")
    result = run_ucauth(env, "agent", "logout")
    assert result.returncode == 3 and "UCAUTH_AGENT_ALLOWED_ORIGINS" in result.stderr
