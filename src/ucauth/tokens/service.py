"""Challenges, card login, token verification (the hot path of every rights lookup), logout.

Every function takes ``db``, an ORM Session or a Core Connection (lighter; the server's hot
routes use one). Each public function is one unit of work: it commits what it changed, and it
commits its failure records (throttle counters, audit) before raising, so they survive the
refusal. Statements are few and indexed; the request's throttle counters are read in the same
query as its own data.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    Integer,
    LargeBinary,
    Row,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY

from ucauth.accounts.models import Agent, AgentStatus, Role, User, UserStatus
from ucauth.audit.service import Action, Event, Outcome, record, record_bulk
from ucauth.cid import is_valid_cid, validate_cid
from ucauth.db import Db, DriverQuery, DriverStatement, Reader, UtcDateTime, dialect_name, upserts
from ucauth.randomness import RandomSource
from ucauth.settings import ServerSettings
from ucauth.tokens import nonces, throttle
from ucauth.tokens.active_agents import ActiveAgents
from ucauth.tokens.credentials import (
    log_label,
    matches,
    new_token,
    session_reference,
    token_hmac,
)
from ucauth.tokens.errors import (
    AccountNotRegisteredError,
    AccountPendingError,
    AccountRevokedError,
    AccountSuspendedError,
    AgentDisabledError,
    AgentUnknownError,
    BadSignatureError,
    CardExpiredError,
    CidMismatchError,
    InvalidCredentialsError,
    NonceAgentMismatchError,
    NonceExpiredError,
    NonceUnknownError,
    OriginMismatchError,
    TokensError,
)
from ucauth.tokens.lifetime import token_expiry
from ucauth.tokens.models import Token, UsedNonce
from ucauth.tokens.protocol import (
    SignedAccountStatusQuery,
    SignedLogin,
    SignedMessage,
    verify_signature,
)
from ucauth.tokens.throttle import Keys, Scope

CHALLENGE_LIFETIME = timedelta(minutes=5)
# A used nonce is kept this long past its expiry: a server process whose clock lags the purging
# one's still refuses it as used.
NONCE_GRACE = timedelta(minutes=5)
STAMP_INTERVAL = timedelta(minutes=5)  # verifies stamp last access (agents: last seen) this often
NOT_REGISTERED = "not_registered"
_DUMMY_HMAC = bytes(32)
AnyRow: TypeAlias = "Row[*tuple[Any, ...]]"


@dataclass(frozen=True)
class TokenConfig:
    """What this module needs from the server's settings."""

    key: bytes  # HMAC key of stored tokens
    origin: str  # this server's origin, as agents sign it
    zone: ZoneInfo  # tokens die at the next midnight here
    legacy_until: datetime | None = None  # legacy unit credentials accepted before (R8)

    @classmethod
    def from_settings(cls, settings: ServerSettings) -> TokenConfig:
        """From :meth:`ServerSettings.secured` settings."""
        return cls(
            settings.token_key.get_secret_value().encode("utf-8"),
            settings.public_origin(),
            settings.zone,
            settings.legacy_sunset(),
        )

    @cached_property
    def nonce_key(self) -> bytes:
        """The HMAC key of challenge nonces (:mod:`ucauth.tokens.nonces`)."""
        return nonces.nonce_key(self.key)


@dataclass(frozen=True)
class IssuedChallenge:
    nonce: bytes
    expires_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the HIS username is ``cid``, the password ``token``."""

    cid: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class AuthenticatedUser:
    """Who a valid ``(CID, token)`` pair belongs to, and which workstation issued the token."""

    user_id: int
    cid: str
    first_name: str
    last_name: str
    unit_hcode: str
    role: Role
    agent_id: int | None
    expires_at: datetime

    @classmethod
    def of(cls, row: AnyRow) -> AuthenticatedUser:
        """The user of an ``_AUTHENTICATE`` row."""
        return cls(
            row.id,
            row.cid,
            row.first_name,
            row.last_name,
            row.unit_hcode,
            row.role,
            row.agent_id,
            row.expires_at,
        )


@dataclass(frozen=True)
class AccountState:
    """An account's status as an agent shows it: a ``UserStatus`` value or ``not_registered``."""

    status: str
    revoked_at: datetime | None = None
    revoked_reason: str | None = None


# Its parameter is text, as every parameter of a batched read (``Reader.fetch``) is.
_AGENT_STATUS = DriverQuery(
    select(Agent.status).where(Agent.id == cast(bindparam("agent_id", type_=String), Integer))
)
_USE_NONCE = {
    dialect: DriverStatement(statement)
    for dialect, statement in upserts(
        lambda insert: (
            insert(UsedNonce)
            .on_conflict_do_nothing(index_elements=[UsedNonce.nonce])
            .returning(UsedNonce.nonce)
        )  # no row: used already
    ).items()
}
_STAMP_AGENT = (
    update(Agent)
    .where(Agent.id == bindparam("agent_id"))
    .values(last_seen_at=bindparam("now", type_=UtcDateTime))
)
_STAMP_USER = (
    update(User)
    .where(User.id == bindparam("user_id"))
    .values(last_access_at=bindparam("now", type_=UtcDateTime))
)
_ACCOUNT_STATE = select(User.status, User.revoked_at, User.revoked_reason).where(
    User.cid == bindparam("cid")
)
_REVOCATION = select(User.revoked_at, User.revoked_reason).where(User.id == bindparam("user_id"))
# The tokens of many users: an array parameter on PostgreSQL (one placeholder, however many
# users), an expanded IN list on SQLite.
_DELETE_TOKENS = {
    dialect: delete(Token).where(users).returning(Token.user_id, Token.token_hmac, Token.expires_at)
    for dialect, users in (
        ("sqlite", Token.user_id.in_(bindparam("user_ids", expanding=True))),
        ("postgresql", Token.user_id == any_(bindparam("user_ids", type_=ARRAY(Integer)))),
    )
}
_DELETE_THIS_TOKEN = (
    delete(Token)
    .where(Token.user_id == bindparam("user_id"), Token.token_hmac == bindparam("token_hmac"))
    .returning(Token.token_hmac)
)


def _replacing(statement: Any) -> Any:
    """A token insert (either dialect's) that replaces the user's current token."""
    replaced = ("token_hmac", "agent_id", "issued_at", "expires_at")
    return statement.on_conflict_do_update(
        index_elements=[Token.user_id],
        set_={name: getattr(statement.excluded, name) for name in replaced},
    )


def issue_challenge(
    db: Db, config: TokenConfig, agent_id: int, cid: str, *, now: datetime, random: RandomSource
) -> IssuedChallenge:
    """A single-use nonce for this agent and this card's CID, valid for five minutes.

    Writes nothing: the nonce carries its binding under the server's HMAC
    (:mod:`ucauth.tokens.nonces`); one read checks that the agent is enrolled and active.
    """
    cid = validate_cid(cid)
    _raise_unless_active(_AGENT_STATUS.first(db, {"agent_id": str(agent_id)}))
    return _sealed_challenge(config, agent_id, cid, now, random)


async def issue_challenge_batched(
    reader: Reader,
    config: TokenConfig,
    active: ActiveAgents,
    agent_id: int,
    cid: str,
    *,
    now: datetime,
    random: RandomSource,
) -> IssuedChallenge:
    """:func:`issue_challenge` for the async routes: the agent's status is read unless
    ``active`` found it active a moment ago, and its read goes with concurrent ones
    (:meth:`Reader.fetch`)."""
    cid = validate_cid(cid)
    if not active.recently_active(agent_id, now):
        _raise_unless_active(await reader.fetch(_AGENT_STATUS, {"agent_id": str(agent_id)}))
        active.found_active(agent_id, now)
    return _sealed_challenge(config, agent_id, cid, now, random)


def _sealed_challenge(
    config: TokenConfig, agent_id: int, cid: str, now: datetime, random: RandomSource
) -> IssuedChallenge:
    expires_at = now + CHALLENGE_LIFETIME
    random_part = random.token_bytes(nonces.RANDOM_BYTES)
    return IssuedChallenge(
        nonces.seal(config.nonce_key, random_part, agent_id, cid, expires_at), expires_at
    )


# The agent of a signed request and the request's throttle counters, in one query.
_AGENT = DriverQuery(
    throttle.joined(
        select(
            Agent.id,
            Agent.public_key,
            Agent.status,
            Agent.unit_hcode,
            Agent.last_seen_at,
        )
        .select_from(throttle.ONE_ROW)
        .outerjoin(Agent, Agent.id == bindparam("agent_id"))
    )
)


def _arrays(name: str, **columns: Any) -> Any:
    """PostgreSQL: a batch's values as a table ``name``, one array parameter per column (named
    as the column; ``columns`` gives each one's element type), ``unnest`` row by row."""
    arrays = (bindparam(column, type_=ARRAY(kind)) for column, kind in columns.items())
    return func.unnest(*arrays).table_valued(*columns).render_derived(name=name)


def _last_access(card_valid: Any) -> Any:
    """Stamped ``now`` if the account may log in (active, with a valid card)."""
    stamped = and_(User.status == UserStatus.ACTIVE, card_valid)
    return case((stamped, bindparam("now", type_=UtcDateTime)), else_=User.last_access_at)


# The accounts logging in, locked until commit (logins of one user queue here) and, when one may
# log in, its last access stamped. Its current token is read after the lock is held: SQLite holds
# the database's write lock from the transaction's first write (the used nonce) on, so the same
# statement reads it; PostgreSQL reads it in a statement of its own (``_SWAP_TOKENS``: a fresh
# snapshot, so that a token committed by the login ahead in the queue is seen and audited as
# superseded). On PostgreSQL each step of a batch is one statement for all its logins, their
# values bound as arrays (``unnest``).
_USER_COLUMNS = (User.id, User.cid, User.status, User.revoked_at, User.revoked_reason)
_TOKEN_OF_USER = Token.user_id == User.id
_LOCK_USER = DriverStatement(  # SQLite: one login
    update(User)
    .where(User.cid == bindparam("cid"))
    .values(last_access_at=_last_access(bindparam("card_valid", type_=Boolean)))
    .returning(
        *_USER_COLUMNS,
        select(Token.token_hmac).where(_TOKEN_OF_USER).scalar_subquery().label("token_hmac"),
        select(Token.expires_at).where(_TOKEN_OF_USER).scalar_subquery().label("expires_at"),
    )
)
_LOGINS = _arrays("login", cid=String, card_valid=Boolean)
_LOCKED = (  # in CID order, so that concurrent batches never wait for each other in a cycle
    select(User.id)
    .join(_LOGINS, _LOGINS.c.cid == User.cid)
    .order_by(User.cid)
    .with_for_update(of=User)
    .cte("locked")
)
_LOCK_USERS = DriverStatement(  # PostgreSQL: a batch
    update(User)
    .where(User.id == _LOCKED.c.id, User.cid == _LOGINS.c.cid)
    .values(last_access_at=_last_access(_LOGINS.c.card_valid))
    .returning(*_USER_COLUMNS)
)
# New tokens over the locked users' current ones: on SQLite an upsert per login (the lock read
# the current one); on PostgreSQL one upsert for the batch and, in the same round trip, the rows
# it replaced (read in the statement's snapshot, taken after the locks).
_SWAP_TOKEN = DriverStatement(_replacing(sqlite.insert(Token)))
_NEW_TOKENS = _arrays("new", user_id=Integer, token_hmac=LargeBinary, agent_id=Integer)
_PREVIOUS = select(Token.user_id, Token.token_hmac, Token.expires_at).where(
    Token.user_id == any_(bindparam("user_id", type_=ARRAY(Integer)))
)
_SWAP_TOKENS = DriverStatement(
    select(*_PREVIOUS.cte("previous").c).add_cte(
        _replacing(
            postgresql.insert(Token).from_select(
                ["user_id", "token_hmac", "agent_id", "issued_at", "expires_at"],
                select(
                    *_NEW_TOKENS.c,
                    bindparam("now", type_=UtcDateTime),
                    bindparam("expires_at", type_=UtcDateTime),
                ).order_by(_NEW_TOKENS.c.user_id),
            )
        ).cte("swapped")
    )
)
# PostgreSQL: a batch's nonces marked used in one statement; those it inserted come back.
_USED_NONCES = _arrays("used", nonce=LargeBinary, expires_at=UtcDateTime)
_USE_NONCES = DriverStatement(
    postgresql.insert(UsedNonce)
    .from_select(["nonce", "expires_at"], select(*_USED_NONCES.c).order_by(_USED_NONCES.c.nonce))
    .on_conflict_do_nothing(index_elements=[UsedNonce.nonce])
    .returning(UsedNonce.nonce)
)


@dataclass(frozen=True)
class LoginAttempt:
    """A signed card login and the address it came from."""

    request: SignedLogin
    client_address: str


LoginOutcome: TypeAlias = "IssuedToken | TokensError"


def login(
    db: Db,
    config: TokenConfig,
    request: SignedLogin,
    *,
    now: datetime,
    client_address: str,
    random: RandomSource,
) -> IssuedToken:
    """Check a signed card login and give the card holder a new token: :func:`login_many` of
    one, its refusal raised."""
    attempt = LoginAttempt(request, client_address)
    (outcome,) = login_many(db, config, [attempt], now=now, random=random)
    if isinstance(outcome, TokensError):
        raise outcome
    return outcome


def login_many(
    db: Db,
    config: TokenConfig,
    attempts: Sequence[LoginAttempt],
    *,
    now: datetime,
    random: RandomSource,
) -> list[LoginOutcome]:
    """Check signed card logins and give each card holder a new token (R2, R3, R5), all in one
    transaction: each attempt's outcome, its new token or the error that refused it.

    Concurrent logins share the commit and each statement (one per step for all of them; on
    PostgreSQL one round trip). Callers pass at most one attempt per CID. A user's previous
    token dies in the same transaction (a user has one token row at most). Until the signature
    checks out, failures count against the client address only; after, against the account
    too. Refusals are counted and audited in the same commit.
    """
    logins = [_Login(attempt) for attempt in attempts]
    params = [{"agent_id": one.request.agent_id, **one.keys.params()} for one in logins]
    signed: list[_Login] = []
    for one, agent in zip(logins, _AGENT.first_each(db, params), strict=True):
        one.agent = agent
        try:
            throttle.raise_if_blocked(agent, now)
        except TokensError as error:
            one.outcome = error  # refused before any work: nothing recorded
            continue
        if one.attempt(one.check_signature, config, now):
            signed.append(one)
    fresh = [
        one
        for one, unused, binding in _use_nonces(db, signed)
        if one.attempt(_check_binding, binding, unused, one.agent.id, one.payload.cid)
    ]
    for one in fresh:
        one.failure_keys, one.actor = one.keys, f"agent:{one.agent.id}"
        expiry = one.payload.card_expiry
        one.card_valid = expiry is None or expiry >= _local_date(now, config.zone)
    fresh.sort(key=lambda one: one.payload.cid)  # every transaction locks users in this order
    accepted: list[_Login] = []
    for one, user in zip(fresh, _lock_users(db, fresh, now), strict=True):
        if one.attempt(_check_account, config, user, one):
            one.user = user
            accepted.append(one)
    events = _issue_tokens(db, config, accepted, now=now, random=random)
    _record_refusals(db, logins, now, events)
    if events:
        record(db, now, *events)
    db.commit()
    return [one.outcome for one in logins]  # type: ignore[misc]  # every one has an outcome


class _Login:
    """One attempt of :func:`login_many` on its way through the steps."""

    def __init__(self, attempt: LoginAttempt) -> None:
        self.request, self.address = attempt.request, attempt.client_address
        self.payload = attempt.request.payload
        self.keys = Keys(Scope.LOGIN, self.address, self.payload.cid)
        self.failure_keys, self.actor = Keys(Scope.LOGIN, self.address), "anonymous"
        self.agent: Any = None
        self.binding: nonces.Binding | None = None
        self.card_valid = False
        self.user: Any = None
        self.outcome: LoginOutcome | None = None
        self.refused: TokensError | None = None  # refused by a check: counted, audited

    def attempt(self, check: Callable[..., object], *args: Any) -> bool:
        """Run a step's check; on a TokensError the attempt is refused (counted, audited)."""
        try:
            check(*args)
        except TokensError as error:
            self.outcome = self.refused = error
            return False
        return True

    def check_signature(self, config: TokenConfig, now: datetime) -> None:
        message, signature = self.payload, self.request.signature
        self.binding = _check_signed(config, self.agent, message, signature, now)

    def refusal(self, error: TokensError) -> Event:
        return Event(
            Action.LOGIN,
            actor=self.actor,
            outcome=Outcome.FAILURE,
            reason=error.code,
            subject_cid=self.payload.cid,
            agent_id=self.request.agent_id,
            client_address=self.address,
        )


def _use_nonces(db: Db, logins: list[_Login]) -> list[tuple[_Login, bool, nonces.Binding]]:
    """Mark the logins' nonces used: each login, whether its nonce was unused, its binding. In
    nonce order, so that concurrent transactions never wait for each other's nonces in a
    cycle."""
    bound = sorted(((one, one.binding) for one in logins if one.binding), key=lambda b: b[1].tag)
    if dialect_name(db) == "sqlite":
        rows = _USE_NONCE["sqlite"].first_each(db, [_used(b) for _, b in bound])
        return [(one, row is not None, b) for (one, b), row in zip(bound, rows, strict=True)]
    if not bound:
        return []
    arrays = {"nonce": [b.tag for _, b in bound], "expires_at": [b.expires_at for _, b in bound]}
    inserted = {row.nonce for row in _USE_NONCES.all(db, arrays)}
    return [(one, b.tag in inserted, b) for one, b in bound]


def _lock_users(db: Db, logins: list[_Login], now: datetime) -> list[AnyRow | None]:
    """Lock the accounts of ``logins`` (in CID order), stamping the last access of those that
    may log in: each one's row (``_USER_COLUMNS``) or None (not registered)."""
    if dialect_name(db) == "sqlite":
        params = [
            {"cid": one.payload.cid, "now": now, "card_valid": one.card_valid} for one in logins
        ]
        return _LOCK_USER.first_each(db, params)
    if not logins:
        return []
    arrays = {
        "cid": [one.payload.cid for one in logins],
        "card_valid": [one.card_valid for one in logins],
        "now": now,
    }
    users = {row.cid: row for row in _LOCK_USERS.all(db, arrays)}
    return [users.get(one.payload.cid) for one in logins]


def _check_account(config: TokenConfig, user: AnyRow | None, one: _Login) -> None:
    if user is None:
        raise AccountNotRegisteredError()
    _raise_if_not_active(user.status, user.revoked_at, user.revoked_reason, config.zone)
    expiry = one.payload.card_expiry
    if expiry is not None and not one.card_valid:
        raise CardExpiredError(date=expiry.isoformat())


def _issue_tokens(
    db: Db, config: TokenConfig, logins: list[_Login], *, now: datetime, random: RandomSource
) -> list[Event]:
    """New tokens over the locked users' previous ones, the accepted logins' other writes;
    their audit events."""
    expires_at = token_expiry(now, config.zone)
    issued = []
    for one in logins:
        token = new_token(random)
        issued.append((one, token, token_hmac(config.key, token)))
    new = [
        {
            "user_id": one.user.id,
            "token_hmac": digest,
            "agent_id": one.agent.id,
            "issued_at": now,
            "expires_at": expires_at,
        }
        for one, _, digest in issued
    ]
    events: list[Event] = []
    stale_agents = set()
    for (one, token, digest), previous in zip(issued, _swap_tokens(db, logins, new), strict=True):
        cid, agent = one.user.cid, one.agent
        one.outcome = IssuedToken(cid, token, expires_at)
        events += _login_events(one, digest, expires_at)
        if previous is not None and previous.expires_at > now:
            events.append(_revoke_event(cid, previous.token_hmac, "superseded", cid))
        if agent.account_failures is not None:
            throttle.clear_account(db, one.keys)
        if _stale(agent.last_seen_at, now):
            stale_agents.add(agent.id)
    for agent_id in sorted(stale_agents):
        db.execute(_STAMP_AGENT, {"agent_id": agent_id, "now": now})
    return events


def _swap_tokens(db: Db, logins: list[_Login], new: list[dict[str, Any]]) -> list[Any]:
    """Store each ``new`` token as its locked user's; the rows they replaced (or None)."""
    if not logins:
        return []
    if dialect_name(db) == "sqlite":
        _SWAP_TOKEN.execute(db, new)
        return [one.user if one.user.token_hmac is not None else None for one in logins]
    arrays = {
        name: [token[name] for token in new] for name in ("user_id", "token_hmac", "agent_id")
    }
    arrays |= {"now": new[0]["issued_at"], "expires_at": new[0]["expires_at"]}
    previous = {row.user_id: row for row in _SWAP_TOKENS.all(db, arrays)}
    return [previous.get(token["user_id"]) for token in new]


def _login_events(one: _Login, digest: bytes, expires_at: datetime) -> list[Event]:
    payload, cid = one.payload, one.user.cid
    return [
        Event(
            Action.LOGIN,
            actor=cid,
            subject_cid=cid,
            agent_id=one.agent.id,
            unit_hcode=one.agent.unit_hcode,
            client_address=one.address,
            details={
                "signed_at": payload.signed_at.isoformat(),
                "card_expiry": payload.card_expiry.isoformat() if payload.card_expiry else None,
                "card_digest": payload.card_digest.hex()[:16],
            },
        ),
        Event(
            Action.TOKEN_ISSUE,
            actor=cid,
            subject_cid=cid,
            agent_id=one.agent.id,
            details={"token": log_label(digest), "expires_at": expires_at.isoformat()},
        ),
    ]


def _record_refusals(db: Db, logins: list[_Login], now: datetime, events: list[Event]) -> None:
    """Count the refused logins' failures; add their audit events to ``events``."""
    for one in logins:
        if one.refused is not None:
            throttle.record_failure(db, one.failure_keys, now)
            events.append(one.refusal(one.refused))


def account_status(
    db: Db,
    config: TokenConfig,
    request: SignedAccountStatusQuery,
    *,
    now: datetime,
    client_address: str,
) -> AccountState:
    """The status of the account of the card's CID, for an enrolled agent only (its step 4)."""
    query = request.query
    keys = Keys(Scope.LOGIN, client_address)
    agent = _AGENT.first(db, {"agent_id": request.agent_id, **keys.params()})
    throttle.raise_if_blocked(agent, now)
    try:
        binding = _check_signed(config, agent, query, request.signature, now)
        unused = _USE_NONCE[dialect_name(db)].first(db, _used(binding)) is not None
        _check_binding(binding, unused, agent.id, query.cid)
    except TokensError as error:
        event = Event(
            Action.ACCOUNT_STATUS,
            actor="anonymous",
            outcome=Outcome.FAILURE,
            reason=error.code,
            subject_cid=query.cid,
            agent_id=request.agent_id,
            client_address=client_address,
        )
        _refused(db, keys, now, event, count=True)
        raise
    row = db.execute(_ACCOUNT_STATE, {"cid": query.cid}).first()
    if _stale(agent.last_seen_at, now):
        db.execute(_STAMP_AGENT, {"agent_id": agent.id, "now": now})
    db.commit()
    if row is None:
        return AccountState(NOT_REGISTERED)
    return AccountState(row.status.value, row.revoked_at, row.revoked_reason)


# The hot path: the account, its token and both throttle counters in one round trip, run on
# the DB-API connection itself.
AUTHENTICATE_QUERY = throttle.joined(
    select(
        User.id,
        User.cid,
        User.first_name,
        User.last_name,
        User.unit_hcode,
        User.role,
        User.status,
        User.last_access_at,
        Token.token_hmac,
        Token.expires_at,
        Token.agent_id,
    )
    .select_from(throttle.ONE_ROW)
    .outerjoin(User, User.cid == bindparam("cid"))
    .outerjoin(Token, Token.user_id == User.id)
)
_AUTHENTICATE = DriverQuery(AUTHENTICATE_QUERY)


def authenticate(
    db: Db,
    config: TokenConfig,
    cid: str,
    token: str,
    *,
    now: datetime,
    client_address: str,
) -> AuthenticatedUser:
    """The user whose current token ``token`` is, checked together with their ``cid``.

    For HIS log-on (verify) and every rights lookup. Throttled per account and per client
    address before the check. An unknown account, a wrong, replaced or expired token all raise
    InvalidCredentialsError after the same work (a dummy HMAC comparison when there is no
    token); a right token of an account that is no longer active raises an
    AccountNotActiveError. A success costs one query, plus a write at most every few minutes to
    stamp the user's last access (R5).
    """
    keys = _verify_keys(cid, client_address)
    row = _AUTHENTICATE.first(db, {"cid": cid, **keys.params()})
    failure = _judge(config, row, token, now)
    return _settle(db, config, keys, row, failure, now=now)


async def authenticate_batched(
    reader: Reader,
    config: TokenConfig,
    cid: str,
    token: str,
    *,
    now: datetime,
    client_address: str,
) -> AuthenticatedUser:
    """:func:`authenticate` for the async routes: its query goes with concurrent ones
    (:meth:`Reader.fetch`), and a connection is taken only for the rare writes."""
    user, _ = await authenticate_reading(
        reader, config, cid, token, _AUTHENTICATE, {}, now=now, client_address=client_address
    )
    return user


async def authenticate_reading(
    reader: Reader,
    config: TokenConfig,
    cid: str,
    token: str,
    query: DriverQuery,
    params: Mapping[str, str],
    *,
    now: datetime,
    client_address: str,
) -> tuple[AuthenticatedUser, Any]:
    """:func:`authenticate_batched` with a query that reads something more in the same round
    trip: :data:`AUTHENTICATE_QUERY` with outer-joined columns (bound with ``params``). Returns
    the user and the query's row, whose extra columns the caller may use once the user is
    known."""
    keys = _verify_keys(cid, client_address)
    row = await reader.fetch(query, {"cid": cid, **keys.params(), **params})
    failure = _judge(config, row, token, now)
    if failure is None and row.status == UserStatus.ACTIVE and not _needs_writes(row, now):
        return AuthenticatedUser.of(row), row  # the usual case: nothing to write
    return reader.read(_settle, config, keys, row, failure, now=now), row


def _verify_keys(cid: str, client_address: str) -> Keys:
    return Keys(Scope.VERIFY, client_address, cid if is_valid_cid(cid) else None)


def _judge(config: TokenConfig, row: AnyRow, token: str, now: datetime) -> str | None:
    """Why the credentials of an ``_AUTHENTICATE`` row are refused (for the audit), or None.
    TooManyAttemptsError while the request's keys are blocked."""
    throttle.raise_if_blocked(row, now)
    live = row.token_hmac is not None and row.expires_at > now
    if not (matches(row.token_hmac if live else _DUMMY_HMAC, config.key, token) and live):
        return _failure_reason(row, live)
    return None


def _needs_writes(row: AnyRow, now: datetime) -> bool:
    """Whether accepting the token of this row clears failures or stamps last access."""
    return row.account_failures is not None or _stale(row.last_access_at, now)


def _settle(
    db: Db,
    config: TokenConfig,
    keys: Keys,
    row: AnyRow,
    failure: str | None,
    *,
    now: datetime,
) -> AuthenticatedUser:
    """Refuse (committing the failure first) or accept the judged row; commits its writes."""
    if failure is not None:
        _refused(db, keys, now, _verify_failure(keys, failure), count=True)
        raise InvalidCredentialsError()
    if row.status != UserStatus.ACTIVE:
        revoked = db.execute(_REVOCATION, {"user_id": row.id}).one()
        try:
            _raise_if_not_active(row.status, *revoked, config.zone)
        except TokensError as error:
            _refused(db, keys, now, _verify_failure(keys, error.code), count=False)
            raise
    if _needs_writes(row, now):
        if row.account_failures is not None:
            throttle.clear_account(db, keys)
        db.execute(_STAMP_USER, {"user_id": row.id, "now": now})
        db.commit()
    return AuthenticatedUser.of(row)


def authenticate_session(
    db: Db, config: TokenConfig, cid: str, reference: bytes, *, now: datetime
) -> AuthenticatedUser:
    """The user of a web session whose signed cookie carries ``reference``
    (:func:`ucauth.tokens.credentials.session_reference` of the token's HMAC), checked again on
    every request: the session dies with its token (midnight, the next login, revocation).

    InvalidCredentialsError when the token is gone, replaced or expired; an
    AccountNotActiveError when the account is no longer active. Not throttled: only a cookie
    signed with the server's key gets here. Stamps last access as :func:`authenticate` does.
    """
    row = _AUTHENTICATE.first(db, {"cid": cid, **Keys(Scope.VERIFY, "-").params()})
    live = row.token_hmac is not None and row.expires_at > now
    expected = session_reference(config.key, row.token_hmac if live else _DUMMY_HMAC)
    if not (hmac.compare_digest(expected, reference) and live):
        raise InvalidCredentialsError()
    if row.status != UserStatus.ACTIVE:
        revoked = db.execute(_REVOCATION, {"user_id": row.id}).one()
        _raise_if_not_active(row.status, *revoked, config.zone)
    if _stale(row.last_access_at, now):
        db.execute(_STAMP_USER, {"user_id": row.id, "now": now})
        db.commit()
    return AuthenticatedUser.of(row)


def logout(
    db: Db,
    config: TokenConfig,
    cid: str,
    token: str,
    *,
    now: datetime,
    client_address: str,
) -> None:
    """End the session of this (valid) token now."""
    user = authenticate(db, config, cid, token, now=now, client_address=client_address)
    deleted = db.execute(
        _DELETE_THIS_TOKEN,
        {"user_id": user.user_id, "token_hmac": token_hmac(config.key, token)},
    ).scalar()
    if deleted is not None:
        record(db, now, _revoke_event(user.cid, deleted, "logout", cid, client_address))
    db.commit()


def revoke_tokens(db: Db, user_id: int, cid: str, *, reason: str, actor: str, now: datetime) -> int:
    """Delete the user's token and audit it if it was live; the caller commits. Returns 0 or 1."""
    return revoke_tokens_of(db, {user_id: cid}, reason=reason, actor=actor, now=now)


def revoke_tokens_of(
    db: Db, users: Mapping[int, str], *, reason: str, actor: str, now: datetime
) -> int:
    """Delete the tokens of ``users`` (id → CID) and audit the live ones; the caller commits.
    Returns how many live tokens died."""
    if not users:
        return 0
    deleted = db.execute(_DELETE_TOKENS[dialect_name(db)], {"user_ids": list(users)}).all()
    live = [row for row in deleted if row.expires_at > now]
    events = [_revoke_event(users[row.user_id], row.token_hmac, reason, actor) for row in live]
    if events:
        record_bulk(db, now, events)
    return len(live)


def purge_expired(db: Db, now: datetime) -> dict[str, int]:
    """Delete used nonces that expired (:data:`NONCE_GRACE` ago), expired tokens and idle
    throttle counters; commits; counts."""
    used = db.execute(delete(UsedNonce).where(UsedNonce.expires_at <= now - NONCE_GRACE))
    tokens = db.execute(delete(Token).where(Token.expires_at <= now))
    counts = {
        "nonces": int(used.rowcount),  # type: ignore[attr-defined]
        "tokens": int(tokens.rowcount),  # type: ignore[attr-defined]
        "throttles": throttle.purge(db, now),
    }
    db.commit()
    return counts


def _raise_unless_active(agent: AnyRow | None) -> None:
    if agent is None or agent.status is None:
        raise AgentUnknownError()
    if agent.status != AgentStatus.ACTIVE:
        raise AgentDisabledError()


def _check_signed(
    config: TokenConfig, agent: AnyRow, message: SignedMessage, signature: bytes, now: datetime
) -> nonces.Binding:
    """Check the agent, its signature, the origin and the nonce's seal and expiry; the nonce's
    binding."""
    _raise_unless_active(agent)
    if not verify_signature(agent.public_key, message, signature):
        raise BadSignatureError()
    if message.origin != config.origin:
        raise OriginMismatchError(expected=config.origin)
    binding = nonces.unseal(config.nonce_key, message.nonce)
    if binding is None:
        raise NonceUnknownError()  # never issued by this server
    if binding.expires_at <= now:
        raise NonceExpiredError()
    return binding


def _used(binding: nonces.Binding) -> dict[str, Any]:
    """The parameters of ``_USE_NONCE``."""
    return {"nonce": binding.tag, "expires_at": binding.expires_at}


def _check_binding(binding: nonces.Binding, unused: bool, agent_id: int, cid: str) -> None:
    """Check that the nonce (now used up) was unused and issued to this agent for this CID."""
    if not unused:
        raise NonceUnknownError()  # used already: a replay
    if binding.agent_id != agent_id:
        raise NonceAgentMismatchError()
    if binding.cid != cid:
        raise CidMismatchError()


def _raise_if_not_active(
    status: UserStatus, revoked_at: datetime | None, reason: str | None, zone: ZoneInfo
) -> None:
    if status == UserStatus.PENDING:
        raise AccountPendingError()
    if status == UserStatus.SUSPENDED:
        raise AccountSuspendedError()
    if status == UserStatus.REVOKED:
        day = _local_date(revoked_at, zone).isoformat() if revoked_at else "-"
        raise AccountRevokedError(date=day, reason=reason or "-")


def _failure_reason(row: AnyRow, live: bool) -> str:
    """For the audit only; the caller always gets the same InvalidCredentialsError."""
    if row.id is None:
        return "unknown_account"
    if live:
        return "wrong_token"
    return "no_token" if row.token_hmac is None else "expired_token"


def _verify_failure(keys: Keys, reason: str) -> Event:
    return Event(
        Action.VERIFY,
        actor="anonymous",
        outcome=Outcome.FAILURE,
        reason=reason,
        subject_cid=keys.cid,
        client_address=keys.address,
    )


def _revoke_event(
    cid: str, digest: bytes, reason: str, actor: str, address: str | None = None
) -> Event:
    return Event(
        Action.TOKEN_REVOKE,
        actor=actor,
        reason=reason,
        subject_cid=cid,
        client_address=address,
        details={"token": log_label(digest)},
    )


def _refused(db: Db, keys: Keys, now: datetime, event: Event, *, count: bool) -> None:
    """Commit the audit of a refusal (and its throttle count) before the error is raised."""
    if count:
        throttle.record_failure(db, keys, now)
    record(db, now, event)
    db.commit()


def _stale(stamp: datetime | None, now: datetime) -> bool:
    return stamp is None or now - stamp >= STAMP_INTERVAL


def _local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()
