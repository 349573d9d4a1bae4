"""HTTP routes of the rights service: SRM-style REST, the batch search and FHIR Coverage.

Thin: the caller is a staff member's token (``Bearer CID#token`` or Basic, as ``CurrentUser``
checks it), the lookup and its audit are :class:`ucauth.rights.lookups.Lookups`' work, and the
answers are the documents of :mod:`ucauth.rights.rest` and :mod:`ucauth.rights.fhir`. Each
answer carries its request id (``wsid``) in ``X-Request-Id``. The single-person routes are hot:
they take the ``Request`` and read it with the lean helpers of
:mod:`ucauth.server.dependencies` (their parameters are documented by hand). The SOAP endpoint
is in :mod:`ucauth.rights.soap.router`.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response

from ucauth.i18n import negotiate
from ucauth.rights.callers import Caller, StaffCredentials
from ucauth.rights.errors import FhirSearchError, PersonNotFoundError
from ucauth.rights.fhir import CITIZEN_ID_SYSTEM, coverage_bundle
from ucauth.rights.lookups import Channel, Lookup
from ucauth.rights.rest import RightSearchResponse, right_search_response
from ucauth.rights.schemas import BatchRequest, BatchResponse, batch_items
from ucauth.server.dependencies import (
    AUTHORIZATION_PARAMETER,
    CurrentUser,
    app_context,
    client_address,
    current_user,
    json_response,
    parse_authorization,
)
from ucauth.server.errors import error_responses

router = APIRouter(tags=["rights"])
REQUEST_ID = "X-Request-Id"
FHIR_JSON = "application/fhir+json"
FHIR_PARAMETER = "beneficiary:identifier"


def _parameters(name: str, description: str) -> dict[str, Any]:
    """``openapi_extra`` for a lean route: its query parameter and the Authorization header."""
    query = {"name": name, "in": "query", "required": True, "description": description}
    return {"parameters": [{**query, "schema": {"type": "string"}}, AUTHORIZATION_PARAMETER]}


@router.get(
    "/api/ucws/v1/right-search",
    response_model=RightSearchResponse,
    responses=error_responses(400, 401, 403, 404, 429, 503),
    openapi_extra=_parameters("pid", "the citizen ID (13 digits) of the person to look up"),
)
async def right_search(request: Request) -> Response:
    """The rights of the person with citizen ID ``pid``, in the JSON shape of NHSO's SRM
    service; 404 when nobody has that ID."""
    found = await _look_up(request, request.query_params.get("pid", ""), Channel.REST)
    if found.beneficiary is None:
        raise PersonNotFoundError()
    body = right_search_response(found.beneficiary, checked_at=found.at)
    return json_response(body, headers={REQUEST_ID: found.wsid})


@router.post(
    "/api/v1/right-search/batch",
    response_model=BatchResponse,
    responses=error_responses(401, 403, 422, 429, 503),
)
async def right_search_batch(request: Request, user: CurrentUser, body: BatchRequest) -> Response:
    """Up to 1,000 citizen IDs in one request (one query); one result or error per ID, in the
    order asked. Every ID looked up is audited."""
    context = app_context(request)
    batch = await context.lookups.many(
        Caller.of(user), body.pids, channel=Channel.BATCH, client_address=client_address(request)
    )
    items = batch_items(batch, negotiate(request.headers.get("accept-language")))
    return json_response(BatchResponse(wsid_batch=batch.wsid_batch, results=items))


@router.get(
    "/api/fhir/r4/Coverage",
    responses={
        200: {"description": "a FHIR R4 searchset Bundle of Coverage", "content": {FHIR_JSON: {}}},
        **error_responses(400, 401, 403, 429, 503),
    },
    openapi_extra=_parameters(
        FHIR_PARAMETER, f"the beneficiary's citizen ID: {CITIZEN_ID_SYSTEM}|<cid>, or <cid>"
    ),
)
async def fhir_coverage(request: Request) -> Response:
    """FHIR R4 search: the Coverage resources (current and pending right) of a citizen ID, as
    a ``searchset`` Bundle (total 0 when nobody has the ID)."""
    identifier = request.query_params.get(FHIR_PARAMETER, "")
    system, separator, value = identifier.rpartition("|")
    if not value or (separator and system != CITIZEN_ID_SYSTEM):
        await current_user(request)  # the credentials first: 401 before 400
        raise FhirSearchError(parameter=FHIR_PARAMETER, system=CITIZEN_ID_SYSTEM)
    found = await _look_up(request, value, Channel.FHIR)
    bundle = coverage_bundle(found.beneficiary, now=found.at)
    content = json.dumps(bundle, ensure_ascii=False)
    return Response(content, media_type=FHIR_JSON, headers={REQUEST_ID: found.wsid})


async def _look_up(request: Request, pid: str, channel: Channel) -> Lookup:
    """Look ``pid`` up for the staff member whose credentials the request carries (checked in
    the lookup's own query)."""
    credentials = parse_authorization(request.headers.get("authorization"))
    context = app_context(request)
    return await context.lookups.one(
        StaffCredentials(context.tokens, credentials.cid, credentials.token),
        pid,
        channel=channel,
        client_address=client_address(request),
    )
