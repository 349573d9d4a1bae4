"""The console's workstations (agents): enrolment codes for a unit, disabling a workstation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from ucauth.accounts import service as accounts
from ucauth.accounts.errors import AccountsError, NotFoundError
from ucauth.accounts.models import Agent
from ucauth.server.dependencies import app_context
from ucauth.web import pages
from ucauth.web.console.access import Admin, admin_of
from ucauth.web.errors import OutOfScopeError

router = APIRouter(include_in_schema=False)


@router.get("/console/agents")
async def agents(request: Request) -> Response:
    admin = await admin_of(request)
    done = request.query_params.get("done") == "disabled"
    return await _page(request, admin, notice=pages.text(request, "done_disable") if done else None)


async def _page(request: Request, admin: Admin, **values: Any) -> Response:
    def load(db: Session) -> dict[str, Any]:
        units = accounts.list_units(db)
        return {
            "agents": accounts.list_agents(db, unit_hcodes=admin.hcodes),
            "units": [u for u in units if admin.hcodes is None or u.hcode in admin.hcodes],
        }

    loaded = await pages.in_session(request, load)
    values = {"notice": None, "error": None, "issued": None, **values}
    return pages.render(request, "console/agents.html", admin=admin, **loaded, **values)


@router.post("/console/agents/codes")
async def issue_code(request: Request) -> Response:
    """A one-time enrolment code, shown once on the answer page (never stored in clear)."""
    admin = await admin_of(request)
    form = await pages.check_form(request)
    context = app_context(request)
    hcode = str(form.get("unit", ""))
    hours = str(form.get("hours", "24"))
    admin.check(hcode)

    def issue(db: Session) -> accounts.IssuedCode:
        return accounts.issue_enrolment_code(
            db,
            unit_hcode=hcode,
            lifetime=timedelta(hours=int(hours) if hours.isdigit() else 0),
            actor=admin.actor,
            now=context.clock.now(),
            random=context.random,
        )

    try:
        issued = await pages.in_session(request, issue)
    except AccountsError as error:
        return await _page(request, admin, error=error.message(pages.language(request)))
    return await _page(request, admin, issued=issued)


@router.post("/console/agents/{agent_id}/disable")
async def disable(request: Request, agent_id: int) -> Response:
    admin = await admin_of(request)
    await pages.check_form(request)
    context = app_context(request)

    def act(db: Session) -> None:
        agent = db.get(Agent, agent_id)
        if agent is None:
            raise OutOfScopeError()
        admin.check(agent.unit_hcode)
        accounts.disable_agent(db, agent_id, actor=admin.actor, now=context.clock.now())

    try:
        await pages.in_session(request, act)
    except NotFoundError:
        raise OutOfScopeError() from None
    except AccountsError as error:
        return await _page(request, admin, error=error.message(pages.language(request)))
    context.active_agents.forget(agent_id)
    return pages.redirect("/console/agents?done=disabled")
