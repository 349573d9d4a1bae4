"""Hostile input: schemathesis generates requests from the server's own OpenAPI schema and sends
them to a real ``ucauth server``; no answer may be a 5xx or differ from what the schema says.

Every operation is fuzzed with schema-valid (positive) and schema-invalid (negative) data, once
without credentials and once with a staff member's valid token, so that the generated values
reach the lookups and not only the token check. Each request comes from a new client address
(``X-Forwarded-For``, trusted from loopback) so that address throttling does not answer all of
them with 429; that is tested in ``test_brute_force``. The SOAP endpoint answers a request it
cannot read with a SOAP 1.1 Fault, which SOAP 1.1 and WS-I Basic Profile (R1126) send as HTTP
500: for it a 500 must be a ``Client`` or ``VersionMismatch`` Fault, never a ``Server`` one.

Not checked: that every schema-valid request is accepted (``positive_data_acceptance``): a
citizen ID's check digit, a signature or a nonce's validity cannot be said in a JSON schema.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from lxml import etree
from schemathesis import Case, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from tests.reliability.soak import SOAK, record_figures, scaled
from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.rights import SAMPLE_ROW, store
from tests.support.server import LiveServer
from ucauth.rights.soap import ENVELOPE_NAMESPACE

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.postgres,  # the production database; what is parsed does not depend on it
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

STAFF = cid_for(1)
EXAMPLES = scaled(20, 400)  # per operation, mode and credentials
MIN_REQUESTS = 1000
SOAP_POST = "POST /ucwstokenp1/UCWSTokenP1"
# A valid token must survive the run: logout is fuzzed without one.
NOT_WITH_TOKEN = {"POST /api/v1/auth/logout"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def soap_fault_is_the_clients(response: Response) -> str | None:
    """Why a SOAP endpoint's 500 is not an acceptable Fault, or None when it is one."""
    try:
        root = etree.fromstring(response.content)
    except etree.XMLSyntaxError:
        return "a 500 that is not XML"
    code = root.findtext(f"{{{ENVELOPE_NAMESPACE}}}Body/{{{ENVELOPE_NAMESPACE}}}Fault/faultcode")
    if code not in ("S:Client", "S:VersionMismatch"):
        return f"a 500 with faultcode {code!r}"
    return None


def address(rng: random.Random) -> str:
    """A client address from the documentation ranges (TEST-NET-2 and -3): never contacted,
    only named in ``X-Forwarded-For``."""
    return f"{rng.choice(('198.51.100', '203.0.113'))}.{rng.randrange(1, 255)}"


@pytest.fixture
def token(live_servers: Callable[..., list[LiveServer]], session: Session, database_url: str):
    (server,) = live_servers(1, UCAUTH_FORWARDED_ALLOW_IPS="127.0.0.1")
    store(database_url, SAMPLE_ROW)
    add_unit(session)
    add_user(session, STAFF)
    agent = add_agent(session, server.origin)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        return server, agent.token(client, STAFF)


def test_generated_requests_get_no_5xx_and_only_documented_answers(
    token: tuple[LiveServer, str],
) -> None:
    server, valid_token = token
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    results = list(schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results), results  # the schema is valid
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    sent: Counter[str] = Counter()
    failures: list[str] = []
    rng = random.Random(9)
    http = requests.Session()

    def send(case: Case[Any], credentials: dict[str, str]) -> None:
        label = f"{case.method.upper()} {case.path}"
        headers = {"X-Forwarded-For": address(rng), **credentials}
        response = case.call(base_url=server.url, session=http, headers=headers, timeout=30)
        sent[label] += 1
        checks = CHECKS
        if label == SOAP_POST and response.status_code == 500:
            checks = [c for c in CHECKS if c is not not_a_server_error]
            if (why := soap_fault_is_the_clients(response)) is not None:
                failures.append(f"{label}: {why}")
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except Exception as error:
            failures.append(f"{label}: {str(error)[:2000]}")

    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for credentials in ({}, {"Authorization": f"Bearer {STAFF}#{valid_token}"}):
                if credentials and label in NOT_WITH_TOKEN:
                    continue

                @settings(
                    max_examples=EXAMPLES,
                    deadline=None,
                    database=None,
                    derandomize=not SOAK,
                    suppress_health_check=list(HealthCheck),
                )
                @given(data=st.data())
                def fuzz(data: st.DataObject) -> None:
                    case = data.draw(operation.as_strategy(generation_mode=mode))  # noqa: B023
                    send(case, credentials)  # noqa: B023

                try:
                    fuzz()
                except Unsatisfiable:
                    if mode is GenerationMode.POSITIVE:
                        raise  # else: the operation has nothing to make invalid (/healthz)

    record_figures("openapi_fuzz", requests=sum(sent.values()), operations=len(sent), **sent)
    assert not failures, "\n\n".join(failures[:10])
    assert sum(sent.values()) >= MIN_REQUESTS, sent
    assert {f"{o.method.upper()} {o.path}" for o in operations} == set(sent), sent


@pytest.mark.parametrize("path", ["/api/v1/agents/enroll", "/api/v1/right-search/batch"])
def test_a_body_that_is_not_utf8_is_an_invalid_request(client: TestClient, path: str) -> None:
    """Found by the fuzzing: FastAPI answered an unreadable JSON body with an undocumented 400."""
    response = client.post(path, content=b"\xff\xfe{", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
