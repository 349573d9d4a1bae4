from __future__ import annotations

import time

import pytest

from ucauth.rights.errors import (
    SoapDtdRefusedError,
    SoapMalformedError,
    SoapRequestError,
    SoapRequestTooLargeError,
    SoapUnknownOperationError,
    SoapVersionMismatchError,
)
from ucauth.rights.soap import MAX_REQUEST_BYTES, SearchRequest, parse_request

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "http://tokenws.ucws.nhso.go.th/"
EXPECTED = SearchRequest("3100501234567", "t3bk778j5751946u", "3150300174300")

# As SoapUI and the NHSO examples write it: soapenv/tok, an empty Header, comments.
SOAPUI = f"""<soapenv:Envelope xmlns:soapenv="{ENV}" xmlns:tok="{TNS}">
   <soapenv:Header/>
   <soapenv:Body>
      <tok:searchCurrentByPID>
         <!--Optional:-->
         <user_person_id>3100501234567</user_person_id>
         <!--Optional:-->
         <smctoken>t3bk778j5751946u</smctoken>
         <!--Optional:-->
         <person_id>3150300174300</person_id>
      </tok:searchCurrentByPID>
   </soapenv:Body>
</soapenv:Envelope>"""

# As a JAX-WS client writes it.
JAXWS = (
    f'<?xml version="1.0" ?><S:Envelope xmlns:S="{ENV}"><S:Body>'
    f'<ns2:searchCurrentByPID xmlns:ns2="{TNS}"><user_person_id>3100501234567</user_person_id>'
    "<smctoken>t3bk778j5751946u</smctoken><person_id>3150300174300</person_id>"
    "</ns2:searchCurrentByPID></S:Body></S:Envelope>"
)

# Default namespaces, other prefixes, whitespace around values.
OTHER_PREFIXES = (
    f'<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="{ENV}"><e:Body>'
    f'<searchCurrentByPID xmlns="{TNS}"><user_person_id xmlns=""> 3100501234567 </user_person_id>'
    f'<smctoken xmlns="">t3bk778j5751946u</smctoken><person_id xmlns="">3150300174300\n'
    "</person_id></searchCurrentByPID></e:Body></e:Envelope>"
)


@pytest.mark.parametrize("body", [SOAPUI, JAXWS, OTHER_PREFIXES], ids=["soapui", "jaxws", "other"])
def test_requests_are_parsed_by_namespace_not_by_prefix(body: str) -> None:
    assert parse_request(body.encode()) == EXPECTED


def test_utf16_qualified_children_and_missing_elements() -> None:
    qualified = JAXWS.replace("<user_person_id>", "<ns2:user_person_id>").replace(
        "</user_person_id>", "</ns2:user_person_id>"
    )
    assert parse_request(qualified.encode()) == EXPECTED
    utf16 = JAXWS.replace('<?xml version="1.0" ?>', '<?xml version="1.0" encoding="UTF-16"?>')
    assert parse_request(utf16.encode("utf-16")) == EXPECTED
    empty = JAXWS.replace("<smctoken>t3bk778j5751946u</smctoken>", "<smctoken/>")
    assert parse_request(empty.encode()).smctoken == ""
    nothing = f'<S:Envelope xmlns:S="{ENV}"><S:Body><t:searchCurrentByPID xmlns:t="{TNS}"/>'
    nothing += "</S:Body></S:Envelope>"
    assert parse_request(nothing.encode()) == SearchRequest("", "", "")


def _operation(inner: str) -> bytes:
    return (
        f'<S:Envelope xmlns:S="{ENV}"><S:Body><ns2:searchCurrentByPID xmlns:ns2="{TNS}">'
        f"{inner}</ns2:searchCurrentByPID></S:Body></S:Envelope>"
    ).encode()


LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
BILLION_LAUGHS = (
    f'<?xml version="1.0"?><!DOCTYPE S:Envelope [<!ENTITY lol0 "lol">{LAUGHS}]>'
).encode() + _operation("<person_id>&lol9;</person_id>")
XXE_FILE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    + _operation("<person_id>&xxe;</person_id>")
)
XXE_NETWORK = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd">%p;]>'
    + _operation("<person_id>1</person_id>")
)
EXTERNAL_DTD = b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">' + _operation("")
QUADRATIC = f'<!DOCTYPE x [<!ENTITY a "{"a" * 30000}">]>'.encode() + _operation(
    "<person_id>" + "&a;" * 1000 + "</person_id>"
)
UTF16_BOMB = (
    f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE S:Envelope [<!ENTITY lol0 "lol">{LAUGHS}]>'
).encode("utf-16") + _operation("<person_id>&lol9;</person_id>").decode().encode("utf-16")[2:]
UTF16_DTD = (
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x>' + JAXWS.split("?>", 1)[1]
).encode("utf-16")
XINCLUDE = _operation(
    '<person_id><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" '
    'parse="text"/></person_id>'
)

HOSTILE: list[tuple[str, bytes, type[SoapRequestError]]] = [
    ("billion laughs", BILLION_LAUGHS, SoapDtdRefusedError),
    ("billion laughs in UTF-16", UTF16_BOMB, SoapRequestError),
    ("XXE file", XXE_FILE, SoapDtdRefusedError),
    ("XXE parameter entity over the network", XXE_NETWORK, SoapDtdRefusedError),
    ("external DTD", EXTERNAL_DTD, SoapDtdRefusedError),
    ("DOCTYPE in UTF-16", UTF16_DTD, SoapDtdRefusedError),
    ("quadratic blowup", QUADRATIC, SoapRequestError),
    ("10 MB body", b"<a>" + b"x" * 10_000_000 + b"</a>", SoapRequestTooLargeError),
    ("just over the limit", JAXWS.encode() + b" " * MAX_REQUEST_BYTES, SoapRequestTooLargeError),
    ("not XML", b"user_person_id=1&person_id=2", SoapMalformedError),
    ("empty", b"", SoapMalformedError),
    ("JSON", b'{"person_id": "3150300174300"}', SoapMalformedError),
    ("truncated", JAXWS.encode()[:-20], SoapMalformedError),
    ("not an envelope", b"<searchCurrentByPID/>", SoapMalformedError),
    ("no body", f'<S:Envelope xmlns:S="{ENV}"><S:Header/></S:Envelope>'.encode(),
     SoapMalformedError),
    ("empty body", f'<S:Envelope xmlns:S="{ENV}"><S:Body/></S:Envelope>'.encode(),
     SoapMalformedError),
    ("SOAP 1.2", JAXWS.replace(ENV, "http://www.w3.org/2003/05/soap-envelope").encode(),
     SoapVersionMismatchError),
    ("envelope without namespace", b"<Envelope><Body/></Envelope>", SoapVersionMismatchError),
    ("wrong namespace", JAXWS.replace(TNS, "http://tokenws.ucws.nhso.go.th.evil/").encode(),
     SoapUnknownOperationError),
    ("wrong operation", JAXWS.replace("searchCurrentByPID", "searchPersonByPID").encode(),
     SoapUnknownOperationError),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "error"), [(b, e) for _, b, e in HOSTILE], ids=[n for n, _, _ in HOSTILE]
)
def test_hostile_and_malformed_requests_are_refused_quickly(
    body: bytes, error: type[SoapRequestError]
) -> None:
    started = time.perf_counter()
    with pytest.raises(error) as raised:
        parse_request(body)
    assert time.perf_counter() - started < 1.0
    assert raised.value.message("en") and raised.value.message("th")


def test_xinclude_is_not_processed() -> None:
    assert parse_request(XINCLUDE).person_id == ""
