"""``ucauth admin`` and ``ucauth server`` as an operator runs them: real processes, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.support.factories import cid_for
from ucauth.audit.service import events

CID = cid_for(1)


def ucauth(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ucauth", *args],
        env={**os.environ, "COLUMNS": "200", "UCAUTH_LANG": "en", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"UCAUTH_DATABASE_URL": database_url, "UCAUTH_DATA_DIR": str(tmp_path / "data")}


def test_bootstrap_a_unit_its_staff_and_a_workstation_code(
    env: dict[str, str], session: Session
) -> None:
    added = ucauth(
        "admin", "units", "add", "10670", "--name", "Siriraj", "--province", "1000", env=env
    )
    assert added.returncode == 0 and "region 13" in added.stdout
    assert (
        ucauth(
            "admin",
            "users",
            "add",
            CID,
            "--first-name",
            "Somchai",
            "--last-name",
            "Jaidee",
            "--unit",
            "10670",
            env=env,
        ).returncode
        == 0
    )
    admin = ucauth(
        "admin",
        "users",
        "add",
        cid_for(2),
        "--first-name",
        "Malee",
        "--last-name",
        "Sukjai",
        "--unit",
        "10670",
        "--role",
        "regional_admin",
        "--region",
        "13",
        "--region",
        "4",
        env=env,
    )
    assert admin.returncode == 0, admin.stderr
    listed = ucauth("admin", "users", "list", env=env)
    assert CID in listed.stdout and "regional_admin" in listed.stdout and "4,13" in listed.stdout
    code = ucauth("admin", "codes", "issue", "--unit", "10670", "--hours", "2", env=env)
    assert code.returncode == 0 and len(code.stdout.strip()) == 29
    assert "usable once" in code.stderr
    units = ucauth("admin", "units", "list", env=env)
    assert "Siriraj" in units.stdout
    actors = {e.actor for e in events(session)}
    assert len(actors) == 1 and actors.pop().startswith("cli:")


def test_revoke_reinstate_kill_sessions_and_agents(env: dict[str, str]) -> None:
    ucauth("admin", "units", "add", "10670", "--name", "Siriraj", "--province", "1000", env=env)
    ucauth(
        "admin",
        "users",
        "add",
        CID,
        "--first-name",
        "A",
        "--last-name",
        "B",
        "--unit",
        "10670",
        env=env,
    )
    revoked = ucauth("admin", "users", "revoke", CID, "--reason", "left the unit", env=env)
    assert revoked.returncode == 0
    assert (
        "left the unit" in ucauth("admin", "users", "list", "--status", "revoked", env=env).stdout
    )
    assert ucauth("admin", "users", "reinstate", CID, env=env).returncode == 0
    assert ucauth("admin", "users", "suspend", CID, "--reason", "audit", env=env).returncode == 0
    killed = ucauth("admin", "users", "kill-sessions", CID, env=env)
    assert killed.returncode == 0 and "0 token(s)" in killed.stdout
    assert "agents" in ucauth("admin", "agents", "list", env=env).stdout


@pytest.mark.parametrize(
    ("args", "exit_code", "text"),
    [
        (("admin", "users", "revoke", CID, "--reason", "x"), 6, "No account"),
        (("admin", "units", "add", "10670", "--name", "Again", "--province", "1000"), 7, "exists"),
        (("admin", "units", "add", "123", "--name", "X", "--province", "1000"), 5, "hcode"),
        (
            (
                "admin",
                "users",
                "add",
                "1234567890123",
                "--first-name",
                "A",
                "--last-name",
                "B",
                "--unit",
                "10670",
            ),
            5,
            "citizen ID",
        ),
        (("admin", "agents", "disable", "42"), 6, "42"),
        (("admin", "users", "add"), 2, "Missing argument"),
    ],
)
def test_errors_are_one_line_with_their_exit_code(
    env: dict[str, str], args: tuple[str, ...], exit_code: int, text: str
) -> None:
    ucauth("admin", "units", "add", "10670", "--name", "Siriraj", "--province", "1000", env=env)
    result = ucauth(*args, env=env)
    assert result.returncode == exit_code, result.stderr
    assert text in result.stderr and "Traceback" not in result.stderr


def test_commands_refuse_an_out_of_date_schema(tmp_path: Path) -> None:
    env = {"UCAUTH_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    for args in (("admin", "units", "list"), ("server", "--port", "8999")):
        result = ucauth(*args, env=env)
        assert result.returncode == 4
        assert "ucauth db upgrade" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.postgres
def test_the_server_refuses_to_start_without_its_secrets_on_postgresql(postgres_url: str) -> None:
    result = ucauth("server", env={"UCAUTH_DATABASE_URL": postgres_url, "UCAUTH_TOKEN_KEY": ""})
    assert result.returncode == 3
    assert "UCAUTH_TOKEN_KEY" in result.stderr and "Traceback" not in result.stderr


def test_the_server_refuses_a_bad_setting(tmp_path: Path) -> None:
    result = ucauth("server", env={"UCAUTH_DATA_DIR": str(tmp_path), "UCAUTH_PORT": "http"})
    assert result.returncode == 3 and "UCAUTH_PORT" in result.stderr
