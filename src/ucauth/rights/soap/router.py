"""The SOAP 1.1 endpoint ``/ucwstokenp1/UCWSTokenP1``, drop-in for NHSO's ``UCWSTokenP1``.

``GET ?wsdl`` (or ``?WSDL``) serves the WSDL, whose service address is this server's configured
origin (``UCAUTH_ORIGIN``) plus the path, never the request's Host; ``GET ?xsd=1`` the schema.
``POST`` answers ``searchCurrentByPID``. Routing looks at the path only, so clients configured
with ``host:80`` or an absolute request target reach it as well.

How each outcome is answered, in this one place:

- the request cannot be answered (not XML, a DOCTYPE, too large, another operation, not SOAP
  1.1): a SOAP 1.1 ``Client`` (or ``VersionMismatch``) Fault, HTTP 500;
- the credentials are refused (invalid or expired token, not ``user_person_id``'s, an account
  that is not active, a legacy ``chk…`` credential after its sunset): ``NHSO-00003`` with a
  Thai description, HTTP 200, as NHSO answers;
- throttled after repeated failures: ``NHSO-00003`` too, saying how many seconds to wait (also
  in ``Retry-After``): clients show ``ws_status_desc``, and a Fault would break their screens;
- nobody has the ID, or the ID is not a citizen ID: success with empty person fields;
- the audit record could not be committed, or anything unexpected: a ``Server`` Fault, HTTP 500,
  never a stack trace.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from ucauth.errors import UcauthError
from ucauth.i18n import negotiate
from ucauth.rights.callers import soap_caller
from ucauth.rights.errors import (
    InvalidPatientIdError,
    SoapMalformedError,
    SoapRequestTooLargeError,
)
from ucauth.rights.lookups import Channel
from ucauth.rights.soap.documents import CONTENT_TYPE, wsdl_document, xsd_document
from ucauth.rights.soap.request import MAX_REQUEST_BYTES, parse_request
from ucauth.rights.soap.response import (
    FAULT_HTTP_STATUS,
    build_fault,
    build_search_response,
    build_token_error_response,
)
from ucauth.server.context import AppContext
from ucauth.server.dependencies import app_context, client_address
from ucauth.server.errors import DATABASE_UNAVAILABLE, first_line
from ucauth.tokens.errors import InvalidCredentialsError, TokensError, TooManyAttemptsError

log = logging.getLogger(__name__)
router = APIRouter(tags=["soap"])
PATH = "/ucwstokenp1/UCWSTokenP1"
PATHS = (PATH, PATH + "/")
_XML: dict[str, Any] = {"content": {"text/xml": {}}}


def service_address(context: AppContext) -> str:
    """The address the WSDL gives: the configured public origin and the endpoint's path."""
    return context.settings.public_origin() + PATH


async def documents(request: Request) -> Response:
    """The WSDL (``?wsdl``, ``?WSDL``) or its schema (``?xsd=1``)."""
    if request.url.query.lower() == "wsdl":
        return _xml(wsdl_document(service_address(app_context(request))))
    if request.query_params.get("xsd") == "1":
        return _xml(xsd_document())
    raise HTTPException(404)


async def search(request: Request) -> Response:
    """``searchCurrentByPID``: the rights of ``person_id``, for ``user_person_id`` with
    ``smctoken``."""
    context = app_context(request)
    lang = negotiate(request.headers.get("accept-language"))
    try:
        return await _search(request, context, lang)
    except UcauthError as error:  # a request we cannot answer, or its audit failed
        context.metrics.refusals.labels(error.code).inc()
        return _xml(build_fault(error, lang), FAULT_HTTP_STATUS)
    except DATABASE_UNAVAILABLE as error:  # down or restarting: one line, no stack trace
        log.warning("database unavailable answering a SOAP request: %s", first_line(error))
        context.metrics.refusals.labels("database_unavailable").inc()
        return _xml(build_fault(None, lang), FAULT_HTTP_STATUS)
    except Exception:
        log.exception("unexpected error answering a SOAP request")
        return _xml(build_fault(None, lang), FAULT_HTTP_STATUS)


async def _search(request: Request, context: AppContext, lang: str) -> Response:
    query = parse_request(await _read_body(request))
    now, address = context.clock.now(), client_address(request)
    try:
        who = await soap_caller(
            context.database,
            context.tokens,
            query.user_person_id,
            query.smctoken,
            now=now,
            client_address=address,
        )
        found = await context.lookups.one(
            who, query.person_id, channel=Channel.SOAP, client_address=address
        )
    except TokensError as error:
        return _refused(context, error, now, lang)
    except InvalidPatientIdError:  # not a citizen ID: nobody to look up (clients test fname)
        return _xml(build_search_response(None, wsid=context.ids.wsid(), requested_at=now))
    return _xml(build_search_response(found.beneficiary, wsid=found.wsid, requested_at=found.at))


def _refused(context: AppContext, error: TokensError, now: datetime, lang: str) -> Response:
    """``NHSO-00003`` for refused credentials; the description says why when it is not simply
    a bad token."""
    context.metrics.refusals.labels(error.code).inc()
    description = None if isinstance(error, InvalidCredentialsError) else error.message(lang)
    document = build_token_error_response(
        wsid=context.ids.wsid(), requested_at=now, description=description
    )
    response = _xml(document)
    if isinstance(error, TooManyAttemptsError):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


async def _read_body(request: Request) -> bytes:
    try:
        return await request.body()
    except ClientDisconnect:
        raise SoapMalformedError(detail="the body ended early") from None
    except HTTPException as error:  # the server's body limit (ucauth.server.body_limit)
        if error.status_code == 413:
            raise SoapRequestTooLargeError(limit=MAX_REQUEST_BYTES) from None
        raise


def _xml(document: bytes, status_code: int = 200) -> Response:
    return Response(document, status_code, media_type=CONTENT_TYPE)


for _path in PATHS:
    router.add_api_route(
        _path,
        documents,
        methods=["GET"],
        include_in_schema=_path == PATH,
        summary="WSDL (?wsdl) and schema (?xsd=1) of UCWSTokenP1",
        responses={200: _XML, 404: {}},
    )
    router.add_api_route(
        _path,
        search,
        methods=["POST"],
        include_in_schema=_path == PATH,
        summary="SOAP 1.1 searchCurrentByPID (text/xml; see the WSDL)",
        responses={200: _XML, FAULT_HTTP_STATUS: {"description": "SOAP 1.1 Fault", **_XML}},
        openapi_extra={"requestBody": {"required": True, **_XML}},
    )
