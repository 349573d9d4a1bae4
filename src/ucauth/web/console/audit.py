"""The console's audit search: who looked up a patient, what a user did, by date; CSV export.
Every search is itself audited (``audit_search``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from ucauth.audit import service as audit
from ucauth.audit.models import AuditEvent
from ucauth.audit.service import Action, Event, record
from ucauth.cid import is_valid_cid
from ucauth.server.dependencies import app_context, client_address
from ucauth.web import pages
from ucauth.web.console.access import admin_of

router = APIRouter(include_in_schema=False)
LIMIT = 1000
FIELDS = ("patient", "user", "since", "until")


@router.get("/console/audit")
async def audit_form(request: Request) -> Response:
    admin = await admin_of(request)
    empty = dict.fromkeys(FIELDS, "")
    return pages.render(
        request, "console/audit.html", admin=admin, form=empty, events=None, error=None, limit=LIMIT
    )


@router.post("/console/audit")
async def audit_search(request: Request) -> Response:
    admin = await admin_of(request)
    posted = await pages.check_form(request)
    form = {name: str(posted.get(name, "")).strip()[:13] for name in FIELDS}
    context = app_context(request)
    zone = context.settings.zone
    filters = _filters(form, zone)
    if isinstance(filters, str):
        return pages.render(
            request,
            "console/audit.html",
            422,
            admin=admin,
            form=form,
            events=None,
            error=pages.text(request, filters),
            limit=LIMIT,
        )
    now = context.clock.now()
    event = Event(
        Action.AUDIT_SEARCH,
        actor=admin.actor,
        subject_cid=form["patient"] or form["user"] or None,
        unit_hcode=admin.user.unit_hcode,
        client_address=client_address(request),
        details={k: v for k, v in form.items() if v},
    )

    def search(db: Session) -> list[AuditEvent]:
        found = audit.events(db, unit_hcodes=admin.hcodes, limit=LIMIT, **filters)
        record(db, now, event)
        db.commit()
        return found

    found = await pages.in_session(request, search)
    if posted.get("format") == "csv":
        return _csv(found, zone)
    return pages.render(
        request,
        "console/audit.html",
        admin=admin,
        form=form,
        events=found,
        error=None,
        limit=LIMIT,
    )


def _filters(form: Mapping[str, str], zone: ZoneInfo) -> dict[str, Any] | str:
    """The service's filters, or the catalog key of what is wrong with the form."""
    patient, user = form["patient"], form["user"]
    if (patient and not is_valid_cid(patient)) or (user and not is_valid_cid(user)):
        return "audit_bad_cid"
    try:
        since = _day(form["since"], zone)
        until = _day(form["until"], zone)
    except ValueError:
        return "audit_bad_date"
    if not (patient or user or since or until):
        return "audit_need_filter"
    return {
        "subject_cid": patient or None,
        "actor": user or None,
        "actions": [Action.RIGHTS_LOOKUP] if patient else (),
        "since": since,
        "until": until + timedelta(days=1) if until else None,
    }


def _day(text: str, zone: ZoneInfo) -> datetime | None:
    return datetime.combine(date.fromisoformat(text), time(), zone) if text else None


def _csv(events: list[AuditEvent], zone: ZoneInfo) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(audit.CSV_COLUMNS)
    writer.writerows(audit.csv_row(event, zone) for event in events)
    headers = {"Content-Disposition": 'attachment; filename="audit.csv"'}
    return Response(
        "\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers
    )
