"""The server's login batches: concurrent logins share transactions, each gets its own answer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.support.agents import TestAgent
from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.server import BANGKOK, ORIGIN
from ucauth.clock import FixedClock
from ucauth.randomness import SecureRandom
from ucauth.server.database import Database
from ucauth.server.login_batches import LoginBatcher
from ucauth.tokens import service
from ucauth.tokens.errors import BadSignatureError, InvalidCredentialsError
from ucauth.tokens.protocol import SignedLogin, generate_private_key
from ucauth.tokens.service import TokenConfig

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=BANGKOK)
CIDS = [cid_for(n) for n in range(1, 13)]


@pytest.fixture
def agent(session: Session) -> TestAgent:
    add_unit(session)
    for cid in CIDS:
        add_user(session, cid)
    return add_agent(session, ORIGIN)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url, pool_size=4)
    yield database
    asyncio.run(database.dispose())


def logged_in(batcher: LoginBatcher, logins: list[SignedLogin]) -> list[Any]:
    """Submit ``logins`` at once; their answers (tokens or errors)."""

    async def submit() -> list[Any]:
        return await asyncio.gather(
            *(batcher.login(login, "10.0.0.1") for login in logins), return_exceptions=True
        )

    return asyncio.run(submit())


def verified(session: Session, config: TokenConfig, issued: service.IssuedToken) -> str:
    user = service.authenticate(
        session, config, issued.cid, issued.token, now=NOON, client_address="-"
    )
    return user.cid


def signed(session: Session, config: TokenConfig, agent: TestAgent, cid: str) -> SignedLogin:
    issued = service.issue_challenge(
        session, config, agent.agent_id, cid, now=NOON, random=SecureRandom()
    )
    return agent.signed_login(issued.nonce, cid)


@pytest.fixture
def batcher(database: Database, token_config: TokenConfig) -> LoginBatcher:
    return LoginBatcher(database, token_config, FixedClock(NOON), SecureRandom())


@pytest.fixture
def batches(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The CIDs of each batch that ``database`` runs."""
    seen: list[list[str]] = []
    run = database.run

    async def counted(work: Any, config: Any, attempts: Any, **kwargs: Any) -> Any:
        seen.append([attempt.request.payload.cid for attempt in attempts])
        return await run(work, config, attempts, **kwargs)

    monkeypatch.setattr(database, "run", counted)
    return seen


def test_concurrent_logins_share_transactions_and_each_gets_its_answer(
    session: Session,
    token_config: TokenConfig,
    agent: TestAgent,
    batcher: LoginBatcher,
    batches: list[list[str]],
) -> None:
    logins = [signed(session, token_config, agent, cid) for cid in CIDS]
    forged = agent.signed_login(logins[0].payload.nonce, CIDS[0], key=generate_private_key())
    answers = logged_in(batcher, [forged, *logins[1:]])
    assert isinstance(answers[0], BadSignatureError)
    assert [verified(session, token_config, answer) for answer in answers[1:]] == CIDS[1:]
    assert batches == [CIDS]  # one transaction for all of them


def test_two_logins_of_one_card_holder_go_one_after_the_other(
    session: Session,
    token_config: TokenConfig,
    agent: TestAgent,
    batcher: LoginBatcher,
    batches: list[list[str]],
) -> None:
    logins = [signed(session, token_config, agent, cid) for cid in (CIDS[0], CIDS[1], CIDS[0])]
    first, other, second = logged_in(batcher, logins)
    assert batches == [[CIDS[0], CIDS[1]], [CIDS[0]]]
    with pytest.raises(InvalidCredentialsError):  # the later login voided it
        verified(session, token_config, first)
    assert [verified(session, token_config, issued) for issued in (other, second)] == CIDS[1::-1]


def test_a_batch_that_fails_fails_each_of_its_logins_and_the_next_one_runs(
    session: Session, token_config: TokenConfig, agent: TestAgent, batcher: LoginBatcher
) -> None:
    logins = [signed(session, token_config, agent, cid) for cid in CIDS[:3]]
    session.execute(text("ALTER TABLE used_nonces RENAME TO used_nonces_away"))
    session.commit()
    answers = logged_in(batcher, logins)
    assert all(isinstance(a, DBAPIError) and "used_nonces" in str(a) for a in answers), answers
    session.execute(text("ALTER TABLE used_nonces_away RENAME TO used_nonces"))
    session.commit()
    (again,) = logged_in(batcher, [signed(session, token_config, agent, CIDS[0])])
    assert verified(session, token_config, again) == CIDS[0]


def test_logins_that_arrive_during_a_batch_start_before_its_answers_go_out(
    session: Session,
    token_config: TokenConfig,
    agent: TestAgent,
    database: Database,
    batcher: LoginBatcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = (signed(session, token_config, agent, cid) for cid in CIDS[:2])
    order: list[str] = []
    run, gate = database.run, asyncio.Event()

    async def held_first(work: Any, config: Any, attempts: Any, **kwargs: Any) -> Any:
        order.append(f"start {attempts[0].request.payload.cid}")
        if len(order) == 1:
            await gate.wait()  # the first batch is under way until the second login has come
        return await run(work, config, attempts, **kwargs)

    def answered(cid: str, _: object) -> None:
        order.append(f"answer {cid}")

    async def scenario() -> None:
        monkeypatch.setattr(database, "run", held_first)
        tasks = []
        for login in (first, second):
            task = asyncio.create_task(batcher.login(login, "10.0.0.1"))
            task.add_done_callback(partial(answered, login.payload.cid))
            tasks.append(task)
            for _ in range(5):
                await asyncio.sleep(0)
        gate.set()
        await asyncio.gather(*tasks)

    asyncio.run(scenario())
    a, b = CIDS[:2]
    assert order == [f"start {a}", f"start {b}", f"answer {a}", f"answer {b}"]
