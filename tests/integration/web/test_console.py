"""The administrators' console in Debian's Chromium against a real server (SQLite and
PostgreSQL)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.support.browser import screenshot
from tests.support.factories import add_agent, add_unit
from tests.support.web import PID, Form, Site, audited, csrf_of, log_on
from ucauth.accounts.models import Agent, AgentStatus, Role, User, UserStatus
from ucauth.audit.models import AuditEvent
from ucauth.web import formatting

pytestmark = pytest.mark.browser
OTHER_UNIT = "20001"  # Chiang Mai: region 1


def _verify(site: Site, cid: str, token: str) -> int:
    body = {"username": cid, "password": token}
    return httpx.post(site.url("/api/v1/auth/verify"), json=body).status_code


def _look_up(site: Site, cid: str, token: str, pid: str = PID) -> None:
    answer = httpx.get(
        site.url("/api/ucws/v1/right-search"),
        params={"pid": pid},
        headers={"Authorization": f"Bearer {cid}#{token}"},
    )
    assert answer.status_code == 200


def _status(site: Site, cid: str) -> UserStatus:
    site.session.expire_all()
    return site.session.scalars(select(User.status).where(User.cid == cid)).one()


def test_dashboard_users_end_sessions_revoke_and_reinstate(page: Page, site: Site) -> None:
    admin, staff = site.person(1, Role.ADMIN), site.person(2, first_name="สมหญิง")
    site.person(3, first_name="ไม่เคยใช้")  # activated 2026-01-05, never used since
    staff_token = site.token(staff)
    _look_up(site, staff, staff_token)
    log_on(page, site, admin, site.token(admin), area="/console")
    expect(page.locator("[data-stat=active]")).to_have_text("3")
    upcoming = page.locator("[data-upcoming] tbody tr")
    expect(upcoming).to_have_count(1)
    expect(upcoming).to_contain_text("ไม่เคยใช้")
    expect(upcoming).to_contain_text("4 กรกฎาคม 2569")  # 180 days after 2026-01-05
    expect(page.locator("[data-stat=lookups]")).to_have_text("1")
    expect(page.locator("svg.chart rect.bar")).not_to_have_count(0)
    screenshot(page, "web-console-dashboard")

    page.get_by_role("link", name="ผู้ใช้งาน").click()
    page.get_by_label("เลขประจำตัวประชาชน ชื่อ").fill("สมหญิง")
    page.get_by_role("button", name="ค้นหา").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    screenshot(page, "web-console-users")
    page.get_by_role("link", name=formatting.cid(staff)).click()
    expect(page.get_by_role("heading", name="สมหญิง ใจดี")).to_be_visible()
    expect(page.locator("table.events")).to_contain_text("rights_lookup")

    page.get_by_role("button", name="ยกเลิก Token ปัจจุบัน").click()
    expect(page.get_by_role("status")).to_contain_text("ยกเลิก Token แล้ว")
    assert _verify(site, staff, staff_token) == 401

    staff_token = site.token(staff)
    page.get_by_label("เหตุผลที่ยกเลิก").fill("ย้ายหน่วยงาน")
    page.get_by_role("button", name="ยกเลิกสิทธิการใช้งาน").click()
    expect(page.locator("[data-status]")).to_contain_text("ถูกยกเลิก")
    expect(page.locator("[data-status]")).to_contain_text("ย้ายหน่วยงาน")
    screenshot(page, "web-console-user-revoked")
    assert _verify(site, staff, staff_token) == 401
    assert _status(site, staff) == UserStatus.REVOKED

    page.get_by_role("button", name="คืนสิทธิการใช้งาน").click()
    expect(page.locator("[data-status]")).to_contain_text("ใช้งานได้")
    assert _status(site, staff) == UserStatus.ACTIVE
    actions = site.session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor == admin).order_by(AuditEvent.id)
    ).all()
    assert [a for a in actions if a != "web_login" and a != "login" and a != "token_issue"] == [
        "token_revoke",
        "sessions_kill",
        "token_revoke",
        "user_revoke",
        "user_reinstate",
    ]


def test_audit_search_by_patient_and_csv_export(page: Page, site: Site, tmp_path: Path) -> None:
    admin, staff = site.person(1, Role.ADMIN), site.person(2)
    _look_up(site, staff, site.token(staff))
    log_on(page, site, admin, site.token(admin), area="/console")
    page.get_by_role("link", name="บันทึกการใช้งาน").click()
    page.get_by_label("เลขประจำตัวประชาชนผู้ป่วย").fill(PID)
    page.get_by_role("button", name="ค้นหา").click()
    rows = page.locator("table.events tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(staff)
    expect(rows).to_contain_text("rest")
    screenshot(page, "web-console-audit")
    with page.expect_download() as download:
        page.get_by_role("button", name="ส่งออก CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert [(r["action"], r["actor"], r["subject"]) for r in exported] == [
        ("rights_lookup", staff, PID)
    ]
    searches = site.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "audit_search")
    ).all()
    assert [(e.actor, e.subject_cid) for e in searches] == [(admin, PID), (admin, PID)]


def test_enrolment_codes_and_disabling_a_workstation(page: Page, site: Site) -> None:
    admin, staff = site.person(1, Role.ADMIN), site.person(2)
    log_on(page, site, admin, site.token(admin), area="/console")
    page.get_by_role("link", name="เครื่องลูกข่าย").click()
    page.get_by_role("button", name="ออกรหัสลงทะเบียนเครื่อง").click()
    expect(page.locator("[data-code]")).to_have_text(re.compile(r"^([0-9A-Z]{4}-){5}[0-9A-Z]{4}$"))
    screenshot(page, "web-console-agents")
    challenge = {"agent_id": site.agent.agent_id, "cid": staff}
    with httpx.Client(base_url=site.server.url) as client:
        # The server now holds the agent as found active (for a second: ActiveAgents) ...
        assert client.post("/api/v1/auth/challenge", json=challenge).status_code == 200
        page.get_by_role("button", name="ปิดการใช้งาน").click()
        expect(page.get_by_role("status")).to_contain_text("ปิดการใช้งานเครื่องแล้ว")
        # ... and forgets that when its console disables the agent: refused at once.
        assert client.post("/api/v1/auth/challenge", json=challenge).status_code == 403
    site.session.expire_all()
    assert site.session.get(Agent, site.agent.agent_id).status == AgentStatus.DISABLED  # type: ignore[union-attr]


def test_a_regional_admin_sees_only_their_regions(page: Page, site: Site) -> None:
    add_unit(site.session, OTHER_UNIT, name="โรงพยาบาลเชียงใหม่", province="5000")
    regional = site.person(1, Role.REGIONAL_ADMIN, regions=(13,))
    near, far = site.person(2), site.person(3, unit=OTHER_UNIT, first_name="ไกล")
    _look_up(site, far, _far_token(site, far))
    log_on(page, site, regional, site.token(regional), area="/console")
    expect(page.get_by_text("แสดงเฉพาะหน่วยบริการในเขต 13")).to_be_visible()
    expect(page.locator("[data-stat=lookups]")).to_have_text("0")

    page.goto(site.url("/console/users"))
    expect(page.locator("tbody")).to_contain_text(formatting.cid(near))
    expect(page.locator("tbody")).not_to_contain_text("ไกล")
    page.goto(site.url("/console/units"))
    expect(page.locator("tbody tr")).to_have_count(1)
    screenshot(page, "web-console-units")

    answer = page.goto(site.url(f"/console/users/{far}"))
    assert answer is not None and answer.status == 404
    screenshot(page, "web-error-not-found")
    csrf = csrf_of(page)
    revoke = page.request.post(
        site.url(f"/console/users/{far}/revoke"), form={"csrf": csrf, "reason": "x"}
    )
    assert revoke.status == 404
    assert _status(site, far) == UserStatus.ACTIVE

    page.goto(site.url("/console/audit"))
    page.get_by_label("เลขประจำตัวประชาชนผู้ป่วย").fill(PID)
    page.get_by_role("button", name="ค้นหา").click()
    expect(page.locator("table.events tbody")).to_contain_text("ไม่มีรายการ")


def _far_token(site: Site, cid: str) -> str:
    far_agent = add_agent(site.session, site.server.origin, unit=OTHER_UNIT, seed=2, name="ws-2")
    with httpx.Client(base_url=site.server.url) as client:
        return far_agent.token(client, cid)


def test_staff_cannot_use_the_console(page: Page, site: Site) -> None:
    staff = site.person(2)
    page.goto(site.url("/console"))
    page.get_by_label("ชื่อผู้ใช้").fill(staff)
    page.get_by_label("รหัสผ่าน").fill(site.token(staff))
    with page.expect_response(site.url("/console/login")) as answer:
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
    assert answer.value.status == 403
    expect(page.get_by_role("alert")).to_contain_text("ผู้ดูแลระบบ")
    screenshot(page, "web-console-login-refused")


def test_console_forms_without_the_csrf_token_change_nothing(page: Page, site: Site) -> None:
    admin, staff = site.person(1, Role.ADMIN), site.person(2)
    log_on(page, site, admin, site.token(admin), area="/console")
    target = site.url(f"/console/users/{staff}/revoke")
    forms: list[Form] = [{"reason": "x"}, {"reason": "x", "csrf": "forged"}]
    for form in forms:
        assert page.request.post(target, form=form).status == 403
    codes = page.request.post(site.url("/console/agents/codes"), form={"unit": "10670"})
    assert codes.status == 403
    assert _status(site, staff) == UserStatus.ACTIVE
    assert audited(site.session, "user_revoke") == []
    assert audited(site.session, "enrolment_code_issue", actor=admin) == []
