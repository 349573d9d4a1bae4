"""The REST, batch and FHIR rights endpoints, on SQLite and PostgreSQL: shapes, every refusal,
and an audit record for every lookup."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.rights import PID, SAMPLE_ROW, audit_refused, store
from tests.support.server import ORIGIN
from ucauth.accounts.models import User
from ucauth.audit.models import AuditEvent
from ucauth.audit.service import Action, events
from ucauth.cid import complete_cid
from ucauth.clock import FixedClock
from ucauth.rights.fhir import CITIZEN_ID_SYSTEM

STAFF = cid_for(1)
NOBODY = complete_cid("110170012345")
REST = "/api/ucws/v1/right-search"
BATCH = "/api/v1/right-search/batch"
FHIR = "/api/fhir/r4/Coverage"


@dataclass(frozen=True)
class Staff:
    cid: str
    token: str
    agent_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.cid}#{self.token}"}


@pytest.fixture
def staff(client: TestClient, session: Session, database_url: str) -> Staff:
    """A logged-in clerk of unit 10670 (a real card login through the protocol)."""
    store(database_url, SAMPLE_ROW)
    add_unit(session)
    add_user(session, STAFF)
    agent = add_agent(session, ORIGIN)
    return Staff(STAFF, agent.token(client, STAFF), agent.agent_id)


def lookups(session: Session) -> list[AuditEvent]:
    """The rights-lookup audit records, oldest first."""
    session.expire_all()
    return list(reversed(events(session, actions=[Action.RIGHTS_LOOKUP], limit=None)))


def test_rest_answers_the_srm_shape_and_audits_the_lookup(
    client: TestClient, staff: Staff, session: Session
) -> None:
    response = client.get(REST, params={"pid": PID}, headers=staff.headers)
    assert response.status_code == 200
    body = response.json()
    assert (body["pid"], body["fname"], body["birthDate"]) == (PID, "ธนิกุล", "12 กันยายน 2526")
    assert body["funds"][0]["mainInscl"] == {"id": "UCS", "name": "สิทธิหลักประกันสุขภาพแห่งชาติ"}
    assert body["checkDate"] == "2026-11-25T10:00:00+07:00"
    (audit,) = lookups(session)
    assert (audit.actor, audit.unit_hcode, audit.agent_id) == (STAFF, "10670", staff.agent_id)
    assert (audit.subject_cid, audit.channel, audit.reason) == (PID, "rest", "found")
    assert audit.wsid == response.headers["X-Request-Id"]
    assert response.headers["X-Request-Id"].startswith("WS")
    assert audit.client_address == "127.0.0.1"


def test_rest_accepts_basic_credentials(client: TestClient, staff: Staff) -> None:
    basic = base64.b64encode(f"{STAFF}:{staff.token}".encode()).decode()
    response = client.get(REST, params={"pid": PID}, headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200


def test_rest_nobody_is_404_and_audited(client: TestClient, staff: Staff, session: Session) -> None:
    response = client.get(REST, params={"pid": NOBODY}, headers=staff.headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "person_not_found"
    (audit,) = lookups(session)
    assert (audit.subject_cid, audit.reason) == (NOBODY, "not_found")


@pytest.mark.parametrize("params", [{"pid": "3150300174301"}, {"pid": "12345"}, {}])
def test_rest_invalid_id_is_400_and_changes_nothing(
    client: TestClient, staff: Staff, session: Session, params: dict[str, str]
) -> None:
    response = client.get(REST, params=params, headers=staff.headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cid"
    assert lookups(session) == []


@pytest.mark.parametrize("path", [f"{REST}?pid={PID}", f"{FHIR}?beneficiary:identifier={PID}"])
def test_a_bad_token_is_401_and_looks_nobody_up(
    client: TestClient, staff: Staff, session: Session, path: str
) -> None:
    wrong = client.get(path, headers={"Authorization": f"Bearer {STAFF}#{'a' * 16}"})
    missing = client.get(path)
    assert (wrong.status_code, missing.status_code) == (401, 401)
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    assert missing.json()["error"]["code"] == "credentials_missing"
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="ucauth"'
    assert lookups(session) == []
    failures = events(session, actions=[Action.VERIFY])  # the failure itself is audited
    assert [(e.subject_cid, e.reason) for e in failures] == [(STAFF, "wrong_token")]


def test_rest_is_throttled_with_retry_after(
    client: TestClient, staff: Staff, clock: FixedClock
) -> None:
    wrong = {"Authorization": f"Bearer {STAFF}#{'a' * 16}"}
    for _ in range(6):
        assert client.get(REST, params={"pid": PID}, headers=wrong).status_code == 401
    blocked = client.get(REST, params={"pid": PID}, headers=staff.headers)
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "1"
    assert blocked.json()["error"]["code"] == "too_many_attempts"
    clock.advance(timedelta(seconds=1))
    assert client.get(REST, params={"pid": PID}, headers=staff.headers).status_code == 200


def test_no_answer_without_an_audit_record(
    client: TestClient, staff: Staff, session: Session, database_url: str
) -> None:
    with audit_refused(database_url):
        response = client.get(REST, params={"pid": PID}, headers=staff.headers)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "audit_unavailable"
    assert "Traceback" not in response.text
    assert lookups(session) == []


def test_rights_checks_stamp_last_access_at_most_every_five_minutes(
    client: TestClient, staff: Staff, session: Session, clock: FixedClock
) -> None:
    def last_access() -> object:
        session.expire_all()
        return session.scalar(select(User.last_access_at).where(User.cid == STAFF))

    login_time = last_access()
    clock.advance(timedelta(minutes=4))
    assert client.get(REST, params={"pid": PID}, headers=staff.headers).status_code == 200
    assert last_access() == login_time
    clock.advance(timedelta(minutes=2))
    assert client.get(REST, params={"pid": PID}, headers=staff.headers).status_code == 200
    assert last_access() == clock.now()


def test_batch_one_result_or_error_per_id_in_order(
    client: TestClient, staff: Staff, session: Session
) -> None:
    asked = [PID, "123", NOBODY, PID]
    response = client.post(
        BATCH, json={"pids": asked}, headers={**staff.headers, "Accept-Language": "en"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["wsid_batch"].startswith("WSB")
    results = body["results"]
    assert [item["pid"] for item in results] == asked
    assert results[0]["result"]["fname"] == "ธนิกุล" and results[0]["error"] is None
    assert results[1]["wsid"] is None and results[1]["error"]["code"] == "invalid_cid"
    assert results[1]["error"]["message"].startswith("Invalid citizen ID")
    assert results[2]["result"] is None and results[2]["error"]["code"] == "person_not_found"
    audits = lookups(session)
    assert [(a.subject_cid, a.reason, a.channel) for a in audits] == [
        (PID, "found", "batch"),
        (NOBODY, "not_found", "batch"),
        (PID, "found", "batch"),
    ]
    assert [a.wsid for a in audits] == [results[i]["wsid"] for i in (0, 2, 3)]
    assert {(a.details or {})["wsid_batch"] for a in audits} == {body["wsid_batch"]}


def test_a_batch_of_1000_is_answered_and_1001_refused(
    client: TestClient, staff: Staff, session: Session
) -> None:
    ids = [cid_for(1000 + n) for n in range(1000)]
    answered = client.post(BATCH, json={"pids": ids}, headers=staff.headers)
    assert answered.status_code == 200 and len(answered.json()["results"]) == 1000
    assert len(lookups(session)) == 1000
    bodies: list[dict[str, Any]] = [{"pids": [*ids, PID]}, {"pids": []}, {"pid": PID}]
    for body in bodies:
        refused = client.post(BATCH, json=body, headers=staff.headers)
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "invalid_request"
    assert len(lookups(session)) == 1000


def test_batch_needs_credentials(client: TestClient, staff: Staff) -> None:
    assert client.post(BATCH, json={"pids": [PID]}).status_code == 401


@pytest.mark.parametrize("identifier", [f"{CITIZEN_ID_SYSTEM}|{PID}", PID])
def test_fhir_coverage_bundle_validates_and_is_audited(
    client: TestClient, staff: Staff, session: Session, identifier: str
) -> None:
    response = client.get(
        FHIR, params={"beneficiary:identifier": identifier}, headers=staff.headers
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(response.json())
    assert bundle.type == "searchset" and bundle.total == 1
    coverage: Any = bundle.entry[0].resource  # type: ignore[index]
    assert coverage.beneficiary.identifier.value == PID and coverage.status == "active"
    (audit,) = lookups(session)
    assert (audit.channel, audit.reason, audit.wsid) == (
        "fhir",
        "found",
        response.headers["X-Request-Id"],
    )


def test_fhir_nobody_is_an_empty_bundle(client: TestClient, staff: Staff, session: Session) -> None:
    response = client.get(FHIR, params={"beneficiary:identifier": NOBODY}, headers=staff.headers)
    assert response.status_code == 200
    assert Bundle.model_validate(response.json()).total == 0
    assert [a.reason for a in lookups(session)] == ["not_found"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "fhir_invalid_search"),
        ({"beneficiary:identifier": f"urn:other|{PID}"}, "fhir_invalid_search"),
        ({"beneficiary:identifier": f"{CITIZEN_ID_SYSTEM}|"}, "fhir_invalid_search"),
        ({"beneficiary:identifier": f"{CITIZEN_ID_SYSTEM}|3150300174301"}, "invalid_cid"),
    ],
)
def test_fhir_bad_searches_are_400(
    client: TestClient, staff: Staff, session: Session, params: dict[str, str], code: str
) -> None:
    response = client.get(FHIR, params=params, headers=staff.headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert lookups(session) == []


def test_openapi_documents_the_rights_endpoints(client: TestClient, staff: Staff) -> None:
    schema = client.get("/openapi.json").json()
    rest = schema["paths"][REST]["get"]
    assert {"200", "400", "401", "404", "429", "503"} <= set(rest["responses"])
    ok = rest["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/RightSearchResponse"}
    error = rest["responses"]["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorBody"}
    assert "birthDate" in schema["components"]["schemas"]["RightSearchResponse"]["properties"]
    assert {"pid"} == {p["name"] for p in rest["parameters"] if p["in"] == "query"}
    batch = schema["paths"][BATCH]["post"]
    assert "BatchRequest" in str(batch["requestBody"]) and "BatchResponse" in str(batch)
    fhir = schema["paths"][FHIR]["get"]
    assert "application/fhir+json" in fhir["responses"]["200"]["content"]
    assert "/ucwstokenp1/UCWSTokenP1" in schema["paths"]
