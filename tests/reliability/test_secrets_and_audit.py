"""A full session against a real server on PostgreSQL (access log on): the admin command line
sets up a unit, staff and an enrolment code; a workstation enrols over HTTP with its key; clerks
log in (and a forger fails to), HIS verify and look patients up through every channel, a clerk
logs out, an administrator revokes one. Afterwards:

- a ``pg_dump`` of the database and every log of the run contain none of the run's secrets:
  tokens, the enrolment code, the workstation's private key, the server's token key;
- every login, token event, admin action and lookup of the run has its audit row.

The PIN never reaches the server (the card checks it; the protocol has no field for it): the
agent's side is tests/integration/agent.
"""

from __future__ import annotations

import base64
import subprocess
from collections import Counter
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.integration.cli.test_admin_cli import ucauth
from tests.support.agents import TestAgent
from tests.support.factories import cid_for
from tests.support.rights import PID, SAMPLE_ROW, store
from tests.support.server import TOKEN_KEY, LiveServer, running_server
from tests.support.soap import PATH, XML, request
from ucauth.audit.models import AuditEvent
from ucauth.audit.service import Action
from ucauth.tokens import protocol

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

STAFF = [cid_for(n) for n in range(1, 5)]


def forms(key: bytes) -> list[str]:
    """How a key's bytes could show up in a text: hex, base64 (standard and url-safe)."""
    return [
        key.hex(),
        base64.b64encode(key).decode().rstrip("="),
        base64.urlsafe_b64encode(key).decode().rstrip("="),
    ]


def test_no_secret_in_the_database_or_the_logs_and_every_event_audited(
    database_url: str, session: Session, tmp_path: Path
) -> None:
    env = {"UCAUTH_DATABASE_URL": database_url, "UCAUTH_DATA_DIR": str(tmp_path / "cli")}

    def admin(*args: str) -> str:
        done = ucauth("admin", *args, env=env)
        assert done.returncode == 0, done.stderr
        (tmp_path / "cli.log").open("a").write(done.stderr)
        return done.stdout

    store(database_url, SAMPLE_ROW)
    admin("units", "add", "10670", "--name", "โรงพยาบาลทดสอบ", "--province", "1000")
    for cid in STAFF:
        admin("users", "add", cid, "--first-name", "สมชาย", "--last-name", "ใจดี", "--unit", "10670")
    code = admin("codes", "issue", "--unit", "10670").strip()
    key = protocol.generate_private_key()
    secrets = [TOKEN_KEY, code, code.replace("-", "")]
    raw_key = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    secrets += forms(raw_key)
    tokens: list[str] = []
    lookups = 0
    with running_server(database_url, tmp_path, UCAUTH_ACCESS_LOG="true") as server:
        agent = enrol(server, code, key)
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for cid in STAFF:
                tokens += [agent.token(client, cid), agent.token(client, cid)]  # one superseded
            forged = agent.login(client, STAFF[0], key=protocol.generate_private_key())
            assert forged.status_code == 403
            current = {cid: tokens[2 * n + 1] for n, cid in enumerate(STAFF)}
            for cid, token in current.items():
                auth = {"Authorization": f"Bearer {cid}#{token}"}
                verify = {"username": cid, "password": token}
                assert client.post("/api/v1/auth/verify", json=verify).status_code == 200
                assert client.get("/api/ucws/v1/right-search", params={"pid": PID}, headers=auth)
                soap = client.post(PATH, content=request(token, staff=cid), headers=XML)
                assert b"NHSO-000001" in soap.content
                fhir = client.get(
                    "/api/fhir/r4/Coverage", params={"beneficiary:identifier": PID}, headers=auth
                )
                assert fhir.status_code == 200
                batch = {"pids": [PID, cid_for(77)]}
                assert client.post("/api/v1/right-search/batch", json=batch, headers=auth)
                lookups += 5
            wrong = {"username": STAFF[0], "password": tokens[0]}  # the superseded one
            assert client.post("/api/v1/auth/verify", json=wrong).status_code == 401
            logout = {"Authorization": f"Bearer {STAFF[1]}#{current[STAFF[1]]}"}
            assert client.post("/api/v1/auth/logout", headers=logout).status_code == 204
            admin("users", "kill-sessions", STAFF[2])
            admin("users", "revoke", STAFF[3], "--reason", "left the unit")
    secrets += tokens

    dump = subprocess.run(
        ["pg_dump", "--no-owner", database_url.replace("+psycopg", "")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "audit_events" in dump and PID in dump  # the dump has the data
    logs = "\n".join(path.read_text() for path in tmp_path.glob("*.log"))
    assert "POST /api/v1/auth/login" in logs  # the access log was on
    for secret in secrets:
        assert secret not in dump, secret[:4]
        assert secret not in logs, secret[:4]

    session.expire_all()
    audited = Counter(
        (event.action, event.outcome, event.reason) for event in session.scalars(select(AuditEvent))
    )
    once = [Action.UNIT_CREATE, Action.CODE_ISSUE, Action.SESSIONS_KILL, Action.USER_REVOKE]
    expected: dict[tuple[str, str, str | None], int] = {
        (Action.USER_CREATE, "success", None): len(STAFF),
        (Action.ENROL, "success", None): 1,
        (Action.LOGIN, "success", None): len(tokens),
        (Action.LOGIN, "failure", "bad_signature"): 1,
        (Action.TOKEN_ISSUE, "success", None): len(tokens),
        (Action.TOKEN_REVOKE, "success", "superseded"): len(STAFF),
        (Action.TOKEN_REVOKE, "success", "logout"): 1,
        (Action.TOKEN_REVOKE, "success", "admin"): 1,
        (Action.TOKEN_REVOKE, "success", "revoked"): 1,
        (Action.VERIFY, "failure", "wrong_token"): 1,
        (Action.RIGHTS_LOOKUP, "success", "found"): lookups - len(STAFF),
        (Action.RIGHTS_LOOKUP, "success", "not_found"): len(STAFF),
        **{(action, "success", None): 1 for action in once},
    }
    assert audited == expected


def enrol(server: LiveServer, code: str, key: Ed25519PrivateKey) -> TestAgent:
    public = protocol.encode_b64(protocol.public_key_bytes(key))
    body = {"code": code, "name": "ws-1", "public_key": public}
    response = httpx.post(f"{server.url}/api/v1/agents/enroll", json=body)
    assert response.status_code == 200, response.text
    return TestAgent(response.json()["agent_id"], key, server.origin)
