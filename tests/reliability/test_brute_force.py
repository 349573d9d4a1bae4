"""Guessing through every endpoint is throttled per account and per address, across processes.

An attacker hammers one staff account's token through verify, REST and SOAP, alternating
between two server processes on one PostgreSQL; only as many guesses are ever checked as the
account policy allows in that time (:func:`allowed_guesses`), the rest are refused unchecked.
From one address, guesses spread over many accounts (or forged log-ons, or enrolment codes)
stop after the address policy's free failures, on both processes. docs/reliability.md turns
these policies into guesses per hour.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy.orm import Session

from tests.reliability.soak import record_figures, scaled
from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.rights import PID, SAMPLE_ROW, store
from tests.support.server import LiveServer
from tests.support.soap import PATH, XML, request
from ucauth.tokens import protocol
from ucauth.tokens.throttle import ACCOUNT_POLICY, ADDRESS_POLICY, Policy

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

VICTIM = cid_for(1)
ATTACK_SECONDS = scaled(8, 300)
WRONG = "a" * 16
Servers = Callable[..., list[LiveServer]]


def allowed_guesses(policy: Policy, seconds: float) -> int:
    """The most guesses one key lets be checked in ``seconds``, however they are timed: the free
    failures at once, then one each time the doubling delay runs out."""
    checked, elapsed = 0, 0.0
    while elapsed <= seconds:
        checked += 1
        elapsed += policy.delay(checked).total_seconds()
    return checked


def guess(client: httpx.Client, channel: str, cid: str, token: str) -> bool:
    """One guess of ``token`` for ``cid``; True when the server checked it (a refusal of the
    credentials), False when the throttle refused it unchecked."""
    if channel == "verify":
        response = client.post("/api/v1/auth/verify", json={"username": cid, "password": token})
    elif channel == "rest":
        auth = {"Authorization": f"Bearer {cid}#{token}"}
        response = client.get("/api/ucws/v1/right-search", params={"pid": PID}, headers=auth)
    else:
        response = client.post(PATH, content=request(token, staff=cid), headers=XML)
        assert b"NHSO-00003" in response.content, response.content
        return "Retry-After" not in response.headers
    assert response.status_code in (401, 429), response.text
    return response.status_code == 401


@pytest.fixture
def servers(live_servers: Servers, session: Session, database_url: str) -> list[LiveServer]:
    started = live_servers(2)
    store(database_url, SAMPLE_ROW)
    add_unit(session)
    add_user(session, VICTIM)
    return started


def test_guessing_one_accounts_token_through_every_channel_and_process_is_throttled(
    servers: list[LiveServer], session: Session
) -> None:
    clients = [httpx.Client(base_url=s.url, timeout=30) for s in servers]
    attempts = checked = 0
    started = time.monotonic()
    ways = itertools.cycle(itertools.product(clients, ("verify", "rest", "soap")))
    while time.monotonic() - started < ATTACK_SECONDS:
        client, channel = next(ways)
        attempts += 1
        checked += guess(client, channel, VICTIM, WRONG)
    elapsed = time.monotonic() - started
    for client in clients:
        client.close()
    allowed = allowed_guesses(ACCOUNT_POLICY, elapsed)
    record_figures(
        "brute_force_account",
        seconds=round(elapsed, 1),
        attempts=attempts,
        checked=checked,
        allowed=allowed,
    )
    assert ACCOUNT_POLICY.free_failures <= checked <= allowed
    assert attempts > 10 * checked


def test_one_address_guessing_over_many_accounts_is_stopped_on_every_process(
    servers: list[LiveServer],
) -> None:
    accounts = [cid_for(n) for n in range(100, 100 + 2 * ADDRESS_POLICY.free_failures)]
    clients = [httpx.Client(base_url=s.url, timeout=30) for s in servers]
    answers = [guess(clients[n % 2], "verify", cid, WRONG) for n, cid in enumerate(accounts)]
    assert answers == [True] * (ADDRESS_POLICY.free_failures + 1) + [False] * (
        len(accounts) - ADDRESS_POLICY.free_failures - 1
    )
    assert not any(guess(client, "rest", cid_for(999), WRONG) for client in clients)
    for client in clients:
        client.close()


def test_forged_logons_and_enrolment_codes_from_one_address_are_stopped(
    servers: list[LiveServer], session: Session
) -> None:
    agent = add_agent(session, servers[0].origin)
    forger = protocol.generate_private_key()
    clients = [httpx.Client(base_url=s.url, timeout=30) for s in servers]
    logins = [
        agent.login(clients[n % 2], VICTIM, key=forger).status_code
        for n in range(ADDRESS_POLICY.free_failures + 3)
    ]
    assert logins[: ADDRESS_POLICY.free_failures + 1] == [403] * (ADDRESS_POLICY.free_failures + 1)
    assert set(logins[ADDRESS_POLICY.free_failures + 1 :]) == {429}
    key = protocol.encode_b64(protocol.public_key_bytes(forger))
    codes = [
        clients[n % 2]
        .post("/api/v1/agents/enroll", json={"code": f"{n:024d}", "name": "x", "public_key": key})
        .status_code
        for n in range(ADDRESS_POLICY.free_failures + 3)
    ]
    assert codes[: ADDRESS_POLICY.free_failures + 1] == [403] * (ADDRESS_POLICY.free_failures + 1)
    assert set(codes[ADDRESS_POLICY.free_failures + 1 :]) == {429}
    assert agent.login(clients[0], VICTIM).status_code == 429  # the address, even signed well
    for client in clients:
        client.close()
