"""Typed errors of the workstation agent; card errors come from :mod:`ucauth.card.errors`.

Exit codes are in ``ucauth.cli.errors``; HTTP statuses in :mod:`ucauth.agent.app`.
"""

from __future__ import annotations

from ucauth.errors import UcauthError
from ucauth.thaidate import PartialDate


class AgentError(UcauthError):
    """Any failure of the agent that is not the card's."""

    code = "agent_error"
    message_key = "agent.error"


class NotEnrolledError(AgentError):
    """This workstation has no enrolment (``ucauth agent enroll``)."""

    code = "agent_not_enrolled"
    message_key = "agent.not_enrolled"


class AlreadyEnrolledError(AgentError):
    """An enrolment exists already; ``--force`` replaces it."""

    code = "agent_already_enrolled"
    message_key = "agent.already_enrolled"

    def __init__(self, server_url: str, agent_id: int) -> None:
        super().__init__(server_url=server_url, agent_id=agent_id)


class AgentDataError(AgentError):
    """A file of the agent's data directory cannot be read or written."""

    code = "agent_data"
    message_key = "agent.data_error"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path=path, reason=reason)


class ServerUnreachableError(AgentError):
    """The server did not answer (network down, refused, timed out, TLS failed)."""

    code = "server_unreachable"
    message_key = "agent.server_unreachable"

    def __init__(self, server_url: str) -> None:
        super().__init__(server_url=server_url)


class ServerRefusedError(AgentError):
    """The server refused a request for a reason the agent has no better error for."""

    code = "login_refused"
    message_key = "agent.server_refused"

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(reason=reason, detail=detail)


class AgentUnknownError(AgentError):
    """The server does not know this workstation's enrolment."""

    code = "agent_unknown"
    message_key = "agent.agent_unknown"


class AgentDisabledError(AgentError):
    """An administrator disabled this workstation."""

    code = "agent_disabled"
    message_key = "agent.agent_disabled"


class EnrolmentRefusedError(AgentError):
    """The one-time enrolment code is wrong, used or expired."""

    code = "enrolment_code_invalid"
    message_key = "agent.enrolment_refused"


class TooManyAttemptsError(AgentError):
    """The server throttles this account or workstation for ``retry_after`` seconds."""

    code = "too_many_attempts"
    message_key = "agent.too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after=retry_after)
        self.retry_after = retry_after


class AccountError(AgentError):
    """The card holder's account cannot log in; ``access_request_url`` is where to ask."""

    def __init__(self, access_request_url: str, **params: object) -> None:
        super().__init__(access_request_url=access_request_url, **params)


class AccountNotRegisteredError(AccountError):
    code = "account_not_registered"
    message_key = "agent.account_not_registered"


class AccountPendingError(AccountError):
    code = "account_pending"
    message_key = "agent.account_pending"


class AccountRevokedError(AccountError):
    """Revoked, e.g. after 180 days without use: ask again at the regional office."""

    code = "account_revoked"
    message_key = "agent.account_revoked"


class AccountSuspendedError(AccountError):
    code = "account_suspended"
    message_key = "agent.account_suspended"


class CardExpiredError(AgentError):
    """The ID card's expiry date has passed."""

    code = "card_expired"
    message_key = "agent.card_expired"

    def __init__(self, expiry: PartialDate | str) -> None:
        super().__init__(expiry=expiry)


class NotLoggedInError(AgentError):
    """There is no live session at this workstation."""

    code = "not_logged_in"
    message_key = "agent.not_logged_in"


class SessionEndedError(AgentError):
    """The server no longer accepts the session's token (a newer login, a logout, an
    administrator, or the account's deactivation ended it)."""

    code = "session_ended"
    message_key = "agent.session_ended"


class LoginInProgressError(AgentError):
    """Another login is under way (one at a time)."""

    code = "login_in_progress"
    message_key = "agent.login_in_progress"


class RequestRefusedError(AgentError):
    """The localhost HTTP layer refuses a request (lock-down or malformed)."""


class ForbiddenHostError(RequestRefusedError):
    code = "forbidden_host"
    message_key = "agent.forbidden_host"


class ForbiddenOriginError(RequestRefusedError):
    code = "forbidden_origin"
    message_key = "agent.forbidden_origin"


class PinOriginError(RequestRefusedError):
    code = "pin_origin"
    message_key = "agent.pin_origin"


class UnsupportedMediaTypeError(RequestRefusedError):
    code = "unsupported_media_type"
    message_key = "agent.unsupported_media_type"


class InvalidRequestError(RequestRefusedError):
    code = "invalid_request"
    message_key = "agent.invalid_request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)


class NotFoundError(RequestRefusedError):
    code = "not_found"
    message_key = "agent.not_found"
