"""Errors of the web pages (their HTTP statuses are in ``ucauth.server.errors``)."""

from __future__ import annotations

from ucauth.errors import UcauthError


class WebError(UcauthError):
    """Base of this package's errors."""

    code = "web_error"
    message_key = "common.error"


class CsrfRefusedError(WebError):
    """A state-changing request without this session's CSRF token, or from another origin:
    refused before anything is done."""

    code = "csrf_refused"
    message_key = "web.csrf_refused"


class SessionRequiredError(WebError):
    """No live session: never logged on, or the token died (midnight, a newer login,
    revocation). Pages answer it with the area's log-on page."""

    code = "session_required"
    message_key = "web.session_required"

    def __init__(self, *, login: str) -> None:
        super().__init__()
        self.login = login


class NotAdministratorError(WebError):
    """The console is for administrators and regional administrators only."""

    code = "not_administrator"
    message_key = "web.not_administrator"


class OutOfScopeError(WebError):
    """A regional administrator asked for something outside their regions (shown as missing)."""

    code = "not_found"
    message_key = "server.not_found"
