"""The lock-down of the agent's localhost HTTP API (issue 5): Host, Origin, CORS, JSON-only
side effects, the PIN only from the agent's own page, never echoed or logged."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.agent import (
    AGENT_PORT,
    CLERK_PIN,
    PAGE_ORIGIN,
    VirtualReaders,
    wait_for_step,
)
from tests.support.pcsc import as_card
from ucauth.agent.settings import AgentSettings

HIS = "https://his.example.org"
Wait = Callable[..., None]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def agent_settings(tmp_path: Path) -> AgentSettings:
    return AgentSettings(data_dir=tmp_path / "agent", port=AGENT_PORT, allowed_origins=HIS)


@pytest.fixture
def logged_in(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait
) -> dict[str, str]:
    virtual_readers.insert(as_card("normal"))
    wait_for_step(agent_client, "pin", "pin_needed")
    response = agent_client.post(
        "/api/login", json={"pin": CLERK_PIN}, headers={"Origin": PAGE_ORIGIN}
    )
    assert response.status_code == 200
    session: dict[str, str] = response.json()
    return session


def error_code(response: object) -> str:
    code: str = response.json()["error"]["code"]  # type: ignore[attr-defined]
    return code


@pytest.mark.parametrize(
    "host",
    ["evil.example:8189", "127.0.0.1:8000", "127.0.0.1", "localhost.evil.example:8189", ""],
)
def test_foreign_host_is_refused(agent_client: TestClient, host: str) -> None:
    response = agent_client.get("/api/status", headers={"Host": host})
    assert response.status_code == 403 and error_code(response) == "forbidden_host"


@pytest.mark.parametrize("host", ["127.0.0.1:8189", "localhost:8189", "[::1]:8189"])
def test_loopback_hosts_are_served(agent_client: TestClient, host: str) -> None:
    assert agent_client.get("/api/status", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1:8000"])
@pytest.mark.parametrize("path", ["/api/status", "/api/token", "/api/smartcard/terminals"])
def test_foreign_origin_get_is_refused(
    agent_client: TestClient, logged_in: dict[str, str], origin: str, path: str
) -> None:
    response = agent_client.get(path, headers={"Origin": origin})
    assert response.status_code == 403 and error_code(response) == "forbidden_origin"
    assert "access-control-allow-origin" not in response.headers
    assert logged_in["token"] not in response.text


def test_foreign_origin_post_is_refused(
    agent_client: TestClient, logged_in: dict[str, str]
) -> None:
    response = agent_client.post("/api/logout", json={}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and error_code(response) == "forbidden_origin"
    assert agent_client.get("/api/token").status_code == 200  # still logged in


def test_allowlisted_origin_is_reflected_never_star(
    agent_client: TestClient, logged_in: dict[str, str]
) -> None:
    response = agent_client.get("/api/token", headers={"Origin": HIS})
    assert response.status_code == 200 and response.json()["token"] == logged_in["token"]
    assert response.headers["access-control-allow-origin"] == HIS
    assert response.headers["vary"] == "Origin"
    assert response.headers["cache-control"] == "no-store"
    preflight = agent_client.options(
        "/api/token",
        headers={
            "Origin": HIS,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == HIS
    assert preflight.headers["access-control-allow-private-network"] == "true"
    refused = agent_client.options("/api/token", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers


def test_loopback_request_without_origin_gets_the_token(
    agent_client: TestClient, logged_in: dict[str, str]
) -> None:
    response = agent_client.get("/api/token")
    assert response.status_code == 200
    assert response.json() == logged_in
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
@pytest.mark.parametrize("path", ["/api/login", "/api/logout"])
def test_side_effects_only_through_json_posts(
    agent_client: TestClient, logged_in: dict[str, str], content_type: str | None, path: str
) -> None:
    headers = {"Origin": PAGE_ORIGIN}
    if content_type:
        headers["Content-Type"] = content_type
    response = agent_client.post(path, content=f'{{"pin": "{CLERK_PIN}"}}', headers=headers)
    assert response.status_code == 415 and error_code(response) == "unsupported_media_type"
    assert agent_client.get("/api/token").json() == logged_in  # no login, no logout
    assert agent_client.get("/api/logout").status_code == 405  # a GET changes nothing


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": HIS}, {"Origin": PAGE_ORIGIN, "Sec-Fetch-Site": "cross-site"}],
)
def test_pin_only_from_the_agents_own_page(
    agent_client: TestClient,
    virtual_readers: VirtualReaders,
    wait_for: Wait,
    headers: dict[str, str],
) -> None:
    card = as_card("normal")
    virtual_readers.insert(card)
    wait_for_step(agent_client, "pin", "pin_needed")
    response = agent_client.post("/api/login", json={"pin": "0000"}, headers=headers)
    assert response.status_code == 403 and error_code(response) == "pin_origin"
    # The card never saw the PIN: its three tries are all left.
    good = agent_client.post("/api/login", json={"pin": "0000"}, headers={"Origin": PAGE_ORIGIN})
    assert good.json()["error"]["tries_left"] == 2


@pytest.mark.parametrize("origin", [PAGE_ORIGIN, f"http://localhost:{AGENT_PORT}"])
def test_pin_is_never_echoed_or_logged(
    agent_client: TestClient,
    virtual_readers: VirtualReaders,
    wait_for: Wait,
    caplog: pytest.LogCaptureFixture,
    origin: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    virtual_readers.insert(as_card("normal"))
    wait_for_step(agent_client, "pin", "pin_needed")
    for body in ('{"pin": 9876}', '{"pin": "98765"}', '{"pin": "98x6"}', '["9876"]', "9876"):
        response = agent_client.post(
            "/api/login",
            content=body,
            headers={"Origin": origin, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, body
        assert "9876" not in response.text and "98765" not in response.text
    response = agent_client.post("/api/login", json={"pin": "9876"}, headers={"Origin": origin})
    assert response.status_code == 401
    assert "9876" not in response.text
    assert "9876" not in caplog.text


def test_unknown_path_and_errors_use_the_uniform_body(agent_client: TestClient) -> None:
    response = agent_client.get("/nothing-here", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found"}}
    assert agent_client.get("/openapi.json").status_code == 404


def test_thai_by_default_english_on_request(agent_client: TestClient) -> None:
    thai = agent_client.get("/api/status").json()
    assert thai["lang"] == "th" and thai["steps"][0]["title"] == "เชื่อมต่อเครื่องอ่านบัตร"
    english = agent_client.get("/api/status", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.json()["steps"][0]["title"] == "Card reader connected"
    assert agent_client.get("/api/status?lang=en").json()["lang"] == "en"
    refused = agent_client.get("/api/token", params={"lang": "en"})
    assert refused.json()["error"]["message"].startswith("Nobody is logged in")
