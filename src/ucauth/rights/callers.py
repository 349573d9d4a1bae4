"""Who calls the rights service: the caller of a lookup, and how SOAP callers authenticate.

:func:`authenticate_caller` is the one place where the SOAP channel checks its credentials
(``user_person_id`` + ``smctoken``). Today that is a staff member's citizen ID and current
token; legacy unit credentials (``chk…`` + fixed password, until their sunset date) are to be
accepted here as well, as a Caller of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ucauth.db import Db
from ucauth.lifecycle.legacy import LegacyUnit, authenticate_legacy, uses_legacy_login
from ucauth.tokens.service import AuthenticatedUser, TokenConfig, authenticate


@dataclass(frozen=True)
class Caller:
    """Who looks someone up, as the audit records it: ``actor`` (a staff member's CID, or a
    legacy unit username), their unit and the workstation (agent) that issued their token."""

    actor: str
    unit_hcode: str | None
    agent_id: int | None

    @classmethod
    def of(cls, user: AuthenticatedUser) -> Caller:
        return cls(user.cid, user.unit_hcode, user.agent_id)

    @classmethod
    def of_unit(cls, unit: LegacyUnit) -> Caller:
        return cls(unit.username, unit.unit_hcode, None)


def authenticate_caller(
    db: Db,
    config: TokenConfig,
    username: str,
    password: str,
    *,
    now: datetime,
    client_address: str,
    channel: str = "soap",
) -> Caller:
    """The caller these HIS credentials belong to (one indexed query, throttled).

    Raises what :func:`ucauth.tokens.service.authenticate` raises: InvalidCredentialsError,
    an AccountNotActiveError, TooManyAttemptsError; for legacy credentials (when
    :func:`uses_legacy_login`), what :func:`ucauth.lifecycle.legacy.authenticate_legacy` raises,
    LegacyLoginEndedError after the sunset.
    """
    if uses_legacy_login(config, username):
        unit = authenticate_legacy(
            db,
            config,
            username,
            password,
            now=now,
            client_address=client_address,
            channel=channel,
        )
        return Caller.of_unit(unit)
    user = authenticate(db, config, username, password, now=now, client_address=client_address)
    return Caller.of(user)
