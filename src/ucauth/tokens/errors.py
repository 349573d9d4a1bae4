"""Errors of the login protocol, tokens and throttling.

Failures that could tell an outsider whether an account exists all raise
:class:`InvalidCredentialsError`. Login refusals name their reason: they are only reached by a
request signed with an enrolled agent's key (or concern the agent itself).
"""

from __future__ import annotations

from ucauth.errors import UcauthError


class TokensError(UcauthError):
    """Base of this domain's errors."""

    code = "tokens_error"
    message_key = "common.error"


class ProtocolError(TokensError, ValueError):
    """A protocol value that cannot be encoded or decoded (bad base64, wrong length, bad origin)."""

    code = "invalid_protocol_value"
    message_key = "tokens.invalid_protocol_value"


class CredentialsMissingError(TokensError):
    """No usable ``Authorization`` header (``Bearer CID#token`` or Basic ``CID:token``)."""

    code = "credentials_missing"
    message_key = "tokens.credentials_missing"


class InvalidCredentialsError(TokensError):
    """Unknown account, wrong, replaced or expired token: one answer for all of them."""

    code = "invalid_credentials"
    message_key = "tokens.invalid_credentials"


class TooManyAttemptsError(TokensError):
    """Too many recent failures from this address or for this account; ``retry_after`` seconds."""

    code = "too_many_attempts"
    message_key = "tokens.too_many_attempts"

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(retry_after=retry_after)
        self.retry_after = retry_after


class LoginRefusedError(TokensError):
    """A login or account-status request that the server refuses."""


class AccountNotActiveError(LoginRefusedError):
    """The account exists but may not log in."""

    code = "account_not_active"
    message_key = "tokens.account_not_active"


class AccountNotRegisteredError(LoginRefusedError):
    code = "account_not_registered"
    message_key = "tokens.account_not_registered"


class AccountPendingError(AccountNotActiveError):
    code = "account_pending"
    message_key = "tokens.account_pending"


class AccountRevokedError(AccountNotActiveError):
    """Revoked; ``date`` and ``reason`` say when and why."""

    code = "account_revoked"
    message_key = "tokens.account_revoked"


class AccountSuspendedError(AccountNotActiveError):
    code = "account_suspended"
    message_key = "tokens.account_suspended"


class BadSignatureError(LoginRefusedError):
    code = "bad_signature"
    message_key = "tokens.bad_signature"


class OriginMismatchError(LoginRefusedError):
    """The agent signed for another server (``expected`` is this server's origin)."""

    code = "origin_mismatch"
    message_key = "tokens.origin_mismatch"


class NonceUnknownError(LoginRefusedError):
    """The nonce was never issued or was already used (a replay)."""

    code = "nonce_unknown"
    message_key = "tokens.nonce_unknown"


class NonceExpiredError(LoginRefusedError):
    code = "nonce_expired"
    message_key = "tokens.nonce_expired"


class NonceAgentMismatchError(LoginRefusedError):
    """The nonce was issued to another agent."""

    code = "nonce_agent_mismatch"
    message_key = "tokens.nonce_agent_mismatch"


class CidMismatchError(LoginRefusedError):
    """The signed CID is not the CID the challenge was issued for."""

    code = "cid_mismatch"
    message_key = "tokens.cid_mismatch"


class CardExpiredError(LoginRefusedError):
    """The card expired on ``date``."""

    code = "card_expired"
    message_key = "tokens.card_expired"


class AgentUnknownError(LoginRefusedError):
    """No workstation is enrolled under this agent id."""

    code = "agent_unknown"
    message_key = "tokens.agent_unknown"


class AgentDisabledError(LoginRefusedError):
    """The workstation was disabled by an administrator."""

    code = "agent_disabled"
    message_key = "tokens.agent_disabled"
