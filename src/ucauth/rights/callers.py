"""Who calls the rights service: the caller of a lookup, and how SOAP callers authenticate.

:func:`soap_caller` is the one place where the SOAP channel reads its credentials
(``user_person_id`` + ``smctoken``): a staff member's citizen ID and current token, or, until
their sunset date, a legacy unit credential (``chk…`` + fixed password), a Caller of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ucauth.db import Reader
from ucauth.lifecycle.legacy import (
    LegacyUnit,
    authenticate_legacy,
    check_in_thread,
    uses_legacy_login,
)
from ucauth.tokens.service import AuthenticatedUser, TokenConfig


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


@dataclass(frozen=True)
class StaffCredentials:
    """A staff member's CID and token as an HIS sent them, for the lookup to check in its own
    query (:func:`ucauth.rights.service.authenticate_and_find`)."""

    config: TokenConfig
    cid: str
    token: str


async def soap_caller(
    reader: Reader,
    config: TokenConfig,
    username: str,
    password: str,
    *,
    now: datetime,
    client_address: str,
) -> Caller | StaffCredentials:
    """Who the SOAP credentials (``user_person_id`` + ``smctoken``) say is calling.

    Legacy unit credentials (when :func:`uses_legacy_login`) are checked here, their Argon2
    check on a worker thread: what :func:`ucauth.lifecycle.legacy.authenticate_legacy` raises,
    LegacyLoginEndedError after the sunset. A staff member's CID and token come back as
    StaffCredentials, checked by the lookup itself.
    """
    if not uses_legacy_login(config, username):
        return StaffCredentials(config, username, password)
    unit = await check_in_thread(
        reader.read,
        authenticate_legacy,
        config,
        username,
        password,
        now=now,
        client_address=client_address,
        channel="soap",
    )
    return Caller.of_unit(unit)
