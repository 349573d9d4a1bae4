"""SOAP requests for the tests: a ``searchCurrentByPID`` envelope and a corpus of hostile ones.

:data:`HOSTILE` holds requests the endpoint cannot answer (each must get a ``Client`` or
``VersionMismatch`` Fault); :data:`ODD` holds well-meant requests with a missing field or an
unusual content type (each gets an NHSO answer, never a ``Server`` Fault).
"""

from __future__ import annotations

from tests.support.factories import cid_for
from tests.support.rights import PID

PATH = "/ucwstokenp1/UCWSTokenP1"
STAFF = cid_for(1)
XML = {"Content-Type": "text/xml;charset=UTF-8"}
ENVELOPE = b"http://schemas.xmlsoap.org/soap/envelope/"
OPERATION = b"http://tokenws.ucws.nhso.go.th/"


def request(token: str, person: str = PID, *, staff: str = STAFF) -> bytes:
    """The envelope JAX-WS clients send, asking for ``person`` as ``staff`` with ``token``."""
    return (
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
        '<ns2:searchCurrentByPID xmlns:ns2="http://tokenws.ucws.nhso.go.th/">'
        f"<user_person_id>{staff}</user_person_id><smctoken>{token}</smctoken>"
        f"<person_id>{person}</person_id></ns2:searchCurrentByPID></S:Body></S:Envelope>"
    ).encode()


def _in_body(content: bytes) -> bytes:
    return b"<S:Envelope xmlns:S='" + ENVELOPE + b"'><S:Body>" + content + b"</S:Body></S:Envelope>"


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'.encode()
        for n in range(1, 10)
    )
    + b"]>"
    + _in_body(b"&lol9;")
)
HOSTILE = {
    "billion laughs": BILLION_LAUGHS,
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + request("&xxe;")
    ),
    "external DTD": b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">' + request("t"),
    "parameter entity": (
        b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p">%p;]>' + request("t")
    ),
    "DOCTYPE in UTF-16": (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>'.encode("utf-16")
        + request("&a;").decode().encode("utf-16")[2:]
    ),
    "quadratic blow-up": (
        b'<!DOCTYPE x [<!ENTITY a "' + b"x" * 30_000 + b'">]>' + request("&a;" * 1000)
    ),
    "1 MiB": b"<a>" + b"x" * (1024 * 1024) + b"</a>",
    "64 KiB + 1 of whitespace": request("t") + b" " * (64 * 1024 + 1),
    "deep nesting": b"<a>" * 50_000,
    "deep nesting in the Body": _in_body(b"<a>" * 10_000 + b"</a>" * 10_000),
    "10,000 namespace declarations": _in_body(
        b"<x " + b" ".join(b'xmlns:n%d="urn:%d"' % (n, n) for n in range(10_000)) + b"/>"
    ),
    "10,000 attributes": _in_body(
        b"<x " + b" ".join(b'a%d="1"' % n for n in range(10_000)) + b"/>"
    ),
    "60 KB element name": _in_body(b"<" + b"n" * 60_000 + b"/>"),
    "not XML": b"\x00\xff" * 100,
    "empty": b"",
    "JSON": b'{"person_id": "3150300174300"}',
    "truncated": request("t")[:-20],
    "DOCTYPE and XXE in UTF-7": (  # "<!" is "+ADwAIQ-": no "<!DOCTYPE" bytes to spot
        b'<?xml version="1.0" encoding="UTF-7"?>+ADwAIQ-DOCTYPE x [+ADwAIQ-ENTITY xxe SYSTEM '
        b'"file:///etc/passwd"+AD4-]+AD4-' + request("&xxe;")
    ),
    "SOAP 1.2": (
        b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>'
    ),
    "Envelope in no namespace": request("t")
    .replace(b' xmlns:S="' + ENVELOPE + b'"', b"")
    .replace(b"S:", b""),
    "operation in another namespace": request("t").replace(OPERATION, b"urn:evil"),
    "no Body": b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"/>',
    "empty Body": _in_body(b""),
    "unknown operation": request("t").replace(b"searchCurrentByPID", b"deletePerson"),
}


def without(token: str, field: str) -> bytes:
    """A request for the sample person with ``field`` left out."""
    body = request(token)
    start, end = body.index(f"<{field}>".encode()), body.index(f"</{field}>".encode())
    return body[:start] + body[end + len(field) + 3 :]
