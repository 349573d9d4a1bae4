"""Against a real ``ucauth server`` process: a zeep client generated from the served WSDL calls
the endpoint with a token from a real card login; hostile requests each get a Fault quickly;
clients configured with ``host:80`` or an absolute request target reach the endpoint."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import zeep
from sqlalchemy.orm import Session
from zeep.exceptions import Fault

from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.rights import PID, SAMPLE_ROW, store
from tests.support.server import LiveServer
from tests.support.soap import HOSTILE, XML, request
from ucauth.audit.service import Action, events
from ucauth.cid import complete_cid
from ucauth.rights.soap import ACTION

PATH = "/ucwstokenp1/UCWSTokenP1"
STAFF = cid_for(1)
NOBODY = complete_cid("110170012345")


@pytest.fixture
def token(live_server: LiveServer, session: Session, database_url: str) -> str:
    """A clerk logged in through the protocol (challenge, signed login) on the live server."""
    store(database_url, {**SAMPLE_ROW, "new_maininscl": "SSS", "new_hmain": "11582"})
    add_unit(session)
    add_user(session, STAFF)
    agent = add_agent(session, live_server.origin)
    with httpx.Client(base_url=live_server.url) as client:
        return agent.token(client, STAFF)


def test_zeep_from_our_wsdl_with_a_real_login(
    live_server: LiveServer, token: str, session: Session
) -> None:
    client = zeep.Client(f"{live_server.url}{PATH}?wsdl")  # type: ignore[no-untyped-call]
    port = client.wsdl.services["UCWSTokenP1"].ports["UCWSTokenP1Port"]
    assert port.binding_options["address"] == f"{live_server.origin}{PATH}"
    found = client.service.searchCurrentByPID(user_person_id=STAFF, smctoken=token, person_id=PID)
    assert (found.ws_status, found.ws_status_desc, found.count_select) == ("NHSO-000001", "ok", 0)
    assert (found.person_id, found.fname, found.lname) == (PID, "ธนิกุล", "ศรีอุทิศ")
    assert (found.birthdate, found.title_name) == ("25260912", "นาย")
    assert found.maininscl_name == "สิทธิหลักประกันสุขภาพแห่งชาติ"
    assert (found.new_maininscl, found.new_hmain) == ("SSS", "11582")
    assert found.hsub is None and found.status is None
    assert found.ws_date_request.utcoffset().total_seconds() == 7 * 3600
    nobody = client.service.searchCurrentByPID(
        user_person_id=STAFF, smctoken=token, person_id=NOBODY
    )
    assert nobody.ws_status == "NHSO-000001" and not nobody.fname
    refused = client.service.searchCurrentByPID(
        user_person_id=STAFF, smctoken="a" * 16, person_id=PID
    )
    assert refused.ws_status == "NHSO-00003" and "Token" in refused.ws_status_desc
    audited = events(session, actions=[Action.RIGHTS_LOOKUP])
    assert sorted((e.subject_cid, e.channel, e.reason, e.wsid) for e in audited) == sorted(
        [(PID, "soap", "found", found.wsid), (NOBODY, "soap", "not_found", nobody.wsid)]
    )


class _OtherOperation(zeep.Plugin):
    """Renames the operation in the outgoing envelope, as a client of another service would."""

    def egress(self, envelope: Any, http_headers: Any, operation: Any, binding_options: Any) -> Any:
        body = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
        body[0].tag = "{http://tokenws.ucws.nhso.go.th/}searchPersonByPID"
        return envelope, http_headers


def test_zeep_reads_our_fault(live_server: LiveServer, token: str) -> None:
    client = zeep.Client(f"{live_server.url}{PATH}?WSDL", plugins=[_OtherOperation()])  # type: ignore[no-untyped-call]
    with pytest.raises(Fault) as raised:
        client.service.searchCurrentByPID(user_person_id=STAFF, smctoken=token, person_id=PID)
    assert raised.value.code == "S:Client"
    assert "searchPersonByPID" in raised.value.message


@pytest.mark.parametrize("action", [None, '""', "", f'"{ACTION}"', ACTION])
def test_any_soap_action(live_server: LiveServer, token: str, action: str | None) -> None:
    headers = XML if action is None else {**XML, "SOAPAction": action}
    response = httpx.post(f"{live_server.url}{PATH}", content=request(token), headers=headers)
    assert response.status_code == 200 and b"NHSO-000001" in response.content


def test_hostile_requests_each_get_a_fault_quickly(
    live_server: LiveServer, token: str, session: Session, tmp_path: Path
) -> None:
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(
            f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n<a>".encode()
        )
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        for name, body in HOSTILE.items():
            started = time.monotonic()
            response = client.post(PATH, content=body, headers=XML)
            elapsed = time.monotonic() - started
            assert response.status_code == 500, name
            assert b"<faultcode>S:" in response.content, name
            assert b"root:" not in response.content and b"Traceback" not in response.content
            assert elapsed < 2, (name, elapsed)
        assert b"NHSO-000001" in client.post(PATH, content=request(token), headers=XML).content
    assert [e.subject_cid for e in events(session, actions=[Action.RIGHTS_LOOKUP])] == [PID]
    assert "Traceback" not in (tmp_path / "server.log").read_text()  # a body cut short too


@pytest.mark.parametrize(
    "target", [PATH, "http://ucws.nhso.go.th:80" + PATH, "http://ucws.nhso.go.th" + PATH]
)
def test_the_path_is_what_matters(live_server: LiveServer, token: str, target: str) -> None:
    """HIS configured with NHSO's address (``:80`` or not, an absolute request target)."""
    body = request(token)
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(
            f"POST {target} HTTP/1.1\r\nHost: ucws.nhso.go.th:80\r\n"
            f'Content-Type: text/xml;charset=UTF-8\r\nSOAPAction: ""\r\n'
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and b"NHSO-000001" in answer
