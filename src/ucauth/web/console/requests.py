"""The console's access-request queue (R7): the requests of the administrator's regions,
approve, or reject with a reason (which the requester sees). The lifecycle service checks the
region and audits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from ucauth.errors import UcauthError
from ucauth.lifecycle import service
from ucauth.lifecycle.errors import RequestNotFoundError
from ucauth.lifecycle.models import RequestStatus
from ucauth.server.dependencies import app_context
from ucauth.server.errors import status_for
from ucauth.web import pages
from ucauth.web.console.access import Admin, admin_of

router = APIRouter(include_in_schema=False)
STATUSES = ("pending", "approved", "rejected", "all")
DECISIONS = ("approve", "reject")


@router.get("/console/requests")
async def queue(request: Request) -> Response:
    admin = await admin_of(request)
    status = request.query_params.get("status", "pending")
    status = status if status in STATUSES else "pending"

    def load(db: Session) -> list[Any]:
        return service.list_requests(
            db,
            service.administrator(db, admin.actor),
            status=None if status == "all" else RequestStatus(status),
        )

    found = await pages.in_session(request, load)
    return pages.render(
        request,
        "console/requests.html",
        admin=admin,
        items=found,
        status=status,
        statuses=STATUSES,
    )


@router.get("/console/requests/{reference}")
async def detail(request: Request, reference: str) -> Response:
    admin = await admin_of(request)
    done = request.query_params.get("done")
    notice = pages.text(request, f"done_{done}") if done in DECISIONS else None
    return await _detail(request, admin, reference, notice=notice)


async def _detail(
    request: Request, admin: Admin, reference: str, status_code: int = 200, **values: Any
) -> Response:
    def load(db: Session) -> Any:
        return service.get_request(db, reference, admin=service.administrator(db, admin.actor))

    item = await pages.in_session(request, load)
    values = {"notice": None, "error": None, **values}
    return pages.render(
        request, "console/request.html", status_code, admin=admin, item=item, **values
    )


@router.post("/console/requests/{reference}/{decision}")
async def decide(request: Request, reference: str, decision: str) -> Response:
    admin = await admin_of(request)
    form = await pages.check_form(request)
    if decision not in DECISIONS:
        raise RequestNotFoundError(reference=reference[:20])
    now = app_context(request).clock.now()
    reason = str(form.get("reason", ""))

    def act(db: Session) -> None:
        deciding = service.administrator(db, admin.actor)
        if decision == "approve":
            service.approve_request(db, reference, admin=deciding, now=now)
        else:
            service.reject_request(db, reference, admin=deciding, reason=reason, now=now)

    try:
        await pages.in_session(request, act)
    except RequestNotFoundError:
        raise
    except UcauthError as error:
        message = error.message(pages.language(request))
        return await _detail(request, admin, reference, status_for(error), error=message)
    return pages.redirect(
        f"/console/requests/{service.normal_reference(reference)}?done={decision}"
    )
