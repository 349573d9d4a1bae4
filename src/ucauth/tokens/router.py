"""HTTP routes of the login protocol, HIS log-on check (verify), logout and ``/me``.

These are the server's hot routes: ``async``, their few indexed statements run through
:class:`ucauth.server.database.Database` on a Core connection. They read and write JSON with the
lean helpers of :mod:`ucauth.server.dependencies`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ucauth.lifecycle.legacy import authenticate_legacy, check_in_thread, uses_legacy_login
from ucauth.server.dependencies import (
    CurrentUser,
    StaffCredentials,
    app_context,
    client_address,
    json_body,
    json_response,
    read_json,
)
from ucauth.server.errors import error_responses
from ucauth.tokens import service
from ucauth.tokens.protocol import encode_b64
from ucauth.tokens.schemas import (
    AccountStatusRequest,
    AccountStatusResponse,
    ChallengeRequest,
    ChallengeResponse,
    LegacyUnitInfo,
    LegacyVerifyResponse,
    LoginRequest,
    LoginResponse,
    SessionInfo,
    VerifyRequest,
    VerifyResponse,
)

router = APIRouter(prefix="/api/v1", tags=["auth"])  # routes match in order: hottest first


@router.post(
    "/auth/verify",
    response_model=VerifyResponse | LegacyVerifyResponse,
    responses=error_responses(401, 403, 422, 429, 503),
    openapi_extra=json_body(VerifyRequest),
)
async def verify(request: Request) -> Response:
    """HIS log-on check: is ``password`` the current token of the staff member ``username``?
    (Or, before their sunset, a legacy unit credential ``chk…`` and its password.)"""
    body = await read_json(request, VerifyRequest)
    context = app_context(request)
    if uses_legacy_login(context.tokens, body.username):
        return await _verify_legacy(request, body)
    user = await service.authenticate_batched(
        context.database,
        context.tokens,
        body.username,
        body.password,
        now=context.clock.now(),
        client_address=client_address(request),
    )
    return json_response(VerifyResponse.of(user))


async def _verify_legacy(request: Request, body: VerifyRequest) -> Response:
    context = app_context(request)
    unit = await check_in_thread(
        context.database.read,
        authenticate_legacy,
        context.tokens,
        body.username,
        body.password,
        now=context.clock.now(),
        client_address=client_address(request),
        channel="verify",
    )
    info = LegacyUnitInfo(username=unit.username, unit_hcode=unit.unit_hcode)
    return json_response(LegacyVerifyResponse(legacy_unit=info, accepted_until=unit.until))


@router.get("/me", responses=error_responses(401, 403, 429, 503))
async def me(user: CurrentUser) -> SessionInfo:
    """Who the token in the ``Authorization`` header belongs to."""
    return SessionInfo.of(user)


@router.post(
    "/auth/challenge",
    response_model=ChallengeResponse,
    responses=error_responses(403, 422, 503),
    openapi_extra=json_body(ChallengeRequest),
)
async def challenge(request: Request) -> Response:
    """A single-use nonce for this enrolled agent and card CID (five minutes)."""
    body = await read_json(request, ChallengeRequest)
    context = app_context(request)
    issued = await service.issue_challenge_batched(
        context.database,
        context.tokens,
        context.active_agents,
        body.agent_id,
        body.cid,
        now=context.clock.now(),
        random=context.random,
    )
    return json_response(
        ChallengeResponse(nonce=encode_b64(issued.nonce), expires_at=issued.expires_at)
    )


@router.post(
    "/auth/login",
    response_model=LoginResponse,
    responses=error_responses(403, 422, 429, 503),
    openapi_extra=json_body(LoginRequest),
)
async def login(request: Request) -> Response:
    """A signed card login; answers the new token (the previous one dies). Concurrent logins
    share a transaction (``ucauth.server.login_batches``)."""
    signed = (await read_json(request, LoginRequest)).to_signed()
    issued = await app_context(request).logins.login(signed, client_address(request))
    return json_response(
        LoginResponse(username=issued.cid, token=issued.token, expires_at=issued.expires_at)
    )


@router.post(
    "/auth/account-status",
    response_model=AccountStatusResponse,
    responses=error_responses(403, 422, 429, 503),
    openapi_extra=json_body(AccountStatusRequest),
)
async def account_status(request: Request) -> Response:
    """The status of the card holder's account, for an enrolled agent (signed, single-use nonce)."""
    signed = (await read_json(request, AccountStatusRequest)).to_signed()
    context = app_context(request)
    state = await context.database.run(
        service.account_status,
        context.tokens,
        signed,
        now=context.clock.now(),
        client_address=client_address(request),
    )
    return json_response(AccountStatusResponse.of(state))


@router.post("/auth/logout", status_code=204, responses=error_responses(401, 429, 503))
async def logout(request: Request, credentials: StaffCredentials) -> Response:
    """End the session of the token in the ``Authorization`` header."""
    context = app_context(request)
    await context.database.run(
        service.logout,
        context.tokens,
        credentials.cid,
        credentials.token,
        now=context.clock.now(),
        client_address=client_address(request),
    )
    return Response(status_code=204)
