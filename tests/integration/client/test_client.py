"""``ucauth.client`` against a real server process: REST, SOAP, batch and log-on checks, sync
and async, with typed results and typed errors; the token file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.rights import PID, SAMPLE_ROW, store
from tests.support.server import LiveServer
from ucauth.cid import complete_cid
from ucauth.client import (
    AgentUnavailableError,
    AsyncRightsClient,
    Credentials,
    CredentialsRefusedError,
    RightsClient,
    ServerUnreachableError,
    ThrottledError,
    async_agent_token,
    token_file,
)
from ucauth.errors import InvalidCitizenIdError

STAFF = cid_for(1)
NOBODY = complete_cid("110170012345")


@pytest.fixture
def credentials(live_server: LiveServer, session: Session, database_url: str) -> Credentials:
    store(database_url, SAMPLE_ROW)
    add_unit(session)
    add_user(session, STAFF)
    with httpx.Client(base_url=live_server.url) as client:
        return Credentials(STAFF, add_agent(session, live_server.origin).token(client, STAFF))


def test_sync_rest_soap_batch_and_verify(live_server: LiveServer, credentials: Credentials) -> None:
    with RightsClient(live_server.url, credentials, lang="en") as client:
        rest = client.right_search(PID)
        assert rest is not None and rest.fname == "ธนิกุล" and rest.funds[0].main_inscl
        assert rest.funds[0].main_inscl.id == "UCS"
        soap = client.soap_search(PID)
        assert soap is not None and soap.found and soap.person_id == PID
        assert (soap.fname, soap.maininscl, soap.get("birthdate")) == ("ธนิกุล", "UCS", "25260912")
        assert soap.ws_status == "NHSO-000001" and soap.wsid.startswith("WS")
        assert not soap.has_pending_change
        assert client.right_search(NOBODY) is None
        assert client.soap_search(NOBODY) is None
        batch = client.right_search_batch([PID, NOBODY])
        assert [item.result is not None for item in batch.results] == [True, False]
        session = client.verify()
        assert session.user.cid == STAFF and session.valid
        with pytest.raises(InvalidCitizenIdError):
            client.right_search("3150300174301")
        with pytest.raises(CredentialsRefusedError):
            client.verify(Credentials(STAFF, "0" * 16))


def test_refused_and_throttled_tokens_are_typed(
    live_server: LiveServer, credentials: Credentials
) -> None:
    wrong = Credentials(STAFF, "x" * 16)
    with RightsClient(live_server.url, wrong, lang="en") as client:
        with pytest.raises(CredentialsRefusedError) as refused:
            client.soap_search(PID)
        assert "Token" in refused.value.message("en")
        errors = []
        for _ in range(6):
            with pytest.raises((CredentialsRefusedError, ThrottledError)) as error:
                client.soap_search(PID)
            errors.append(error.value)
        assert isinstance(errors[-1], ThrottledError) and errors[-1].retry_after >= 1
        with pytest.raises(ThrottledError):
            client.right_search(PID)


def test_async_client(live_server: LiveServer, credentials: Credentials) -> None:
    async def lookups() -> None:
        async with AsyncRightsClient(live_server.url, credentials) as client:
            rest, soap, nobody, session = await asyncio.gather(
                client.right_search(PID),
                client.soap_search(PID),
                client.soap_search(NOBODY),
                client.verify(),
            )
            assert rest is not None and rest.pid == PID
            assert soap is not None and soap.lname == "ศรีอุทิศ"
            assert nobody is None and session.user.cid == STAFF
            batch = await client.right_search_batch([NOBODY, PID])
            assert [item.pid for item in batch.results] == [NOBODY, PID]

    asyncio.run(lookups())


def test_unreachable_server_and_agent() -> None:
    credentials = Credentials(STAFF, "t" * 16)
    with (
        RightsClient("http://127.0.0.1:9", credentials) as client,
        pytest.raises(ServerUnreachableError),
    ):
        client.right_search(PID)
    with pytest.raises(AgentUnavailableError):
        asyncio.run(async_agent_token("http://127.0.0.1:9"))


def test_token_file(tmp_path: Path) -> None:
    path = tmp_path / "nhso_token.txt"
    path.write_text(f"{STAFF}#abcdefgh12345678\n", encoding="utf-8")
    assert token_file(path) == Credentials(STAFF, "abcdefgh12345678")
    path.write_text("no token here\n", encoding="utf-8")
    with pytest.raises(AgentUnavailableError):
        token_file(path)
    with pytest.raises(AgentUnavailableError):
        token_file(tmp_path / "missing.txt")
