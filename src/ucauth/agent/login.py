"""The agent's protocol steps, shared by the service and the command line: enrol, ask an
account's status, and log a card holder in (card read → PIN on the card → challenge → signed
login). The PIN is handed to the card and nowhere else.
"""

from __future__ import annotations

from datetime import date, datetime

from ucauth.agent.errors import (
    AccountError,
    AccountNotRegisteredError,
    AccountPendingError,
    AccountRevokedError,
    AccountSuspendedError,
    CardExpiredError,
)
from ucauth.agent.server import ServerClient
from ucauth.agent.store import Enrolment, Session
from ucauth.card.model import ThaiIdCardData
from ucauth.card.thai_id import ThaiIdSession
from ucauth.card.transport import CardConnection
from ucauth.tokens.protocol import (
    AccountStatusQuery,
    LoginPayload,
    generate_private_key,
    normalize_origin,
    public_key_bytes,
    sign_account_status,
    sign_login,
)
from ucauth.tokens.schemas import AccountStatusResponse

ACCOUNT_ERRORS: dict[str, type[AccountError]] = {
    "not_registered": AccountNotRegisteredError,
    "pending": AccountPendingError,
    "revoked": AccountRevokedError,
    "suspended": AccountSuspendedError,
}


def enroll(server: ServerClient, code: str, name: str) -> Enrolment:
    """Make a key pair and register it with the one-time ``code``; the enrolment to save."""
    key = generate_private_key()
    answer = server.enroll(code, name, public_key_bytes(key))
    return Enrolment(
        server_url=server.server_url,
        origin=normalize_origin(server.server_url),
        agent_id=answer.agent_id,
        name=answer.name,
        unit_hcode=answer.unit_hcode,
        key=key,
    )


def account_status(server: ServerClient, enrolment: Enrolment, cid: str) -> AccountStatusResponse:
    """The status of ``cid``'s account, asked with a signed request on a fresh nonce."""
    nonce = server.challenge(enrolment.agent_id, cid)
    query = AccountStatusQuery(origin=enrolment.origin, nonce=nonce, cid=cid)
    return server.account_status(sign_account_status(enrolment.key, enrolment.agent_id, query))


def account_error(status: AccountStatusResponse, access_request_url: str) -> AccountError | None:
    """The error that stops a login for this account status; None for an active account."""
    error = ACCOUNT_ERRORS.get(status.status)
    return None if error is None else error(access_request_url=access_request_url)


def card_expiry(card: ThaiIdCardData) -> date | None:
    """The last valid day the login signs (None for a lifetime card)."""
    return None if card.expiry_date.lifetime else card.expiry_date.latest()


def check_not_expired(card: ThaiIdCardData, today: date) -> None:
    if card.is_expired(today):
        raise CardExpiredError(expiry=card.expiry_date.partial() or card.expiry_date.raw)


def card_login(
    connection: CardConnection,
    pin: str,
    enrolment: Enrolment,
    server: ServerClient,
    *,
    today: date,
    now: datetime,
) -> Session:
    """Log the holder of the card on ``connection`` in; the new session.

    The card is read and checked first, then verifies the PIN (one attempt: InvalidPinError with
    the tries left, PinBlockedError), then the server's challenge is signed with the card data.
    """
    card_session = ThaiIdSession(connection)
    card = card_session.read()
    check_not_expired(card, today)
    card_session.verify_pin(pin)
    nonce = server.challenge(enrolment.agent_id, card.cid)
    payload = LoginPayload(
        origin=enrolment.origin,
        nonce=nonce,
        cid=card.cid,
        card_digest=card.digest(),
        card_expiry=card_expiry(card),
        signed_at=now,
    )
    answer = server.login(sign_login(enrolment.key, enrolment.agent_id, payload))
    return Session(username=answer.username, token=answer.token, expires_at=answer.expires_at)
