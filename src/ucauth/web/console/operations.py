"""The console's job runs and legacy-login usage: read-only tables (a regional administrator
sees the legacy credentials of their units only; job runs are the whole server's)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ucauth.jobs.models import JobRun
from ucauth.lifecycle.models import LegacyCredential
from ucauth.web import pages
from ucauth.web.console.access import admin_of

router = APIRouter(include_in_schema=False)
RUNS_SHOWN = 100


@router.get("/console/jobs")
async def job_runs(request: Request) -> Response:
    admin = await admin_of(request)

    def load(db: Session) -> list[JobRun]:
        query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
        return list(db.scalars(query.limit(RUNS_SHOWN)))

    runs = await pages.in_session(request, load)
    return pages.render(request, "console/jobs.html", admin=admin, runs=runs, limit=RUNS_SHOWN)


@router.get("/console/legacy")
async def legacy_logins(request: Request) -> Response:
    """Which units still use legacy ``chk…`` credentials, and when they were last used."""
    admin = await admin_of(request)

    def load(db: Session) -> list[LegacyCredential]:
        query = select(LegacyCredential).order_by(
            LegacyCredential.last_used_at.desc().nulls_last(), LegacyCredential.username
        )
        if admin.hcodes is not None:
            query = query.where(LegacyCredential.unit_hcode.in_(sorted(admin.hcodes)))
        return list(db.scalars(query))

    found = await pages.in_session(request, load)
    return pages.render(request, "console/legacy.html", admin=admin, credentials=found)
