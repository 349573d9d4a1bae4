"""What routes need from a request: the app context, the client address, staff credentials, and
a lean way to read and write JSON.

``CurrentUser`` is the reusable way to require a staff member's token on a route: it accepts
``Authorization: Bearer <CID>#<token>`` (the line of the ``nhso_token.txt`` file HIS read) and
HTTP Basic ``CID:token``, and runs :func:`ucauth.tokens.service.authenticate_batched`
(throttled, uniform refusals).

The login-protocol and rights-lookup routes are the hottest of the server; they take the
``Request`` and use the plain functions here (:func:`app_context`, :func:`client_address`,
:func:`current_user`, :func:`read_json`, :func:`json_response`) rather than FastAPI's
per-request dependency and body machinery, which costs more than their own work.
:func:`json_body` and :data:`AUTHORIZATION_PARAMETER` keep their OpenAPI description.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from ucauth.server.context import AppContext
from ucauth.tokens.errors import CredentialsMissingError
from ucauth.tokens.service import AuthenticatedUser, authenticate_batched

Model = TypeVar("Model", bound=BaseModel)


def app_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def client_address(request: Request) -> str:
    """The caller's IP address (as the trusted proxies report it), for throttling and audit."""
    return request.client.host if request.client else "unknown"


async def read_json(request: Request, model: type[Model]) -> Model:
    """The JSON body as ``model``; anything else is the usual 422 ``invalid_request``."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise RequestValidationError([{"type": "content_type", "loc": ("body",), "msg": "JSON"}])
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as error:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
        raise RequestValidationError(errors) from None


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` describing a body that the route reads with :func:`read_json`."""
    schema = model.model_json_schema()
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def json_response(
    body: BaseModel, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """``body`` serialised once by pydantic, under its fields' aliases where they have some
    (FastAPI does not validate it again; the route's ``response_model`` documents it)."""
    return Response(
        body.model_dump_json(by_alias=True), status_code, headers, media_type="application/json"
    )


async def get_context(request: Request) -> AppContext:
    return app_context(request)


async def get_client_address(request: Request) -> str:
    return client_address(request)


Context = Annotated[AppContext, Depends(get_context)]
ClientAddress = Annotated[str, Depends(get_client_address)]


@dataclass(frozen=True)
class Credentials:
    """A staff member's HIS credentials: citizen ID and token."""

    cid: str
    token: str


def parse_authorization(header: str | None) -> Credentials:
    """``Bearer CID#token`` or ``Basic base64(CID:token)``; CredentialsMissingError otherwise."""
    scheme, _, value = (header or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        cid, separator, token = value.partition("#")
    elif scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise CredentialsMissingError() from None
        cid, separator, token = decoded.partition(":")
    else:
        raise CredentialsMissingError()
    if not (separator and cid and token):
        raise CredentialsMissingError()
    return Credentials(cid, token)


async def get_credentials(
    authorization: Annotated[str | None, Header(description="Bearer CID#token, or Basic")] = None,
) -> Credentials:
    return parse_authorization(authorization)


StaffCredentials = Annotated[Credentials, Depends(get_credentials)]


async def current_user(
    request: Request, credentials: Credentials | None = None
) -> AuthenticatedUser:
    """The staff member whose valid token the request carries (by default in its
    ``Authorization`` header; CredentialsMissingError at once when there is none): one indexed
    read, batched with concurrent ones. What :data:`CurrentUser` gives, for the lean routes that
    take only the ``Request``."""
    credentials = credentials or parse_authorization(request.headers.get("authorization"))
    context = app_context(request)
    return await authenticate_batched(
        context.database,
        context.tokens,
        credentials.cid,
        credentials.token,
        now=context.clock.now(),
        client_address=client_address(request),
    )


async def get_current_user(request: Request, credentials: StaffCredentials) -> AuthenticatedUser:
    return await current_user(request, credentials)


CurrentUser = Annotated[AuthenticatedUser, Depends(get_current_user)]
# The OpenAPI description of the header that a lean route reads with :func:`current_user`.
AUTHORIZATION_PARAMETER = {
    "name": "authorization",
    "in": "header",
    "required": False,
    "description": "Bearer CID#token, or Basic",
    "schema": {"type": "string"},
}
