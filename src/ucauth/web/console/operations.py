"""The console's job runs and legacy-login usage: read-only tables (a regional administrator
sees the legacy credentials of their units only; job runs are the whole server's)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from ucauth.jobs import service as jobs
from ucauth.lifecycle import legacy
from ucauth.server.dependencies import app_context
from ucauth.web import pages
from ucauth.web.console.access import admin_of

router = APIRouter(include_in_schema=False)
RUNS_SHOWN = 100


@router.get("/console/jobs")
async def job_runs(request: Request) -> Response:
    admin = await admin_of(request)

    runs = await pages.in_session(request, lambda db: jobs.list_runs(db, limit=RUNS_SHOWN))
    return pages.render(request, "console/jobs.html", admin=admin, runs=runs, limit=RUNS_SHOWN)


@router.get("/console/legacy")
async def legacy_logins(request: Request) -> Response:
    """Which units still use legacy ``chk…`` credentials: use in the last 30 days, and all the
    credentials (of the administrator's units)."""
    admin = await admin_of(request)
    now = app_context(request).clock.now()

    def mine(unit_hcode: str) -> bool:
        return admin.hcodes is None or unit_hcode in admin.hcodes

    def load(db: Session) -> dict[str, Any]:
        return {
            "usage": [u for u in legacy.usage_report(db, now=now) if mine(u.unit_hcode)],
            "credentials": [c for c in legacy.list_credentials(db) if mine(c.unit_hcode)],
        }

    found = await pages.in_session(request, load)
    return pages.render(request, "console/legacy.html", admin=admin, **found)
