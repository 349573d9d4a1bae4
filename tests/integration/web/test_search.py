"""The rights-search page in Debian's Chromium against a real server (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.support.browser import screenshot
from tests.support.server import free_port
from tests.support.web import (
    DECEASED_PID,
    PENDING_PID,
    PID,
    UNKNOWN_PID,
    Form,
    Site,
    audited,
    csrf_of,
    log_on,
)
from ucauth.audit.models import AuditEvent
from ucauth.web import formatting

pytestmark = pytest.mark.browser
AGENT_PORT = free_port()
AGENT_ORIGIN = f"http://localhost:{AGENT_PORT}"  # another site than 127.0.0.1
OTHER_PORT = free_port()


@pytest.fixture
def live_server_env() -> dict[str, str]:
    return {"UCAUTH_WEB_LOGIN_ORIGINS": AGENT_ORIGIN}


def test_log_on_and_search_found_changed_deceased_not_found(page: Page, site: Site) -> None:
    cid = site.person(1)
    token = site.token(cid)
    page.goto(site.url("/search"))
    screenshot(page, "web-search-login")
    log_on(page, site, cid, token)

    pid = page.get_by_label("เลขประจำตัวประชาชนของผู้ป่วย")
    pid.fill(PID[:12] + str((int(PID[12]) + 1) % 10))
    expect(page.locator("#pid-hint")).to_have_text("เลขตรวจสอบ (หลักที่ 13) ไม่ถูกต้อง")
    screenshot(page, "web-search-check-digit")
    pid.fill(PID)
    expect(page.locator("#pid-hint")).to_have_text("เลขประจำตัวประชาชนถูกต้อง")
    page.get_by_role("button", name="ค้นหา").click()
    result = page.locator("#result")
    expect(result).to_contain_text("ธนิกุล ศรีอุทิศ")
    expect(result).to_contain_text("สิทธิหลักประกันสุขภาพแห่งชาติ")
    expect(result).to_contain_text("ช่วงอายุ 12-59 ปี")
    expect(result).to_contain_text("1 มกราคม 2560")
    expect(result.locator("[data-result]")).to_have_count(0)
    screenshot(page, "web-search-found")

    _search(page, PENDING_PID)
    expect(result.locator("[data-result=changed]")).to_contain_text(
        "สิทธิมีการเปลี่ยนแปลง — กรุณาติดต่องานทะเบียน"
    )
    expect(result.locator(".pending")).to_contain_text("11582")
    screenshot(page, "web-search-changed")

    _search(page, DECEASED_PID)
    expect(result.locator("[data-result=deceased]")).to_contain_text("เสียชีวิตแล้ว เมื่อ 30 มิถุนายน 2568")
    screenshot(page, "web-search-deceased")

    _search(page, UNKNOWN_PID)
    expect(result.locator("[data-result=not_found]")).to_contain_text("ไม่พบข้อมูลสิทธิ")
    screenshot(page, "web-search-not-found")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Check a patient's rights")).to_be_visible()
    screenshot(page, "web-search-english")

    lookups = site.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "rights_lookup").order_by(AuditEvent.id)
    ).all()
    assert [(e.subject_cid, e.reason, e.channel, e.actor) for e in lookups] == [
        (PID, "found", "web", cid),
        (PENDING_PID, "found", "web", cid),
        (DECEASED_PID, "found", "web", cid),
        (UNKNOWN_PID, "not_found", "web", cid),
    ]


def _search(page: Page, pid: str) -> None:
    page.get_by_label("เลขประจำตัวประชาชนของผู้ป่วย").fill(pid)
    page.get_by_role("button", name="ค้นหา").click()
    expect(page.locator("#result")).to_contain_text(formatting.cid(pid))


def test_a_wrong_token_is_refused_and_the_headers_are_strict(page: Page, site: Site) -> None:
    cid = site.person(1)
    site.token(cid)
    page.goto(site.url("/search"))
    page.get_by_label("ชื่อผู้ใช้").fill(cid)
    page.get_by_label("รหัสผ่าน").fill("a" * 16)
    with page.expect_response(site.url("/search/login")) as answer:
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
    assert answer.value.status == 401
    expect(page.get_by_role("alert")).to_contain_text("Token")
    screenshot(page, "web-search-login-refused")
    headers = answer.value.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"


def test_batch_upload_shows_progress_and_downloads_the_results(
    page: Page, site: Site, tmp_path: Path
) -> None:
    cid = site.person(1)
    log_on(page, site, cid, site.token(cid))
    ids = [PID, "123", UNKNOWN_PID] + [PENDING_PID] * 1200  # three parts of 500
    upload = tmp_path / "ids.csv"
    upload.write_text("cid\n" + "\n".join(ids) + "\n", encoding="utf-8")
    page.locator("[data-batch-file]").set_input_files(upload)
    page.get_by_role("button", name="เริ่มตรวจสอบ").click()
    download_link = page.locator("[data-batch-download]")
    expect(download_link).to_be_visible(timeout=60_000)
    expect(page.locator("[data-batch-progress]")).to_have_attribute("value", str(len(ids)))
    expect(page.locator("[data-batch-status]")).to_contain_text(f"ตรวจสอบครบ {len(ids)} เลขแล้ว")
    expect(page.locator("[data-batch-counts]")).to_have_text("พบสิทธิ 1201 · ไม่พบ 1 · เลขไม่ถูกต้อง 1")
    screenshot(page, "web-search-batch")
    with page.expect_download() as download:
        download_link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(ids)
    assert (rows[0]["line"], rows[0]["pid"], rows[0]["status"]) == ("2", PID, "found")
    assert rows[0]["maininscl_name"] == "สิทธิหลักประกันสุขภาพแห่งชาติ"
    assert (rows[1]["pid"], rows[1]["status"]) == ("123", "invalid_cid")
    assert rows[2]["status"] == "not_found"
    assert {row["status"] for row in rows[3:]} == {"found"}
    assert rows[-1]["line"] == str(len(ids) + 1)


class _AgentPage(BaseHTTPRequestHandler):
    """Stands in for the agent's page: a form posting to the rights-search log-on."""

    target = ""
    fields: dict[str, str] = {}  # noqa: RUF012

    def do_GET(self) -> None:
        inputs = "".join(f'<input name="{k}" value="{v}">' for k, v in self.fields.items())
        body = (
            f'<html><body><form method="post" action="{self.target}">{inputs}'
            '<button type="submit">go to the rights-checking system</button></form></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(port: int, target: str, fields: dict[str, str]) -> Iterator[str]:
    handler = type("Handler", (_AgentPage,), {"target": target, "fields": fields})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}/"
    finally:
        server.shutdown()
        server.server_close()


def test_the_agents_button_logs_on_from_its_own_origin_and_others_are_refused(
    page: Page, site: Site
) -> None:
    cid = site.person(1)
    token = site.token(cid)
    fields = {"username": cid, "password": token}
    for url in _serve(AGENT_PORT, site.url("/search/login"), fields):
        page.goto(url)
        page.get_by_role("button", name="go to the rights-checking system").click()
        expect(page.get_by_role("heading", name="ตรวจสอบสิทธิการรักษาพยาบาล")).to_be_visible()
        assert page.url == site.url("/search")
        expect(page.locator("header .who")).to_contain_text("สมชาย ใจดี")
        screenshot(page, "web-search-from-agent")

    page.context.clear_cookies()
    for url in _serve(OTHER_PORT, site.url("/search/login"), fields):  # not an agent's origin
        page.goto(url)
        with page.expect_response(site.url("/search/login")) as answer:
            page.get_by_role("button", name="go to the rights-checking system").click()
        assert answer.value.status == 403
        expect(page.get_by_role("alert")).to_contain_text("ไม่ได้ดำเนินการใด ๆ")
        screenshot(page, "web-csrf-refused")
    assert len(audited(site.session, "web_login")) == 1


def test_the_session_dies_when_a_new_card_login_replaces_the_token(page: Page, site: Site) -> None:
    cid = site.person(1)
    log_on(page, site, cid, site.token(cid))
    site.token(cid)  # the clerk logs in again with the card: the old token dies
    page.reload()
    expect(page.get_by_role("button", name="เข้าสู่ระบบ")).to_be_visible()
    expect(page.locator("header .who")).to_have_count(0)


def test_a_search_without_the_csrf_token_is_refused(page: Page, site: Site) -> None:
    cid = site.person(1)
    log_on(page, site, cid, site.token(cid))
    csrf = csrf_of(page)
    forms: list[Form] = [{"pid": PID}, {"pid": PID, "csrf": csrf[::-1]}]
    for form in forms:
        answer = page.request.post(site.url("/search"), form=form)
        assert answer.status == 403
    answer = page.request.post(
        site.url("/search"),
        form={"pid": PID, "csrf": csrf},
        headers={"Origin": "https://evil.test"},
    )
    assert answer.status == 403
    assert (
        site.session.scalars(select(AuditEvent).where(AuditEvent.action == "rights_lookup")).all()
        == []
    )
    ok = page.request.post(site.url("/search"), form={"pid": PID, "csrf": csrf})
    assert ok.status == 200


def test_the_batch_endpoint_needs_the_csrf_header(page: Page, site: Site) -> None:
    cid = site.person(1)
    log_on(page, site, cid, site.token(cid))
    body = {"lines": [1], "pids": [PID]}
    refused = page.request.post(site.url("/search/batch"), data=body)
    assert refused.status == 403
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    answer = httpx.post(
        site.url("/search/batch"),
        json=body,
        cookies=cookies,
        headers={"X-CSRF-Token": csrf_of(page)},
    )
    assert answer.status_code == 200
    assert answer.json()["statuses"] == {"found": 1}
