"""Helpers of the web-page tests: staff with a live token (obtained through the real login
protocol), beneficiaries to find, log-on through the page, CSRF tokens of a page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.agents import TestAgent
from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.rights import PID, SAMPLE_ROW, store
from tests.support.server import LiveServer
from ucauth.accounts.models import Role
from ucauth.audit.models import AuditEvent

PENDING_PID = cid_for(9001)
DECEASED_PID = cid_for(9002)
UNKNOWN_PID = cid_for(9003)
PENDING_ROW: dict[str, object] = {
    **SAMPLE_ROW,
    "person_id": PENDING_PID,
    "new_maininscl": "UCS",
    "new_subinscl": "89",
    "new_hmain": "11582",
    "new_hmain_op": "11582",
    "new_purchaseprovince": "1500",
    "new_startdate": date(2027, 1, 1),
}
DECEASED_ROW: dict[str, object] = {
    **SAMPLE_ROW,
    "person_id": DECEASED_PID,
    "death_date": date(2025, 6, 30),
}


@dataclass
class Site:
    """A live server with one unit (10670, Bangkok: region 13), an enrolled workstation and
    the registry's sample people."""

    server: LiveServer
    agent: TestAgent
    session: Session

    def person(self, number: int, role: Role = Role.STAFF, **options: object) -> str:
        """A new account (active unless ``status`` says otherwise); its citizen ID."""
        cid = cid_for(number)
        add_user(self.session, cid, role=role, **options)  # type: ignore[arg-type]
        return cid

    def token(self, cid: str) -> str:
        """A card login of ``cid`` through the real protocol; the new token."""
        with httpx.Client(base_url=self.server.url) as client:
            return self.agent.token(client, cid)

    def url(self, path: str) -> str:
        return f"{self.server.url}{path}"


@pytest.fixture
def site(live_server: LiveServer, session: Session, database_url: str) -> Site:
    add_unit(session)
    for row in (SAMPLE_ROW, PENDING_ROW, DECEASED_ROW):  # one by one: their columns differ
        store(database_url, row)
    return Site(live_server, add_agent(session, live_server.origin), session)


def log_on(page: Page, site: Site, cid: str, token: str, area: str = "/search") -> None:
    """Log on through the area's form, as a person types it."""
    page.goto(site.url(area))
    page.get_by_label("ชื่อผู้ใช้").fill(cid)
    page.get_by_label("รหัสผ่าน").fill(token)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.locator("header .who")).to_be_visible()


def audited(session: Session, action: str, actor: str | None = None) -> list[AuditEvent]:
    """The audit events of ``action`` (by ``actor``), oldest first."""
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    return list(session.scalars(query))


Form = dict[str, str | float | bool]


def csrf_of(page: Page) -> str:
    value = page.locator("input[name=csrf]").first.get_attribute("value")
    assert value
    return value


__all__ = [
    "DECEASED_PID",
    "PENDING_PID",
    "PID",
    "UNKNOWN_PID",
    "Form",
    "Site",
    "audited",
    "csrf_of",
    "log_on",
]
