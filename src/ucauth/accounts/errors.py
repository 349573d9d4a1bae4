"""Errors of the accounts domain: units, users, workstations and enrolment codes."""

from __future__ import annotations

from ucauth.errors import UcauthError


class AccountsError(UcauthError):
    """Base of this domain's errors."""

    code = "accounts_error"
    message_key = "common.error"


class NotFoundError(AccountsError):
    """Something named by the caller does not exist."""


class UnitNotFoundError(NotFoundError):
    code = "unit_not_found"
    message_key = "accounts.unit_not_found"


class UserNotFoundError(NotFoundError):
    code = "user_not_found"
    message_key = "accounts.user_not_found"


class AgentNotFoundError(NotFoundError):
    code = "agent_not_found"
    message_key = "accounts.agent_not_found"


class AlreadyExistsError(AccountsError):
    """Something the caller wants to create exists already."""


class UnitExistsError(AlreadyExistsError):
    code = "unit_exists"
    message_key = "accounts.unit_exists"


class UserExistsError(AlreadyExistsError):
    code = "user_exists"
    message_key = "accounts.user_exists"


class InvalidAccountDataError(AccountsError):
    """A value the caller gave is not acceptable; ``field`` names it."""

    code = "invalid_account_data"
    message_key = "accounts.invalid_account_data"


class StatusChangeError(AccountsError):
    """The account or workstation is already in (or cannot go to) the requested status."""

    code = "invalid_status_change"
    message_key = "accounts.invalid_status_change"


class EnrolmentCodeInvalidError(AccountsError):
    """Unknown, used or expired enrolment code: one answer for all of them."""

    code = "enrolment_code_invalid"
    message_key = "accounts.enrolment_code_invalid"
