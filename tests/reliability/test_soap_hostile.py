"""Hostile SOAP against a real ``ucauth server``: every request of the corpus gets a Client
Fault quickly, huge and endless bodies are cut off at the size limit, and the server's memory
stays bounded while the corpus is sent over and over, concurrently."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from lxml import etree
from sqlalchemy.orm import Session

from tests.reliability.soak import record_figures, scaled
from tests.support.factories import add_agent, add_unit, add_user
from tests.support.rights import SAMPLE_ROW, store
from tests.support.server import LiveServer
from tests.support.soap import HOSTILE, PATH, STAFF, XML, request, without
from ucauth.rights.soap import ENVELOPE_NAMESPACE

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.postgres,  # the production database; what is parsed does not depend on it
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

ROUNDS = scaled(5, 100)  # the whole corpus, sent this many times by 8 clients at once
FAULT_SECONDS = 2.0  # the slowest answer allowed, on a loaded 2-core machine
RSS_GROWTH_MIB = 64  # peak resident memory may grow this much over the whole run
OTHER_VERSION = {"SOAP 1.2", "Envelope in no namespace"}  # SOAP 1.1 §4.4.1: VersionMismatch


@pytest.fixture
def server_and_token(
    live_servers: Callable[..., list[LiveServer]], session: Session, database_url: str
) -> tuple[LiveServer, str]:
    (server,) = live_servers(1)
    store(database_url, SAMPLE_ROW)
    add_unit(session)
    add_user(session, STAFF)
    agent = add_agent(session, server.origin)
    with httpx.Client(base_url=server.url) as client:
        return server, agent.token(client, STAFF)


def peak_rss_mib(server: LiveServer) -> float:
    """The server process's peak resident memory so far (VmHWM), MiB."""
    assert server.process is not None
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def faultcode(content: bytes) -> str | None:
    root = etree.fromstring(content)
    return root.findtext(f"{{{ENVELOPE_NAMESPACE}}}Body/{{{ENVELOPE_NAMESPACE}}}Fault/faultcode")


def test_every_hostile_request_gets_a_client_fault_quickly_with_bounded_memory(
    server_and_token: tuple[LiveServer, str],
) -> None:
    server, token = server_and_token
    before = peak_rss_mib(server)

    def send(name: str) -> tuple[str, float, int, str | None]:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            started = time.monotonic()
            response = client.post(PATH, content=HOSTILE[name], headers=XML)
            elapsed = time.monotonic() - started
        return name, elapsed, response.status_code, faultcode(response.content)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, list(HOSTILE) * ROUNDS))
    expected = {
        name: "S:VersionMismatch" if name in OTHER_VERSION else "S:Client" for name in HOSTILE
    }
    assert {(name, status, code) for name, _, status, code in answers} == {
        (name, 500, code) for name, code in expected.items()
    }
    slowest = max(elapsed for _, elapsed, _, _ in answers)
    assert slowest < FAULT_SECONDS, sorted(answers, key=lambda a: -a[1])[:3]
    growth = peak_rss_mib(server) - before
    times = sorted(elapsed for _, elapsed, _, _ in answers)
    record_figures(
        "soap_hostile",
        requests=len(answers),
        kinds=len(HOSTILE),
        median_ms=round(1000 * times[len(times) // 2], 1),
        slowest_ms=round(1000 * slowest, 1),
        peak_rss_before_mib=round(before, 1),
        peak_rss_growth_mib=round(growth, 1),
    )
    assert growth < RSS_GROWTH_MIB, (before, growth)
    with httpx.Client(base_url=server.url) as client:  # still serving
        assert b"NHSO-000001" in client.post(PATH, content=request(token), headers=XML).content
    assert server.log is not None and "Traceback" not in server.log.read_text()


def endless(chunk: bytes, total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield chunk
        sent += len(chunk)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_100_mib_body_is_cut_off_at_the_limit(
    server_and_token: tuple[LiveServer, str], declared: bool
) -> None:
    """The server answers (or hangs up) after 64 KiB, without reading or keeping the rest."""
    server, _ = server_and_token
    before = peak_rss_mib(server)
    total = 100 * 1024 * 1024
    headers = {**XML, **({"Content-Length": str(total)} if declared else {})}
    started = time.monotonic()
    try:
        response = httpx.post(
            f"{server.url}{PATH}",
            content=endless(b"<a>" + b"x" * 65_533, total),
            headers=headers,
            timeout=30,
        )
    except httpx.TransportError:
        pass  # the server stopped reading and closed the connection: refused as well
    else:
        assert (response.status_code, faultcode(response.content)) == (500, "S:Client")
        assert (
            b"64" in response.content or b"65536" in response.content or b"KiB" in response.content
        )
    assert time.monotonic() - started < 10
    assert peak_rss_mib(server) - before < 16


@pytest.mark.parametrize(
    ("field", "status"),
    [("user_person_id", "NHSO-00003"), ("smctoken", "NHSO-00003"), ("person_id", "NHSO-000001")],
)
def test_a_missing_field_gets_an_nhso_answer_not_a_server_fault(
    server_and_token: tuple[LiveServer, str], field: str, status: str
) -> None:
    """As NHSO: no credentials is a token error; no person is an answer with nobody in it."""
    server, token = server_and_token
    response = httpx.post(f"{server.url}{PATH}", content=without(token, field), headers=XML)
    assert response.status_code == 200 and f"<ws_status>{status}<".encode() in response.content


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/x-www-form-urlencoded", "multipart/form-data", None],
)
def test_the_content_type_is_not_what_decides(
    server_and_token: tuple[LiveServer, str], content_type: str | None
) -> None:
    """The body decides: clients that send a wrong content type (PHP's curl posts a string as
    a form) are answered; credentials travel in the body, so a form post from a web page gains
    nothing (no cookies, no ambient authority)."""
    server, token = server_and_token
    headers = {"Content-Type": content_type} if content_type else {}
    with httpx.Client(base_url=server.url) as client:
        answered = client.post(PATH, content=request(token), headers=headers)
        assert answered.status_code == 200 and b"NHSO-000001" in answered.content
        refused = client.post(PATH, content=HOSTILE["billion laughs"], headers=headers)
        assert (refused.status_code, faultcode(refused.content)) == (500, "S:Client")
