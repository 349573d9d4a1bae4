"""The opt-in token file ``nhso_token.txt`` and the agent's private files."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.agent import AGENT_PORT, CLERK_CID, VirtualReaders, page_login, wait_for_step
from tests.support.pcsc import as_card
from tests.support.server import BANGKOK
from ucauth.agent.settings import AgentSettings
from ucauth.clock import FixedClock


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    return tmp_path / "his" / "nhso_token.txt"


@pytest.fixture
def agent_settings(tmp_path: Path, token_file: Path) -> AgentSettings:
    return AgentSettings(data_dir=tmp_path / "agent", port=AGENT_PORT, token_file=str(token_file))


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_token_file_lifecycle(
    agent_client: TestClient,
    agent_settings: AgentSettings,
    virtual_readers: VirtualReaders,
    wait_for: Callable[..., None],
    token_file: Path,
    clock: FixedClock,
) -> None:
    virtual_readers.insert(as_card("normal"))
    wait_for_step(agent_client, "pin", "pin_needed")
    assert not token_file.exists()

    first = page_login(agent_client).json()
    assert token_file.read_text() == f"{CLERK_CID}#{first['token']}"  # one line, no newline
    assert mode(token_file) == 0o600
    second = page_login(agent_client).json()
    assert token_file.read_text() == f"{CLERK_CID}#{second['token']}"

    assert agent_client.post("/api/logout", json={}).json() == {"logged_out": True}
    assert not token_file.exists()
    assert agent_client.get("/api/token").status_code == 404

    page_login(agent_client)
    assert token_file.exists()
    clock.set(datetime(2026, 11, 26, 0, 0, 1, tzinfo=BANGKOK))  # the token died at midnight
    wait_for(lambda: not token_file.exists())
    assert not (agent_settings.data_dir / "session.json").exists()


def test_private_files(
    agent_client: TestClient,
    agent_settings: AgentSettings,
    virtual_readers: VirtualReaders,
    wait_for: Callable[..., None],
) -> None:
    virtual_readers.insert(as_card("normal"))
    wait_for_step(agent_client, "pin", "pin_needed")
    assert page_login(agent_client).status_code == 200
    data_dir = agent_settings.data_dir
    assert mode(data_dir) == 0o700
    for name in ("agent_key.pem", "agent.json", "session.json"):
        assert mode(data_dir / name) == 0o600, name
    assert b"PRIVATE KEY" in (data_dir / "agent_key.pem").read_bytes()
    assert "1234" not in "".join(p.read_text() for p in data_dir.iterdir())  # no PIN anywhere


def test_token_file_is_off_by_default(tmp_path: Path) -> None:
    assert AgentSettings(data_dir=tmp_path).token_path is None
