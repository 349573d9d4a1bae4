"""The public access-request form and the console's request queue in Debian's Chromium against
a real server (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.support.browser import screenshot
from tests.support.factories import CREATED_AT, add_unit, cid_for
from tests.support.server import BANGKOK
from tests.support.web import Site, audited, csrf_of, log_on
from ucauth.accounts.models import Role, User, UserStatus
from ucauth.clock import SystemClock
from ucauth.jobs import purge
from ucauth.jobs.service import JobRunner
from ucauth.lifecycle.models import AccessRequest, LegacyCredential, RequestStatus

pytestmark = pytest.mark.browser
OTHER_UNIT = "20001"  # Chiang Mai: region 1


def _fill(page: Page, cid: str, unit: str = "10670") -> None:
    page.get_by_label("เลขประจำตัวประชาชน").fill(cid)
    page.get_by_label("รหัสหน่วยบริการ").fill(unit)
    page.get_by_label("ชื่อ", exact=True).fill("มานี")
    page.get_by_label("นามสกุล").fill("มีนา")
    page.get_by_label("ตำแหน่ง").fill("เจ้าพนักงานเวชสถิติ")
    page.get_by_label("โทรศัพท์").fill("081-234-5678")
    page.get_by_label("อีเมล").fill("manee@example.go.th")
    page.get_by_label("เหตุผลที่ขอใช้งาน").fill("ตรวจสอบสิทธิผู้ป่วยที่จุดคัดกรอง")


def _submit(page: Page, site: Site, cid: str, unit: str = "10670") -> str:
    page.goto(site.url("/access-request"))
    _fill(page, cid, unit)
    page.get_by_role("button", name="ยื่นคำขอ").click()
    reference = page.locator("[data-reference]").text_content()
    assert reference
    return reference


def test_submit_print_and_follow_a_request_then_the_console_approves_it(
    page: Page, site: Site
) -> None:
    requester = cid_for(500)
    page.goto(site.url("/access-request"))
    page.get_by_label("รหัสหน่วยบริการ").fill("106")
    page.get_by_label("อีเมล").fill("not-an-address")
    page.get_by_label("อีเมล").blur()
    expect(page.get_by_text("อีเมลไม่ถูกต้อง")).to_be_visible()
    expect(page.get_by_text("รหัสหน่วยบริการเป็นตัวเลข 5 หลัก")).to_be_visible()
    screenshot(page, "web-request-form-invalid")
    _fill(page, requester)
    screenshot(page, "web-request-form")
    page.get_by_role("button", name="ยื่นคำขอ").click()
    reference = page.locator("[data-reference]").text_content()
    assert reference and len(reference) == 11
    expect(page.locator(".request-copy")).to_contain_text("มานี มีนา")
    screenshot(page, "web-request-submitted")
    page.emulate_media(media="print")
    expect(page.locator(".signatures")).to_be_visible()
    expect(page.locator("header")).to_be_hidden()
    page.pdf(path=str(screenshot(page, "web-request-print").with_suffix(".pdf")))
    page.emulate_media(media="screen")

    page.get_by_role("link", name="ติดตามสถานะคำขอ").last.click()
    expect(page.locator("[data-request-status]")).to_have_text("รอการพิจารณา")
    screenshot(page, "web-request-status")

    admin = site.person(1, Role.ADMIN)
    log_on(page, site, admin, site.token(admin), area="/console")
    page.get_by_role("link", name="คำขอใช้งาน").click()
    page.get_by_role("link", name=reference).click()
    expect(page.locator("dl")).to_contain_text("manee@example.go.th")
    screenshot(page, "web-console-request")
    page.get_by_role("button", name="อนุมัติ", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("อนุมัติคำขอแล้ว")
    site.session.expire_all()
    user = site.session.scalars(select(User).where(User.cid == requester)).one()
    assert (user.status, user.role) == (UserStatus.ACTIVE, Role.STAFF)
    assert [e.actor for e in audited(site.session, "access_request_approve")] == [admin]
    page.goto(site.url(f"/access-request/status?reference={reference}"))
    expect(page.locator("[data-request-status]")).to_have_text("อนุมัติแล้ว")


def test_the_console_rejects_with_a_reason_the_requester_sees(page: Page, site: Site) -> None:
    reference = _submit(page, site, cid_for(501))
    admin = site.person(1, Role.ADMIN)
    log_on(page, site, admin, site.token(admin), area="/console")
    page.goto(site.url(f"/console/requests/{reference}"))
    page.get_by_label("เหตุผลที่ไม่อนุมัติ").fill("ไม่ใช่เจ้าหน้าที่ของหน่วยบริการ")
    page.get_by_role("button", name="ไม่อนุมัติ").click()
    expect(page.get_by_role("status")).to_contain_text("บันทึกการไม่อนุมัติแล้ว")
    screenshot(page, "web-console-request-rejected")
    page.goto(site.url(f"/access-request/status?reference={reference.lower()}"))
    expect(page.locator("[data-request-status]")).to_have_text("ไม่อนุมัติ")
    expect(page.locator("[data-rejection]")).to_have_text("ไม่ใช่เจ้าหน้าที่ของหน่วยบริการ")


def test_a_regional_admin_decides_only_their_regions_requests(page: Page, site: Site) -> None:
    add_unit(site.session, OTHER_UNIT, name="โรงพยาบาลเชียงใหม่", province="5000")
    near = _submit(page, site, cid_for(502))
    far = _submit(page, site, cid_for(503), unit=OTHER_UNIT)
    regional = site.person(1, Role.REGIONAL_ADMIN, regions=(13,))
    log_on(page, site, regional, site.token(regional), area="/console")
    page.goto(site.url("/console/requests"))
    expect(page.locator("tbody")).to_contain_text(near)
    expect(page.locator("tbody")).not_to_contain_text(far)
    screenshot(page, "web-console-requests")
    answer = page.request.post(
        site.url(f"/console/requests/{far}/approve"), form={"csrf": csrf_of(page)}
    )
    assert answer.status == 403
    refused = page.request.post(site.url(f"/console/requests/{near}/approve"), form={})
    assert refused.status == 403  # no CSRF token
    site.session.expire_all()
    statuses = site.session.scalars(select(AccessRequest.status)).all()
    assert statuses == [RequestStatus.PENDING, RequestStatus.PENDING]


def test_a_second_request_while_one_is_pending_is_refused_clearly(page: Page, site: Site) -> None:
    cid = cid_for(504)
    _submit(page, site, cid)
    page.goto(site.url("/access-request"))
    _fill(page, cid)
    with page.expect_response(site.url("/access-request")) as answer:
        page.get_by_role("button", name="ยื่นคำขอ").click()
    assert answer.value.status == 409
    expect(page.get_by_role("alert")).to_contain_text("มีคำขอใช้งานของเลขประจำตัวประชาชนนี้อยู่แล้ว")
    expect(page.get_by_label("ตำแหน่ง")).to_have_value("เจ้าพนักงานเวชสถิติ")
    screenshot(page, "web-request-refused")


def test_job_runs_and_legacy_logins_pages(page: Page, site: Site, database_url: str) -> None:
    runner = JobRunner(database_url, clock=SystemClock(), zone=BANGKOK)
    runner.run_now(purge.NAME)
    runner.close()
    admin = site.person(1, Role.ADMIN)
    log_on(page, site, admin, site.token(admin), area="/console")
    page.get_by_role("link", name="งานตามกำหนดเวลา").click()
    expect(page.get_by_role("heading", name="งานตามกำหนดเวลา")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text(purge.NAME)
    expect(page.locator("tbody tr")).to_contain_text("สำเร็จ")
    screenshot(page, "web-console-jobs")
    site.session.add(
        LegacyCredential(
            username="chk10670",
            unit_hcode="10670",
            password_hash="-",
            created_at=CREATED_AT,
            created_by="cli:test",
            last_used_at=CREATED_AT,
        )
    )
    site.session.commit()
    page.get_by_role("link", name="รหัสผู้ใช้แบบเดิม").click()
    expect(page.get_by_role("heading", name="รหัสผู้ใช้แบบเดิม", exact=True)).to_be_visible()
    credentials = page.locator("[data-credentials] tbody tr")
    expect(credentials).to_contain_text("chk10670")
    expect(credentials).to_contain_text("5 มกราคม 2569")
    expect(page.locator("[data-usage] tbody tr")).to_contain_text("ไม่มีรายการ")  # not lately
    screenshot(page, "web-console-legacy")
