"""Errors of the lifecycle domain: access requests, administrators' authority, legacy logins."""

from __future__ import annotations

from ucauth.accounts.errors import AlreadyExistsError, NotFoundError, StatusChangeError
from ucauth.errors import UcauthError
from ucauth.i18n import translate
from ucauth.tokens.errors import LoginRefusedError


class LifecycleError(UcauthError):
    """Base of this domain's errors that have no more general kind."""

    code = "lifecycle_error"
    message_key = "common.error"


class RequestNotFoundError(NotFoundError):
    code = "access_request_not_found"
    message_key = "lifecycle.request_not_found"


class RequestPendingError(AlreadyExistsError):
    """The citizen ID has a pending request already; ``submitted`` and ``status`` say which."""

    code = "access_request_pending"
    message_key = "lifecycle.request_pending"

    def message(self, lang: str = "th") -> str:
        return _with_status(self, lang)


class AccountAlreadyActiveError(AlreadyExistsError):
    code = "account_already_active"
    message_key = "lifecycle.account_already_active"


class RequestDecidedError(StatusChangeError):
    """The request was approved or rejected already (``status``)."""

    code = "access_request_decided"
    message_key = "lifecycle.request_decided"

    def message(self, lang: str = "th") -> str:
        return _with_status(self, lang)


class AccountSuspendedCannotApproveError(StatusChangeError):
    """A suspended account is reinstated by an administrator, not by a request."""

    code = "account_suspended"
    message_key = "lifecycle.account_suspended"


class ForbiddenError(LifecycleError):
    """The acting user may not do this."""

    code = "forbidden"
    message_key = "lifecycle.forbidden"


class NotAdministratorError(ForbiddenError):
    code = "not_administrator"
    message_key = "lifecycle.not_administrator"


class OutsideRegionError(ForbiddenError):
    """A regional administrator acting on a unit of another region (``region``)."""

    code = "outside_region"
    message_key = "lifecycle.outside_region"


class LegacyCredentialNotFoundError(NotFoundError):
    code = "legacy_credential_not_found"
    message_key = "lifecycle.legacy_credential_not_found"


class LegacyCredentialExistsError(AlreadyExistsError):
    code = "legacy_credential_exists"
    message_key = "lifecycle.legacy_credential_exists"


class LegacyLoginEndedError(LoginRefusedError):
    """Legacy unit credentials are no longer accepted since ``date`` (the sunset)."""

    code = "legacy_login_ended"
    message_key = "lifecycle.legacy_login_ended"


def _with_status(error: UcauthError, lang: str) -> str:
    """The message with its ``status`` parameter (a RequestStatus value) in ``lang``."""
    status = translate(f"lifecycle.status_{error.params['status']}", lang)
    return translate(error.message_key, lang, **{**error.params, "status": status})
