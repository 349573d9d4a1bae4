"""The SOAP endpoint in the app, on SQLite and PostgreSQL: documents, answers, every refusal,
an audit record for every lookup."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.rights import PID, SAMPLE_ROW, audit_refused, store
from tests.support.server import ORIGIN
from ucauth.accounts import service as accounts
from ucauth.accounts.models import User, UserStatus
from ucauth.audit.models import AuditEvent
from ucauth.audit.service import Action, events
from ucauth.cid import complete_cid
from ucauth.clock import FixedClock
from ucauth.rights.soap import ENVELOPE_NAMESPACE, NAMESPACE

PATH = "/ucwstokenp1/UCWSTokenP1"
STAFF = cid_for(1)
NOBODY = complete_cid("110170012345")
XML = {"Content-Type": "text/xml;charset=UTF-8", "SOAPAction": '""'}


def envelope(user: str, token: str, person: str) -> bytes:
    """A request as HIS clients write it: soapenv/tok prefixes, an empty Header, a comment."""
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:tok="http://tokenws.ucws.nhso.go.th/"><soapenv:Header/><soapenv:Body>'
        "<tok:searchCurrentByPID><!--Optional:--><user_person_id>"
        f"{user}</user_person_id><smctoken>{token}</smctoken><person_id>{person}</person_id>"
        "</tok:searchCurrentByPID></soapenv:Body></soapenv:Envelope>"
    ).encode()


def fields(content: bytes) -> dict[str, str]:
    root = etree.fromstring(content)
    found = root.find(
        f"{{{ENVELOPE_NAMESPACE}}}Body/{{{NAMESPACE}}}searchCurrentByPIDResponse/return"
    )
    assert found is not None, content
    return {child.tag: child.text or "" for child in found}


def fault(content: bytes) -> tuple[str, str]:
    root = etree.fromstring(content)
    found = root.find(f"{{{ENVELOPE_NAMESPACE}}}Body/{{{ENVELOPE_NAMESPACE}}}Fault")
    assert found is not None, content
    return found.findtext("faultcode") or "", found.findtext("faultstring") or ""


def lookups(session: Session) -> list[AuditEvent]:
    session.expire_all()
    return list(reversed(events(session, actions=[Action.RIGHTS_LOOKUP], limit=None)))


@pytest.fixture
def token(client: TestClient, session: Session, database_url: str) -> str:
    store(database_url, SAMPLE_ROW)
    add_unit(session)
    add_user(session, STAFF)
    return add_agent(session, ORIGIN).token(client, STAFF)


def search(client: TestClient, token: str, person: str = PID, user: str = STAFF) -> bytes:
    response = client.post(PATH, content=envelope(user, token, person), headers=XML)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    content: bytes = response.content
    return content


def test_found_with_the_jaxws_prefixes_and_audited(
    client: TestClient, token: str, session: Session
) -> None:
    content = search(client, token)
    assert b"<S:Envelope" in content and b"<ns2:searchCurrentByPIDResponse" in content
    answer = fields(content)
    assert (answer["ws_status"], answer["ws_status_desc"]) == ("NHSO-000001", "ok")
    assert (answer["person_id"], answer["fname"], answer["birthdate"]) == (PID, "ธนิกุล", "25260912")
    assert answer["maininscl_name"] == "สิทธิหลักประกันสุขภาพแห่งชาติ"
    assert answer["ws_date_request"] == "2026-11-25T10:00:00+07:00"
    (audit,) = lookups(session)
    assert (audit.actor, audit.subject_cid, audit.channel, audit.reason) == (
        STAFF,
        PID,
        "soap",
        "found",
    )
    assert audit.wsid == answer["wsid"] and audit.unit_hcode == "10670"


def test_nobody_is_success_with_empty_person_fields_and_audited(
    client: TestClient, token: str, session: Session
) -> None:
    answer = fields(search(client, token, NOBODY))
    assert answer["ws_status"] == "NHSO-000001"
    assert answer["fname"] == answer["person_id"] == answer["maininscl"] == ""
    assert [(a.subject_cid, a.reason) for a in lookups(session)] == [(NOBODY, "not_found")]


@pytest.mark.parametrize("person", ["", "3150300174301", "not a cid"])
def test_an_invalid_person_id_is_nobody_and_not_a_lookup(
    client: TestClient, token: str, session: Session, person: str
) -> None:
    answer = fields(search(client, token, person))
    assert answer["ws_status"] == "NHSO-000001" and answer["fname"] == ""
    assert lookups(session) == []


@pytest.mark.parametrize(
    "credentials",
    [
        ("wrong token", lambda token: (STAFF, "a" * 16)),
        ("someone else's", lambda token: (cid_for(2), token)),
        ("a legacy unit account", lambda token: ("chk10670", "secret")),
        ("nothing", lambda token: ("", "")),
    ],
    ids=lambda c: c[0],
)
def test_refused_credentials_get_nhso_00003_in_thai(
    client: TestClient, token: str, session: Session, credentials: tuple[str, object]
) -> None:
    user, smctoken = credentials[1](token)  # type: ignore[operator]
    answer = fields(search(client, smctoken, PID, user))
    assert answer["ws_status"] == "NHSO-00003"
    assert "Token" in answer["ws_status_desc"] and "หมดอายุ" in answer["ws_status_desc"]
    assert answer["fname"] == "" and answer["wsid"].startswith("WS")
    assert lookups(session) == []


def test_an_expired_token_gets_nhso_00003(
    client: TestClient, token: str, clock: FixedClock
) -> None:
    clock.advance(timedelta(hours=14))  # past midnight in Bangkok
    assert fields(search(client, token))["ws_status"] == "NHSO-00003"


def test_a_suspension_ends_the_session_at_once(
    client: TestClient, token: str, session: Session, clock: FixedClock
) -> None:
    accounts.suspend_user(session, STAFF, reason="x", actor="cli:test", now=clock.now())
    assert fields(search(client, token))["ws_status"] == "NHSO-00003"


def test_a_live_token_of_an_account_no_longer_active_is_told_why(
    client: TestClient, token: str, session: Session
) -> None:
    session.execute(update(User).where(User.cid == STAFF).values(status=UserStatus.PENDING))
    session.commit()  # a status change that left the token in place
    answer = fields(search(client, token))
    assert answer["ws_status"] == "NHSO-00003"
    assert answer["ws_status_desc"] == "บัญชีผู้ใช้อยู่ระหว่างรอการอนุมัติจากสำนักงานเขต"


def test_throttled_is_nhso_00003_saying_how_long_to_wait(
    client: TestClient, token: str, clock: FixedClock
) -> None:
    for _ in range(6):
        assert fields(search(client, "a" * 16))["ws_status"] == "NHSO-00003"
    response = client.post(PATH, content=envelope(STAFF, token, PID), headers=XML)
    answer = fields(response.content)
    assert answer["ws_status"] == "NHSO-00003" and "รอ 1 วินาที" in answer["ws_status_desc"]
    assert response.headers["Retry-After"] == "1"
    clock.advance(timedelta(seconds=1))
    assert fields(search(client, token))["ws_status"] == "NHSO-000001"


def test_no_answer_without_an_audit_record(
    client: TestClient, token: str, session: Session, database_url: str
) -> None:
    with audit_refused(database_url):
        response = client.post(PATH, content=envelope(STAFF, token, PID), headers=XML)
    assert response.status_code == 500
    code, text = fault(response.content)
    assert code == "S:Server" and "Traceback" not in text and "ธนิกุล" not in response.text
    assert lookups(session) == []


@pytest.mark.parametrize("query", ["wsdl", "WSDL"])
def test_the_wsdl_address_comes_from_the_configured_origin(
    client: TestClient, token: str, query: str
) -> None:
    response = client.get(f"{PATH}?{query}", headers={"Host": "evil.example:80"})
    assert response.status_code == 200
    wsdl = etree.fromstring(response.content)
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/", "s": "http://schemas.xmlsoap.org/wsdl/soap/"}
    address = wsdl.find("w:service/w:port/s:address", ns)
    assert address is not None and address.get("location") == f"{ORIGIN}{PATH}"
    assert b"evil" not in response.content
    assert f"{ORIGIN}{PATH}?xsd=1".encode() in response.content


def test_the_schema_and_the_path_with_a_slash(client: TestClient, token: str) -> None:
    schema = client.get(f"{PATH}?xsd=1")
    assert schema.status_code == 200 and b"nhsoDataSetC1" in schema.content
    assert client.get(f"{PATH}/?wsdl").status_code == 200
    assert client.get(PATH).status_code == 404
    slashed = client.post(PATH + "/", content=envelope(STAFF, token, PID), headers=XML)
    assert fields(slashed.content)["fname"] == "ธนิกุล"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", "S:Client"),
        (b"not xml at all", "S:Client"),
        (b'{"pid": "3150300174300"}', "S:Client"),
        (
            b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
            "S:VersionMismatch",
        ),
        (envelope(STAFF, "x", PID).replace(b"CurrentByPID", b"PersonByPID"), "S:Client"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "S:Client"),
        (b"<a>" * 20_000, "S:Client"),  # deeper than the parser allows
        (b"<a>" + b"x" * (65 * 1024) + b"</a>", "S:Client"),  # over the size limit
    ],
)
def test_requests_we_cannot_answer_get_a_fault(
    client: TestClient, token: str, session: Session, body: bytes, code: str
) -> None:
    response = client.post(PATH, content=body, headers=XML)
    assert response.status_code == 500
    assert fault(response.content)[0] == code
    assert lookups(session) == []
