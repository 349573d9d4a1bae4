"""The console's users (search, detail with history, revoke, reinstate, end sessions) and
units."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from ucauth.accounts import service as accounts
from ucauth.accounts.errors import AccountsError, NotFoundError
from ucauth.accounts.models import Unit, UserStatus
from ucauth.audit import service as audit
from ucauth.cid import is_valid_cid
from ucauth.codes import regions
from ucauth.server.dependencies import app_context
from ucauth.web import pages
from ucauth.web.console.access import Admin, admin_of
from ucauth.web.errors import OutOfScopeError

router = APIRouter(include_in_schema=False)
LIST_LIMIT = 200
HISTORY_LIMIT = 50
ACTIONS = ("revoke", "reinstate", "end_sessions")


@router.get("/console/users")
async def users(request: Request) -> Response:
    admin = await admin_of(request)
    text = request.query_params.get("q", "")[:100]
    status = request.query_params.get("status", "")
    chosen = UserStatus(status) if status in set(UserStatus) else None
    found = await pages.in_session(
        request,
        lambda db: accounts.list_users(
            db, status=chosen, unit_hcodes=admin.hcodes, text=text, limit=LIST_LIMIT
        ),
    )
    return pages.render(
        request,
        "console/users.html",
        admin=admin,
        users=found,
        q=text,
        status=status,
        statuses=list(UserStatus),
        limit=LIST_LIMIT,
    )


@router.get("/console/users/{cid}")
async def user_detail(request: Request, cid: str) -> Response:
    admin = await admin_of(request)
    done = request.query_params.get("done")
    notice = pages.text(request, f"done_{done}") if done in ACTIONS else None
    return await _detail(request, admin, cid, notice=notice)


async def _detail(
    request: Request, admin: Admin, cid: str, *, notice: str | None = None, error: str | None = None
) -> Response:
    if not is_valid_cid(cid):
        raise OutOfScopeError()

    def load(db: Session) -> dict[str, Any]:
        user = accounts.find_user(db, cid)
        admin.check(user.unit_hcode)
        about = audit.events(db, subject_cid=cid, limit=HISTORY_LIMIT)
        by = audit.events(db, actor=cid, limit=HISTORY_LIMIT)
        history = sorted({e.id: e for e in about + by}.values(), key=lambda e: (e.at, e.id))
        return {
            "person": user,
            "regions": accounts.user_regions(db, user.id),
            "history": history[::-1][:HISTORY_LIMIT],
        }

    try:
        values = await pages.in_session(request, load)
    except AccountsError:
        raise OutOfScopeError() from None
    return pages.render(
        request, "console/user.html", admin=admin, notice=notice, error=error, **values
    )


@router.post("/console/users/{cid}/{action}")
async def user_action(request: Request, cid: str, action: str) -> Response:
    """``revoke`` (with a reason), ``reinstate`` or ``end_sessions``; audited by the service."""
    admin = await admin_of(request)
    form = await pages.check_form(request)
    context = app_context(request)
    now = context.clock.now()
    reason = str(form.get("reason", "")).strip()

    if action not in ACTIONS:
        raise OutOfScopeError()

    def act(db: Session) -> None:
        admin.check(accounts.find_user(db, cid).unit_hcode)
        if action == "revoke":
            accounts.revoke_user(db, cid, reason=reason, actor=admin.actor, now=now)
        elif action == "reinstate":
            accounts.reinstate_user(db, cid, actor=admin.actor, now=now)
        else:
            accounts.kill_sessions(db, cid, actor=admin.actor, now=now)

    try:
        await pages.in_session(request, act)
    except NotFoundError:
        raise OutOfScopeError() from None
    except AccountsError as error:
        message = error.message(pages.language(request))
        return await _detail(request, admin, cid, error=message)
    return pages.redirect(f"/console/users/{cid}?done={action}")


@router.get("/console/units")
async def units(request: Request) -> Response:
    admin = await admin_of(request)

    def load(db: Session) -> list[Unit]:
        return [
            u for u in accounts.list_units(db) if admin.hcodes is None or u.hcode in admin.hcodes
        ]

    found = await pages.in_session(request, load)
    return pages.render(request, "console/units.html", admin=admin, units=found, regions=regions())
