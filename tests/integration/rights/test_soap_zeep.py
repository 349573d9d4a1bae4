"""A client generated from OUR WSDL by zeep calls a local HTTP server that serves our WSDL and
XSD and answers with our request parser and response builders."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import pytest
import zeep
from zeep.exceptions import Fault

from tests.support.rights import PENDING, PID
from ucauth.rights.errors import SoapRequestError
from ucauth.rights.soap import (
    ACTION,
    CONTENT_TYPE,
    FAULT_HTTP_STATUS,
    MAX_REQUEST_BYTES,
    build_fault,
    build_search_response,
    build_token_error_response,
    parse_request,
    wsdl_document,
    xsd_document,
)

PATH = "/ucwstokenp1/UCWSTokenP1"
STAFF, TOKEN = "3100501234567", "t3bk778j5751946u"
AT = datetime(2020, 11, 11, 4, 5, 37, tzinfo=UTC)


class _Handler(BaseHTTPRequestHandler):
    address = ""
    actions: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        if self.path == f"{PATH}?wsdl":
            self._send(200, wsdl_document(self.address))
        elif self.path == f"{PATH}?xsd=1":
            self._send(200, xsd_document())
        else:
            self._send(404, b"")

    def do_POST(self) -> None:
        self.actions.append(self.headers.get("SOAPAction"))
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(length, MAX_REQUEST_BYTES + 1))
        try:
            request = parse_request(body)
        except SoapRequestError as error:
            self._send(FAULT_HTTP_STATUS, build_fault(error, "en"))
            return
        if (request.user_person_id, request.smctoken) != (STAFF, TOKEN):
            self._send(200, build_token_error_response(wsid="WS000000000001001", requested_at=AT))
            return
        found = PENDING if request.person_id == PID else None
        self._send(200, build_search_response(found, wsid="WS000000000001000", requested_at=AT))

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.address = f"http://127.0.0.1:{server.server_address[1]}{PATH}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield _Handler.address
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def client(address: str) -> zeep.Client:
    return zeep.Client(f"{address}?wsdl")  # type: ignore[no-untyped-call]


def test_zeep_builds_its_client_from_our_wsdl(client: zeep.Client) -> None:
    service = client.wsdl.services["UCWSTokenP1"]
    port = service.ports["UCWSTokenP1Port"]
    assert port.binding.name.localname == "UCWSTokenP1PortBinding"
    assert list(port.binding._operations) == ["searchCurrentByPID"]


def test_zeep_reads_our_response(client: zeep.Client) -> None:
    result = client.service.searchCurrentByPID(user_person_id=STAFF, smctoken=TOKEN, person_id=PID)
    assert _Handler.actions[-1] == '""'  # soapAction="" in our binding
    assert result.ws_status == "NHSO-000001" and result.ws_status_desc == "ok"
    assert result.count_select == 0
    assert result.wsid == "WS000000000001000"
    assert result.ws_date_request.isoformat() == "2020-11-11T11:05:37+07:00"
    assert (result.fname, result.lname, result.person_id) == ("ธนิกุล", "ศรีอุทิศ", PID)
    assert result.birthdate == "25260912"
    assert result.maininscl_name == "สิทธิหลักประกันสุขภาพแห่งชาติ"
    assert result.new_hmain == "11582"
    assert result.new_date_register == datetime(2025, 1, 20, 3, 15, tzinfo=UTC)
    assert result.hsub is None and result.cardid is None and result.status is None
    assert date(1983, 9, 12).year + 543 == int(result.birthdate[:4])


def test_zeep_sees_nobody_found_and_a_bad_token(client: zeep.Client) -> None:
    nobody = client.service.searchCurrentByPID(user_person_id=STAFF, smctoken=TOKEN, person_id="1")
    assert nobody.ws_status == "NHSO-000001" and not nobody.fname
    expired = client.service.searchCurrentByPID(user_person_id=STAFF, smctoken="x", person_id=PID)
    assert expired.ws_status == "NHSO-00003" and "Token" in expired.ws_status_desc


@pytest.mark.parametrize("action", [None, '""', "", f'"{ACTION}"', ACTION])
def test_any_soap_action_header(address: str, action: str | None) -> None:
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:tok="http://tokenws.ucws.nhso.go.th/"><soapenv:Header/><soapenv:Body>'
        f"<tok:searchCurrentByPID><user_person_id>{STAFF}</user_person_id><smctoken>{TOKEN}"
        f"</smctoken><person_id>{PID}</person_id></tok:searchCurrentByPID>"
        "</soapenv:Body></soapenv:Envelope>"
    )
    headers = {"Content-Type": "text/xml;charset=UTF-8"}
    if action is not None:
        headers["SOAPAction"] = action
    response = httpx.post(address, content=envelope.encode(), headers=headers)
    assert response.status_code == 200
    assert (
        b"<ns2:searchCurrentByPIDResponse" in response.content
        and b"NHSO-000001" in response.content
    )


class _OtherOperation(zeep.Plugin):
    """Renames the operation in the outgoing envelope, as a client of another service would."""

    def egress(self, envelope: Any, http_headers: Any, operation: Any, binding_options: Any) -> Any:
        body = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
        body[0].tag = "{http://tokenws.ucws.nhso.go.th/}searchPersonByPID"
        return envelope, http_headers


def test_a_request_we_cannot_answer_gets_a_fault_zeep_reads(address: str) -> None:
    response = httpx.post(address, content=b"<not-soap/>", headers={"Content-Type": CONTENT_TYPE})
    assert response.status_code == 500 and b"<faultcode>S:Client</faultcode>" in response.content
    client = zeep.Client(f"{address}?wsdl", plugins=[_OtherOperation()])  # type: ignore[no-untyped-call]
    with pytest.raises(Fault) as raised:
        client.service.searchCurrentByPID(user_person_id=STAFF, smctoken=TOKEN, person_id=PID)
    assert raised.value.code == "S:Client"
    assert raised.value.message.startswith(
        "No operation {http://tokenws.ucws.nhso.go.th/}searchPersonByPID"
    )
