from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from tests.support.agents import TestAgent
from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.server import BANGKOK, ORIGIN
from ucauth.accounts import service as accounts
from ucauth.accounts.models import User, UserStatus
from ucauth.audit.models import AuditEvent
from ucauth.audit.service import events
from ucauth.db import make_engine
from ucauth.randomness import SecureRandom, SeededRandom
from ucauth.tokens import credentials, nonces, service
from ucauth.tokens.errors import (
    AccountSuspendedError,
    InvalidCredentialsError,
    NonceExpiredError,
    NonceUnknownError,
    TooManyAttemptsError,
)
from ucauth.tokens.models import Throttle, Token, UsedNonce
from ucauth.tokens.service import TokenConfig

CID = cid_for(1)
OTHER = cid_for(2)
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=BANGKOK)
ADDRESS = "10.1.2.3"


@pytest.fixture
def agent(session: Session) -> TestAgent:
    add_unit(session)
    add_user(session, CID)
    add_user(session, OTHER)
    return add_agent(session, ORIGIN)


def log_in(
    session: Session, config: TokenConfig, agent: TestAgent, at: datetime, cid: str = CID
) -> service.IssuedToken:
    random = SeededRandom(int(at.timestamp()))
    nonce = service.issue_challenge(
        session, config, agent.agent_id, cid, now=at, random=random
    ).nonce
    signed = agent.signed_login(nonce, cid)
    return service.login(
        session, config, signed, now=at, client_address=ADDRESS, random=SecureRandom()
    )


def verify(
    session: Session, config: TokenConfig, token: str, at: datetime, cid: str = CID
) -> service.AuthenticatedUser:
    return service.authenticate(session, config, cid, token, now=at, client_address=ADDRESS)


def test_login_gives_a_token_that_verifies_with_its_cid(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    issued = log_in(session, token_config, agent, NOON)
    assert issued.cid == CID and len(issued.token) == 16
    user = verify(session, token_config, issued.token, NOON + timedelta(hours=1))
    assert (user.cid, user.agent_id, user.first_name) == (CID, agent.agent_id, "สมชาย")
    assert user.expires_at == issued.expires_at == datetime(2026, 11, 26, 0, 0, tzinfo=BANGKOK)
    with pytest.raises(InvalidCredentialsError):  # a token is only good with its own CID
        verify(session, token_config, issued.token, NOON, cid=OTHER)


def test_the_token_is_stored_only_as_its_hmac(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    issued = log_in(session, token_config, agent, NOON)
    stored = session.scalars(select(Token.token_hmac)).one()
    assert stored == credentials.token_hmac(token_config.key, issued.token)
    dump = "\n".join(
        str(row)
        for table in ("tokens", "audit_events", "used_nonces", "throttles")
        for row in session.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
    )
    assert issued.token not in dump


def test_a_new_login_revokes_the_previous_token_and_audits_it(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    first = log_in(session, token_config, agent, NOON)
    second = log_in(session, token_config, agent, NOON + timedelta(minutes=1))
    with pytest.raises(InvalidCredentialsError):
        verify(session, token_config, first.token, NOON + timedelta(minutes=2))
    assert verify(session, token_config, second.token, NOON + timedelta(minutes=2)).cid == CID
    assert len(session.scalars(select(Token.user_id)).all()) == 1
    actions = [(e.action, e.reason) for e in events(session, subject_cid=CID)]
    assert ("token_revoke", "superseded") in actions
    assert actions.count(("login", None)) == 2 and actions.count(("token_issue", None)) == 2
    label = credentials.log_label(credentials.token_hmac(token_config.key, first.token))
    assert events(session, actions=["token_revoke"])[0].details == {"token": label}


def test_login_stamps_last_access_and_the_agent_last_seen(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    log_in(session, token_config, agent, NOON)
    user = session.scalars(select(User).where(User.cid == CID)).one()
    session.refresh(user)
    assert user.last_access_at == NOON
    login = events(session, actions=["login"])[0]
    assert (login.actor, login.agent_id, login.client_address) == (CID, agent.agent_id, ADDRESS)
    assert login.details is not None and login.details["card_expiry"] == "2031-03-14"


def test_token_issued_one_second_before_midnight_dies_at_midnight(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    issued_at = datetime(2026, 11, 25, 23, 59, 59, tzinfo=BANGKOK)
    issued = log_in(session, token_config, agent, issued_at)
    assert issued.expires_at == datetime(2026, 11, 26, 0, 0, 0, tzinfo=BANGKOK)
    assert issued.expires_at - issued_at == timedelta(seconds=1)
    verify(session, token_config, issued.token, issued_at + timedelta(milliseconds=999))
    with pytest.raises(InvalidCredentialsError):
        verify(session, token_config, issued.token, issued.expires_at)


def test_token_issued_at_midnight_lives_a_whole_day(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    midnight = datetime(2026, 11, 26, 0, 0, 0, tzinfo=BANGKOK)
    issued = log_in(session, token_config, agent, midnight)
    assert issued.expires_at == midnight + timedelta(days=1)
    verify(session, token_config, issued.token, issued.expires_at - timedelta(seconds=1))


def test_tokens_die_at_midnight_of_the_configured_time_zone(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    utc = replace(token_config, zone=ZoneInfo("UTC"))
    issued = log_in(session, utc, agent, NOON)  # 05:00 UTC
    assert issued.expires_at == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    verify(session, utc, issued.token, datetime(2026, 11, 25, 23, 59, 59, tzinfo=UTC))


def test_an_expired_token_is_refused_and_audited(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    issued = log_in(session, token_config, agent, NOON)
    with pytest.raises(InvalidCredentialsError):
        verify(session, token_config, issued.token, NOON + timedelta(days=1))
    failure = events(session, actions=["verify"])[0]
    assert (failure.outcome, failure.reason, failure.subject_cid) == (
        "failure",
        "expired_token",
        CID,
    )


def test_unknown_account_and_wrong_token_get_the_same_answer_after_the_same_work(
    session: Session,
    token_config: TokenConfig,
    agent: TestAgent,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log_in(session, token_config, agent, NOON)
    comparisons: list[bytes] = []
    real = credentials.matches

    def counting(stored: bytes, key: bytes, token: str) -> bool:
        comparisons.append(stored)
        return real(stored, key, token)

    monkeypatch.setattr("ucauth.tokens.service.matches", counting)
    answers = []
    for cid in (CID, cid_for(99)):  # a real account with a wrong token; no account at all
        with pytest.raises(InvalidCredentialsError) as raised:
            verify(session, token_config, "wrongtoken000000", NOON, cid=cid)
        answers.append((raised.value.code, raised.value.message("th"), raised.value.params))
    assert answers[0] == answers[1]
    assert len(comparisons) == 2  # one HMAC comparison each (a dummy one for the unknown CID)
    keys = set(session.scalars(select(Throttle.key)))
    assert keys == {f"verify:addr:{ADDRESS}", f"verify:acct:{CID}", f"verify:acct:{cid_for(99)}"}
    reasons = {e.reason for e in events(session, actions=["verify"])}
    assert reasons == {"wrong_token", "unknown_account"}


def test_failed_verifies_are_throttled_per_account_before_the_work(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    issued = log_in(session, token_config, agent, NOON)
    for _ in range(6):  # five free failures; the sixth blocks for a second
        with pytest.raises(InvalidCredentialsError):
            verify(session, token_config, "wrongtoken000000", NOON)
    with pytest.raises(TooManyAttemptsError) as raised:  # even the right token waits
        verify(session, token_config, issued.token, NOON)
    assert raised.value.retry_after == 1
    later = NOON + timedelta(seconds=1)
    assert verify(session, token_config, issued.token, later).cid == CID
    assert session.scalar(select(Throttle.key).where(Throttle.key.like("verify:acct:%"))) is None


def test_throttle_blocks_are_bounded_no_permanent_lockout(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    issued = log_in(session, token_config, agent, NOON)
    at = NOON
    for _ in range(40):  # an attacker who keeps failing as soon as allowed
        try:
            verify(session, token_config, "wrongtoken000000", at)
        except InvalidCredentialsError:
            pass
        except TooManyAttemptsError as blocked:
            assert blocked.retry_after <= 300
            at += timedelta(seconds=blocked.retry_after)
    at += timedelta(minutes=5)  # the longest block of any key
    assert verify(session, token_config, issued.token, at).cid == CID


def test_failures_count_per_client_address_across_accounts(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    for n in range(21):  # twenty free failures per address, whatever the account
        with pytest.raises(InvalidCredentialsError):
            verify(session, token_config, "wrongtoken000000", NOON, cid=cid_for(100 + n))
    with pytest.raises(TooManyAttemptsError):
        verify(session, token_config, "wrongtoken000000", NOON, cid=cid_for(500))
    with pytest.raises(InvalidCredentialsError):  # another address is not blocked
        service.authenticate(
            session, token_config, cid_for(500), "x" * 16, now=NOON, client_address="10.9.9.9"
        )


def test_throttling_is_shared_by_every_process_on_the_database(
    database_url: str, session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    issued = log_in(session, token_config, agent, NOON)
    for _ in range(6):
        with pytest.raises(InvalidCredentialsError):
            verify(session, token_config, "wrongtoken000000", NOON)
    other_process = make_engine(database_url)  # its own pool, as another server process has
    with other_process.connect() as db, pytest.raises(TooManyAttemptsError):
        service.authenticate(
            db, token_config, CID, issued.token, now=NOON, client_address="10.7.7.7"
        )
    other_process.dispose()


def test_a_right_token_of_an_account_no_longer_active_is_refused_as_such(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    issued = log_in(session, token_config, agent, NOON)
    session.execute(update(User).where(User.cid == CID).values(status=UserStatus.SUSPENDED))
    session.commit()
    with pytest.raises(AccountSuspendedError):
        verify(session, token_config, issued.token, NOON)


def test_verify_stamps_last_access_at_most_every_five_minutes(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    issued = log_in(session, token_config, agent, NOON)

    def last_access() -> datetime | None:
        return session.scalar(select(User.last_access_at).where(User.cid == CID))

    verify(session, token_config, issued.token, NOON + timedelta(minutes=4))
    assert last_access() == NOON
    verify(session, token_config, issued.token, NOON + timedelta(minutes=5))
    assert last_access() == NOON + timedelta(minutes=5)


def test_logout_ends_the_session_now(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    issued = log_in(session, token_config, agent, NOON)
    service.logout(session, token_config, CID, issued.token, now=NOON, client_address=ADDRESS)
    with pytest.raises(InvalidCredentialsError):
        verify(session, token_config, issued.token, NOON)
    assert events(session, actions=["token_revoke"])[0].reason == "logout"


def test_revoking_or_suspending_an_account_kills_its_session(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    first = log_in(session, token_config, agent, NOON)
    second = log_in(session, token_config, agent, NOON, cid=OTHER)
    accounts.revoke_user(session, CID, reason="left", actor="cli:test", now=NOON)
    accounts.suspend_user(session, OTHER, reason="audit", actor="cli:test", now=NOON)
    for cid, issued in ((CID, first), (OTHER, second)):
        with pytest.raises(InvalidCredentialsError):
            verify(session, token_config, issued.token, NOON, cid=cid)
    reasons = {e.reason for e in events(session, actions=["token_revoke"])}
    assert reasons == {"revoked", "suspended"}


def test_account_status_for_an_enrolled_agent(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    accounts.revoke_user(session, OTHER, reason="inactive", actor="cli:test", now=NOON)
    states = {}
    for cid in (CID, OTHER, cid_for(77)):
        nonce = service.issue_challenge(
            session, token_config, agent.agent_id, cid, now=NOON, random=SecureRandom()
        ).nonce
        states[cid] = service.account_status(
            session, token_config, agent.signed_status(nonce, cid), now=NOON, client_address="x"
        )
    assert states[CID].status == "active"
    assert (states[OTHER].status, states[OTHER].revoked_reason) == ("revoked", "inactive")
    assert states[OTHER].revoked_at == NOON
    assert states[cid_for(77)] == service.AccountState("not_registered")


def test_purge_removes_only_what_is_dead(
    session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    log_in(session, token_config, agent, NOON)  # its nonce is used until 12:05, kept to 12:10
    service.issue_challenge(  # an unused challenge leaves nothing behind
        session, token_config, agent.agent_id, CID, now=NOON, random=SecureRandom()
    )
    zero = {"nonces": 0, "tokens": 0, "throttles": 0}
    assert service.purge_expired(session, NOON + timedelta(minutes=9)) == zero
    assert session.scalars(select(UsedNonce.expires_at)).all() == [NOON + timedelta(minutes=5)]
    counts = service.purge_expired(session, NOON + timedelta(days=1))
    assert counts == {"nonces": 1, "tokens": 1, "throttles": 0}
    assert session.scalars(select(UsedNonce.nonce)).all() == []
    assert session.scalar(select(AuditEvent.id).limit(1)) is not None  # the audit stays


def test_a_used_nonce_is_kept_as_its_hmac_and_refused_until_and_after_its_purge(
    database_url: str, session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    nonce = service.issue_challenge(
        session, token_config, agent.agent_id, CID, now=NOON, random=SecureRandom()
    ).nonce
    assert session.scalars(select(UsedNonce.nonce)).all() == []  # a challenge writes nothing
    signed = agent.signed_login(nonce, CID)
    engine = make_engine(database_url)  # as another server process would

    def log_in_at(at: datetime) -> service.IssuedToken:
        with engine.connect() as other_process:
            return service.login(
                other_process,
                token_config,
                signed,
                now=at,
                client_address=ADDRESS,
                random=SecureRandom(),
            )

    log_in_at(NOON)
    binding = nonces.unseal(token_config.nonce_key, nonce)
    assert binding is not None and binding.expires_at == NOON + timedelta(minutes=5)
    used = session.execute(select(UsedNonce.nonce, UsedNonce.expires_at)).all()
    assert [tuple(row) for row in used] == [(binding.tag, binding.expires_at)]
    with pytest.raises(NonceUnknownError):  # a replay, from any process
        log_in_at(NOON + timedelta(minutes=4))
    assert service.purge_expired(session, NOON + timedelta(minutes=10))["nonces"] == 1
    with pytest.raises(NonceExpiredError):  # purged: its own expiry still refuses it
        log_in_at(NOON + timedelta(minutes=10))
    engine.dispose()
    reasons = [e.reason for e in events(session, actions=["login"]) if e.outcome == "failure"]
    assert reasons == ["nonce_expired", "nonce_unknown"]


def test_fifty_concurrent_logins_of_one_user_leave_exactly_one_valid_token(
    database_url: str, session: Session, token_config: TokenConfig, agent: TestAgent
) -> None:
    engine = make_engine(database_url, pool_size=50)
    nonces = [
        service.issue_challenge(
            session, token_config, agent.agent_id, CID, now=NOON, random=SecureRandom()
        )
        for _ in range(50)
    ]

    def one_login(challenge: service.IssuedChallenge) -> str:
        with engine.connect() as db:
            return service.login(
                db,
                token_config,
                agent.signed_login(challenge.nonce, CID),
                now=NOON,
                client_address=ADDRESS,
                random=SecureRandom(),
            ).token

    with ThreadPoolExecutor(50) as pool:
        tokens = list(pool.map(one_login, nonces))
    engine.dispose()
    stored = session.scalars(select(Token.token_hmac)).all()
    valid = [t for t in tokens if [credentials.token_hmac(token_config.key, t)] == stored]
    assert len(set(tokens)) == 50 and len(valid) == 1
    assert verify(session, token_config, valid[0], NOON).cid == CID
    assert len(events(session, actions=["token_revoke"], limit=100)) == 49
