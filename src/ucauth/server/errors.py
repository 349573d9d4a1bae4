"""The one place where errors become HTTP responses.

Every error body is ``{"error": {"code": ..., "message": ...}}`` with the message in the
request's language (``Accept-Language``; Thai by default); the web pages answer with an error
page instead (``app.state.error_page``, see :mod:`ucauth.web.router`). Unexpected exceptions
are logged here and answered with a generic 500: never a stack trace to a client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from ucauth.accounts.errors import (
    AlreadyExistsError,
    EnrolmentCodeInvalidError,
    InvalidAccountDataError,
    NotFoundError,
    StatusChangeError,
)
from ucauth.audit.errors import AuditUnavailableError
from ucauth.errors import InvalidCitizenIdError, UcauthError
from ucauth.i18n import negotiate, translate
from ucauth.lifecycle.errors import ForbiddenError
from ucauth.migrations.errors import SchemaOutOfDateError
from ucauth.rights.errors import InvalidPatientIdError, PersonNotFoundError
from ucauth.tokens.errors import (
    CredentialsMissingError,
    InvalidCredentialsError,
    LoginRefusedError,
    ProtocolError,
    TooManyAttemptsError,
)
from ucauth.web.errors import (
    CsrfRefusedError,
    NotAdministratorError,
    OutOfScopeError,
    SessionRequiredError,
)

log = logging.getLogger(__name__)

# HTTP status by error class; the most specific class in an error's MRO wins, else 400.
STATUS_CODES: dict[type[UcauthError], int] = {
    InvalidCitizenIdError: 422,
    InvalidPatientIdError: 400,  # the person to look up, on the rights endpoints
    ProtocolError: 422,
    InvalidAccountDataError: 422,
    CredentialsMissingError: 401,
    InvalidCredentialsError: 401,
    LoginRefusedError: 403,
    EnrolmentCodeInvalidError: 403,
    NotFoundError: 404,
    PersonNotFoundError: 404,
    AlreadyExistsError: 409,
    StatusChangeError: 409,
    ForbiddenError: 403,
    TooManyAttemptsError: 429,
    SchemaOutOfDateError: 503,
    AuditUnavailableError: 503,  # the audit record could not be committed: not answered
    CsrfRefusedError: 403,
    SessionRequiredError: 401,
    NotAdministratorError: 403,
    OutOfScopeError: 404,
}
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}
AUTHENTICATE_HEADER = {"WWW-Authenticate": 'Bearer realm="ucauth"'}
# The database is down, restarting or unreachable (its connections then fail with these), or
# every pooled connection is busy: a temporary 503, not an unexpected error.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)
RETRY_DATABASE_SECONDS = 2


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


def status_for(error: UcauthError) -> int:
    """The HTTP status of the nearest class of ``error`` that has one, else 400."""
    for cls in type(error).__mro__:
        if cls in STATUS_CODES:
            return STATUS_CODES[cls]
    return 400


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting the error body for these statuses."""
    return {status: {"model": ErrorBody} for status in statuses}


ErrorPage = Callable[[Request, int, str, str, Exception], Response | None]
"""The web pages' renderer of errors (``app.state.error_page``): a page for the requests it
serves, None for the others (which get the JSON body)."""


def _body(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    content = {"error": {"code": code, "message": message}}
    return JSONResponse(content, status_code=status, headers=headers or None)


def _answer(
    request: Request, error: Exception, status: int, code: str, message: str, **headers: str
) -> Response:
    page: ErrorPage | None = getattr(request.app.state, "error_page", None)
    answer = page(request, status, code, message, error) if page else None
    if answer is None:
        return _body(status, code, message, **headers)
    answer.headers.update(headers)
    return answer


def _language(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


async def _ucauth_error(request: Request, exception: Exception) -> Response:
    error = cast(UcauthError, exception)
    status = status_for(error)
    request.app.state.context.metrics.refusals.labels(error.code).inc()
    headers = {}
    if status == 401:
        headers.update(AUTHENTICATE_HEADER)
    if isinstance(error, TooManyAttemptsError):
        headers["Retry-After"] = str(error.retry_after)
    return _answer(request, error, status, error.code, error.message(_language(request)), **headers)


async def _validation_error(request: Request, exception: Exception) -> Response:
    error = cast(RequestValidationError, exception)
    fields = ", ".join(
        sorted({".".join(str(part) for part in e["loc"][1:]) or "body" for e in error.errors()})
    )
    message = translate("server.invalid_request", _language(request), fields=fields)
    return _answer(request, error, 422, "invalid_request", message)


async def _http_error(request: Request, exception: Exception) -> Response:
    error = cast(HTTPException, exception)
    if error.status_code == 400:  # FastAPI could not read the body (e.g. not UTF-8): a bad request
        invalid = [{"type": "body_unreadable", "loc": ("body",), "msg": "unreadable"}]
        return await _validation_error(request, RequestValidationError(invalid))
    code = HTTP_CODES.get(error.status_code, "http_error")
    key = f"server.{code}"
    message = translate(key if code != "http_error" else "common.error", _language(request))
    return _answer(request, error, error.status_code, code, message, **(error.headers or {}))


def first_line(error: Exception) -> str:
    """The first line of an error's text, for a one-line log entry."""
    return (str(error).splitlines() or [""])[0][:200]


async def _database_unavailable(request: Request, error: Exception) -> Response:
    path = request.url.path
    log.warning("database unavailable answering %s %s: %s", request.method, path, first_line(error))
    request.app.state.context.metrics.refusals.labels("database_unavailable").inc()
    message = translate("server.database_unavailable", _language(request))
    retry = str(RETRY_DATABASE_SECONDS)
    return _answer(request, error, 503, "database_unavailable", message, **{"Retry-After": retry})


async def _unexpected_error(request: Request, error: Exception) -> Response:

    log.exception("unexpected error answering %s %s", request.method, request.url.path)
    message = translate("common.error", _language(request))
    return _answer(request, error, 500, "internal_error", message)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(UcauthError, _ucauth_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for database_error in DATABASE_UNAVAILABLE:
        app.add_exception_handler(database_error, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)
