"""The console's log-on and dashboard: active accounts, logins per day and lookups per hour
over 30 days, and the revocations coming in the next 30 days."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from ucauth.accounts import service as accounts
from ucauth.accounts.models import Role, UserStatus
from ucauth.audit import service as audit
from ucauth.audit.service import Action
from ucauth.errors import UcauthError
from ucauth.server.dependencies import app_context
from ucauth.server.errors import status_for
from ucauth.tokens.errors import TokensError
from ucauth.web import pages
from ucauth.web.console.access import LOGIN, Admin, admin_of
from ucauth.web.console.charts import BarChart, bar_chart
from ucauth.web.errors import NotAdministratorError, SessionRequiredError
from ucauth.web.logon import log_on

router = APIRouter(include_in_schema=False)
DAYS = 30
UPCOMING_SHOWN = 50


@router.get("/console")
async def dashboard(request: Request) -> Response:
    try:
        admin = await admin_of(request)
    except SessionRequiredError:
        return pages.render(request, "console/login.html", username="", error=None)
    context = app_context(request)
    now, zone = context.clock.now(), context.settings.zone
    figures = await pages.in_session(request, lambda db: _figures(db, admin, now, zone))
    return pages.render(request, "console/dashboard.html", admin=admin, now=now, **figures)


@router.post("/console/login")
async def console_login(request: Request) -> Response:
    outcome = await log_on(request, area="console")
    if isinstance(outcome, TokensError):
        return await _refused(request, outcome)
    user, session = outcome
    if user.role == Role.STAFF:
        return await _refused(request, NotAdministratorError())
    response = pages.redirect(LOGIN)
    pages.set_session(request, response, session, user.expires_at)
    return response


async def _refused(request: Request, error: UcauthError) -> Response:
    username = str((await request.form()).get("username", ""))[:13]
    message = error.message(pages.language(request))
    return pages.render(
        request, "console/login.html", status_for(error), username=username, error=message
    )


def _figures(db: Session, admin: Admin, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    since = today - timedelta(days=DAYS - 1)
    counts = audit.hourly_counts(
        db, [Action.LOGIN, Action.RIGHTS_LOOKUP], since=since, unit_hcodes=admin.hcodes
    )
    upcoming = accounts.inactive_by(db, now + timedelta(days=DAYS), unit_hcodes=admin.hcodes)
    return {
        "active": accounts.count_users(db, status=UserStatus.ACTIVE, unit_hcodes=admin.hcodes),
        "pending": accounts.count_users(db, status=UserStatus.PENDING, unit_hcodes=admin.hcodes),
        "logins": _per_day(counts[Action.LOGIN], since, zone),
        "lookups": _per_hour(counts[Action.RIGHTS_LOOKUP], since, zone),
        "upcoming": upcoming[:UPCOMING_SHOWN],
        "upcoming_total": len(upcoming),
        "inactivity": accounts.INACTIVITY_LIMIT,
    }


def _per_day(hourly: dict[datetime, int], since: datetime, zone: ZoneInfo) -> BarChart:
    days: dict[str, int] = {}
    for offset in range(DAYS):
        days[(since + timedelta(days=offset)).strftime("%d/%m")] = 0
    for hour, count in hourly.items():
        key = hour.astimezone(zone).strftime("%d/%m")
        if key in days:
            days[key] += count
    return bar_chart(list(days.items()), label_every=5)


def _per_hour(hourly: dict[datetime, int], since: datetime, zone: ZoneInfo) -> BarChart:
    start = since.astimezone(zone)
    local = {hour.astimezone(zone).replace(tzinfo=None): count for hour, count in hourly.items()}
    values = []
    for offset in range(DAYS * 24):
        hour = (start + timedelta(hours=offset)).replace(tzinfo=None)
        values.append((hour.strftime("%d/%m %H:00"), local.get(hour, 0)))
    return bar_chart(values, label_every=24 * 5)
