"""The raw SOAP pair in examples/soap: the request, sent to our server with a live token,
gets exactly the response in the file (only the request id differs), so the pair cannot go
stale. ``UCAUTH_UPDATE_EXAMPLES=1`` rewrites the response file from the server's answer."""

from __future__ import annotations

import os
import re
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session

from tests.support.factories import add_agent, add_unit, add_user
from tests.support.rights import write_csv
from tests.support.server import ORIGIN, START, TOKEN_KEY
from ucauth.clock import FixedClock
from ucauth.db import make_engine
from ucauth.demo.seed import CLERK_UNIT, EXAMPLES
from ucauth.rights.code_tables import CodeKind, demo_entries, replace_code_table
from ucauth.rights.importer import import_beneficiaries
from ucauth.server.app import create_app
from ucauth.settings import ServerSettings

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "examples" / "soap"
CLERK = "1101700203450"
WSID = re.compile(rb"<wsid>WS[0-9]{15}</wsid>")


def test_the_soap_example_pair_is_what_the_server_answers(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    people = write_csv(tmp_path / "people.csv", [dict(row) for row in EXAMPLES])
    import_beneficiaries(engine, people, reject_file=tmp_path / "rejects.csv")
    with Session(engine, expire_on_commit=False) as session:
        replace_code_table(session, CodeKind.HOSPITALS, demo_entries(CodeKind.HOSPITALS))
        session.commit()
        add_unit(session, CLERK_UNIT, province="1200")
        add_user(session, CLERK, unit=CLERK_UNIT)
        agent = add_agent(session, ORIGIN, unit=CLERK_UNIT)
    engine.dispose()
    settings = ServerSettings(
        database_url=sqlite_url, token_key=SecretStr(TOKEN_KEY), origin=ORIGIN, jobs_enabled=False
    )
    app = create_app(settings, clock=FixedClock(START))
    request = (EXAMPLES_DIR / "request.xml").read_bytes()
    with TestClient(app, base_url=ORIGIN) as client:
        token = agent.token(client, CLERK)
        body = request.replace(b"abcd1234efgh5678", token.encode())
        answer = client.post(
            "/ucwstokenp1/UCWSTokenP1",
            content=body,
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
        )
    assert answer.status_code == 200
    assert b"<fname>\xe0\xb8\x9b" in answer.content  # ประเสริฐ: found
    expected_path = EXAMPLES_DIR / "response.xml"
    if os.environ.get("UCAUTH_UPDATE_EXAMPLES") == "1":
        expected_path.write_bytes(answer.content + b"\n")
    expected = expected_path.read_bytes().rstrip(b"\n")
    assert WSID.sub(b"<wsid/>", answer.content) == WSID.sub(b"<wsid/>", expected)
