"""The console's routes, together."""

from __future__ import annotations

from fastapi import APIRouter

from ucauth.web.console import agents, audit, dashboard, operations, requests, users

router = APIRouter(include_in_schema=False)
for part in (
    dashboard.router,
    users.router,
    requests.router,
    agents.router,
    audit.router,
    operations.router,
):
    router.include_router(part)
