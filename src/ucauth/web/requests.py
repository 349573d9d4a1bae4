"""The public access-request form (R7): validation as you type, a reference number on
submission, a printable copy to sign, and the status page."""

from __future__ import annotations

from dataclasses import fields

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from ucauth.errors import UcauthError
from ucauth.lifecycle import service
from ucauth.lifecycle.models import AccessRequest
from ucauth.lifecycle.service import RequestForm
from ucauth.server.dependencies import app_context, client_address
from ucauth.server.errors import status_for
from ucauth.web import pages

router = APIRouter(include_in_schema=False)
FIELDS = tuple(field.name for field in fields(RequestForm))
MAX_LENGTH = 500


@router.get("/access-request")
async def request_form(request: Request) -> Response:
    return pages.render(request, "requests/form.html", form=dict.fromkeys(FIELDS, ""), error=None)


@router.post("/access-request")
async def submit(request: Request) -> Response:
    posted = await pages.check_form(request)
    form = {name: str(posted.get(name, ""))[:MAX_LENGTH] for name in FIELDS}
    context = app_context(request)

    def work(db: Session) -> AccessRequest:
        return service.submit_request(
            db,
            RequestForm(**form),
            now=context.clock.now(),
            random=context.random,
            client_address=client_address(request),
            zone=context.settings.zone,
        )

    try:
        submitted = await pages.in_session(request, work)
    except UcauthError as error:
        message = error.message(pages.language(request))
        return pages.render(
            request, "requests/form.html", status_for(error), form=form, error=message
        )
    return pages.render(request, "requests/submitted.html", item=submitted)


@router.get("/access-request/status")
async def request_status(request: Request) -> Response:
    """A request's status by its reference number (nothing personal is shown)."""
    reference = request.query_params.get("reference", "").strip()[:20]
    if not reference:
        return pages.render(request, "requests/status.html", reference="", item=None, error=None)
    context = app_context(request)

    def work(db: Session) -> AccessRequest:
        return service.request_status(
            db, reference, now=context.clock.now(), client_address=client_address(request)
        )

    try:
        found = await pages.in_session(request, work)
    except UcauthError as error:
        message = error.message(pages.language(request))
        return pages.render(
            request,
            "requests/status.html",
            status_for(error),
            reference=reference,
            item=None,
            error=message,
        )
    return pages.render(
        request, "requests/status.html", reference=found.reference, item=found, error=None
    )
