"""Operations endpoints, OpenAPI, uniform errors, and refusal to start on bad ground."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.support.server import ORIGIN, TOKEN_KEY
from ucauth.migrations.errors import SchemaOutOfDateError
from ucauth.server.app import create_app
from ucauth.settings import InsecureSettingsError, ServerSettings


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_metrics_count_requests_and_refusals(client: TestClient) -> None:
    client.get("/healthz")
    client.post("/api/v1/auth/verify", json={"username": "1", "password": "2"})
    text = client.get("/metrics").text
    assert 'ucauth_http_requests_total{route="/healthz",status="200"} 1.0' in text
    assert 'ucauth_refusals_total{code="invalid_credentials"} 1.0' in text
    assert "ucauth_http_request_duration_seconds_bucket" in text


def test_openapi_documents_every_endpoint_and_its_bodies(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/agents/enroll",
        "/api/v1/auth/challenge",
        "/api/v1/auth/login",
        "/api/v1/auth/account-status",
        "/api/v1/auth/logout",
        "/api/v1/auth/verify",
        "/api/v1/me",
        "/healthz",
        "/metrics",
    ):
        assert path in paths, path
    verify = paths["/api/v1/auth/verify"]["post"]
    body = verify["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"username", "password"}
    assert "401" in verify["responses"] and "200" in verify["responses"]
    login_body = paths["/api/v1/auth/login"]["post"]["requestBody"]["content"]
    assert "signature" in login_body["application/json"]["schema"]["properties"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/nowhere", 404, "not_found"),
        ("get", "/api/v1/auth/verify", 405, "method_not_allowed"),
    ],
)
def test_http_errors_have_the_uniform_body(
    client: TestClient, method: str, path: str, status: int, code: str
) -> None:
    response = client.request(method, path, headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_validation_errors_name_the_fields(client: TestClient) -> None:
    response = client.post("/api/v1/auth/challenge", json={"cid": 5})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and "agent_id" in error["message"]


def test_bodies_are_limited(client: TestClient) -> None:
    big = b'{"username": "' + b"1" * 70_000 + b'", "password": "x"}'
    response = client.post(
        "/api/v1/auth/verify", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    streamed = client.post(  # no Content-Length: counted as it arrives
        "/api/v1/auth/verify",
        content=iter([b'{"username": "', b"1" * 40_000, b"1" * 40_000, b'"}']),
        headers={"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "body_too_large"


def test_an_unexpected_error_is_a_generic_500_without_a_trace(
    server_settings: ServerSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("ucauth.tokens.service.authenticate_batched", explode)
    app = create_app(server_settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/api/v1/auth/verify", json={"username": "1", "password": "2"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret" not in response.text and "Traceback" not in response.text


def test_the_app_refuses_an_out_of_date_schema(tmp_path: Path) -> None:
    settings = ServerSettings(
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
        data_dir=tmp_path,
        token_key=SecretStr(TOKEN_KEY),
        origin=ORIGIN,
    )
    with pytest.raises(SchemaOutOfDateError):
        create_app(settings)


@pytest.mark.postgres
def test_the_app_refuses_insecure_settings_on_postgresql(postgres_url: str) -> None:
    with pytest.raises(InsecureSettingsError):
        create_app(ServerSettings(database_url=postgres_url, origin=ORIGIN))
