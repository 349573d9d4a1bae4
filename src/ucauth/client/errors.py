"""Errors of the HIS client: what can go wrong talking to a ucauth server or the local agent.

``ucauth.cli.errors`` maps them to exit codes. An invalid citizen ID is refused before any
request with :class:`ucauth.errors.InvalidCitizenIdError`.
"""

from __future__ import annotations

from ucauth.errors import UcauthError


class ClientError(UcauthError):
    """Base of the client's errors."""

    code = "client_error"
    message_key = "client.error"


class ServerUnreachableError(ClientError):
    """No answer from the server (refused, timed out, TLS failed)."""

    code = "server_unreachable"
    message_key = "client.server_unreachable"


class CredentialsRefusedError(ClientError):
    """The server refused the credentials (HTTP 401 or 403); ``detail`` is its message."""

    code = "credentials_refused"
    message_key = "client.credentials_refused"


class ThrottledError(ClientError):
    """Too many failures recently (HTTP 429); try again after ``retry_after`` seconds."""

    code = "throttled"
    message_key = "client.throttled"

    def __init__(self, *, retry_after: int, detail: str) -> None:
        super().__init__(retry_after=retry_after, detail=detail)
        self.retry_after = retry_after


class RequestRefusedError(ClientError):
    """The server refused the request as invalid (HTTP 400 or 422); ``detail`` is its message."""

    code = "request_refused"
    message_key = "client.request_refused"


class ServerFailedError(ClientError):
    """The server failed (HTTP 5xx) or gave an answer this client does not understand."""

    code = "server_failed"
    message_key = "client.server_failed"


class AgentUnavailableError(ClientError):
    """No token from the local agent: it is not running, or nobody has logged in."""

    code = "agent_unavailable"
    message_key = "client.agent_unavailable"


class ResultsFileError(ClientError):
    """The IDs file or the results file of ``check --file`` cannot be used; nothing was sent."""

    code = "results_file"
    message_key = "client.results_file"
