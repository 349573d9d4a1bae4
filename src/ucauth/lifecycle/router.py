"""HTTP routes of access requests: the public form and status, and the administrators' queue.

Administrators authenticate with their own token (``Authorization: Bearer CID#token``) and must
have the ``admin`` or ``regional_admin`` role; regional administrators see and decide the
requests of their regions only.
"""

from __future__ import annotations

from fastapi import APIRouter

from ucauth.lifecycle import service
from ucauth.lifecycle.models import RequestStatus
from ucauth.lifecycle.schemas import (
    AccessRequestBody,
    AccessRequestDetail,
    AccessRequestStatus,
    RejectBody,
    StatusFilter,
)
from ucauth.server.dependencies import ClientAddress, Context, CurrentUser
from ucauth.server.errors import error_responses

router = APIRouter(prefix="/api/v1", tags=["access requests"])


@router.post("/access-requests", status_code=201, responses=error_responses(409, 422, 429))
def submit(
    body: AccessRequestBody, context: Context, address: ClientAddress
) -> AccessRequestStatus:
    """Request an account (or a revoked account back); answers the reference number."""
    with context.sessions() as session:
        request = service.submit_request(
            session,
            body.form(),
            now=context.clock.now(),
            random=context.random,
            client_address=address,
            zone=context.settings.zone,
        )
        return AccessRequestStatus.of(request)


@router.get("/access-requests/{reference}", responses=error_responses(404, 429))
def status(reference: str, context: Context, address: ClientAddress) -> AccessRequestStatus:
    """A request's status by its reference number (and the reason when it was rejected)."""
    with context.sessions() as session:
        request = service.request_status(
            session, reference, now=context.clock.now(), client_address=address
        )
        return AccessRequestStatus.of(request)


@router.get("/admin/access-requests", responses=error_responses(401, 403, 429))
def queue(
    context: Context, user: CurrentUser, status: StatusFilter = "pending", limit: int = 200
) -> list[AccessRequestDetail]:
    """The requests of the caller's regions: pending ones oldest first, by default."""
    with context.sessions() as session:
        admin = service.administrator(session, user.cid)
        found = service.list_requests(
            session,
            admin,
            status=None if status == "all" else RequestStatus(status),
            limit=max(1, min(limit, 1000)),
        )
        return [AccessRequestDetail.of(request) for request in found]


@router.get("/admin/access-requests/{reference}", responses=error_responses(401, 403, 404, 429))
def detail(reference: str, context: Context, user: CurrentUser) -> AccessRequestDetail:
    """One request of the caller's regions, with all its fields."""
    with context.sessions() as session:
        admin = service.administrator(session, user.cid)
        return AccessRequestDetail.of(service.get_request(session, reference, admin=admin))


@router.post(
    "/admin/access-requests/{reference}/approve",
    responses=error_responses(401, 403, 404, 409, 429),
)
def approve(reference: str, context: Context, user: CurrentUser) -> AccessRequestDetail:
    """Approve: the account becomes active (created, or reactivated keeping its history)."""
    with context.sessions() as session:
        admin = service.administrator(session, user.cid)
        request = service.approve_request(session, reference, admin=admin, now=context.clock.now())
        return AccessRequestDetail.of(request)


@router.post(
    "/admin/access-requests/{reference}/reject",
    responses=error_responses(401, 403, 404, 409, 422, 429),
)
def reject(
    reference: str, body: RejectBody, context: Context, user: CurrentUser
) -> AccessRequestDetail:
    """Reject with a reason, which the requester sees."""
    with context.sessions() as session:
        admin = service.administrator(session, user.cid)
        request = service.reject_request(
            session, reference, admin=admin, reason=body.reason, now=context.clock.now()
        )
        return AccessRequestDetail.of(request)
