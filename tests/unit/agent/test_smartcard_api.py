"""The NHSO-agent-compatible card API: terminals, read-card-only, read (with rights looked up on
the server with the clerk's token)."""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.agent import (
    CLERK_CID,
    READER,
    VirtualReaders,
    page_login,
    wait_for_step,
)
from tests.support.pcsc import as_card
from tests.support.rights import SAMPLE_ROW, store
from ucauth.card.virtual.profile import load_named_profile

Wait = Callable[..., None]
LOCAL_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
CARD_FIELDS = {
    "pid", "titleName", "fname", "lname", "nation", "birthDate", "sex", "age", "image",
    "correlationId",
}  # fmt: skip
RIGHTS_FIELDS = {
    "checkDate", "transDate", "mainInscl", "subInscl", "startDateTime", "expireDateTime",
    "hospMain", "hospSub", "hospMainOp", "paidModel", "claimTypes",
}  # fmt: skip


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_terminals(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait
) -> None:
    wait_for(lambda: agent_client.get("/api/smartcard/terminals").json() != [])
    assert agent_client.get("/api/smartcard/terminals").json() == [
        {"terminalName": READER, "isPresent": False}
    ]
    virtual_readers.insert(as_card("normal"))
    wait_for(lambda: agent_client.get("/api/smartcard/terminals").json()[0]["isPresent"])


def test_read_card_only(
    agent_client: TestClient, virtual_readers: VirtualReaders, wait_for: Wait
) -> None:
    virtual_readers.insert(as_card("normal"))
    wait_for(lambda: agent_client.get("/api/smartcard/terminals").json()[0]["isPresent"])
    body: dict[str, Any] = agent_client.get(
        "/api/smartcard/read-card-only", params={"readImageFlag": "true"}
    ).json()
    assert set(body) == CARD_FIELDS
    profile = load_named_profile("normal")
    assert body["pid"] == CLERK_CID
    assert body["titleName"] == "003"  # นาย
    assert (body["fname"], body["lname"]) == ("สมชาย", "ทดสอบระบบ")
    assert (body["nation"], body["birthDate"], body["sex"]) == ("099", "25300512", "ชาย")
    assert body["age"] == "39 ปี 6 เดือน 13 วัน"  # born 1987-05-12, today 2026-11-25
    assert base64.b64decode(body["image"]) == profile.photo_data
    uuid.UUID(body["correlationId"])
    without = agent_client.get("/api/smartcard/read-card-only?readImageFlag=false").json()
    assert without["image"] is None and without["correlationId"] != body["correlationId"]


def test_read_needs_a_logged_in_clerk_and_adds_the_rights(
    agent_client: TestClient,
    virtual_readers: VirtualReaders,
    wait_for: Wait,
    database_url: str,
) -> None:
    virtual_readers.insert(as_card("normal"))
    wait_for_step(agent_client, "pin", "pin_needed")
    refused = agent_client.get("/api/smartcard/read")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_logged_in"

    login = page_login(agent_client)
    assert login.status_code == 200
    nobody: dict[str, Any] = agent_client.get("/api/smartcard/read").json()
    assert set(nobody) == CARD_FIELDS | RIGHTS_FIELDS
    assert nobody["mainInscl"] is None and nobody["claimTypes"] == []

    store(database_url, {**SAMPLE_ROW, "person_id": CLERK_CID})
    body: dict[str, Any] = agent_client.get("/api/smartcard/read?readImageFlag=false").json()
    assert body["pid"] == CLERK_CID and body["image"] is None
    assert body["mainInscl"].startswith("(UCS) ")
    assert body["subInscl"].startswith("(89) ")
    assert body["hospMain"]["hcode"] == "10689" and body["hospSub"] is None
    assert body["startDateTime"] == "2017-01-01T00:00:00"
    assert LOCAL_ISO.match(body["checkDate"])
    assert body["paidModel"] == "1"
    assert body["claimTypes"][0]["claimType"] == "PG0060001"


def test_card_errors(agent_client: TestClient, virtual_readers: VirtualReaders) -> None:
    response = agent_client.get("/api/smartcard/read-card-only", params={"lang": "en"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "no_card"
    virtual_readers.stop_service()
    response = agent_client.get("/api/smartcard/read-card-only")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "pcsc_unavailable"
