"""The clerk's whole way in Debian's Chromium: a PIN on the real agent's page, its "go to the
rights-checking system" button, and the real server's rights search in the new tab, logged on
as the clerk. Screens are saved as ``test-artifacts/screenshots/handoff-*.png``."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.integration.agent.page import log_in, logged_in
from tests.support.agent import CLERK_CID, LiveAgent
from tests.support.browser import screenshot
from tests.support.pcsc import AttachCard
from tests.support.rights import PID, SAMPLE_ROW, store
from tests.support.web import audited
from ucauth.web import formatting

pytestmark = [
    pytest.mark.browser,
    pytest.mark.pcsc,
    pytest.mark.slow,
    pytest.mark.timeout(120),
    pytest.mark.usefixtures("slower_expectations"),
]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The hand-off does not care which database the server uses."""
    return sqlite_url


def test_agent_page_hands_the_clerk_over_to_the_rights_search(
    page: Page, live_agent: LiveAgent, attach_card: AttachCard, session: Session, sqlite_url: str
) -> None:
    store(sqlite_url, SAMPLE_ROW)
    attach_card("normal")
    page.goto(f"{live_agent.url}/")
    log_in(page)
    assert logged_in(page)[0] == CLERK_CID
    screenshot(page, "handoff-agent-logged-in")

    # The server's origin is the agent's target, and the agent's loopback origin is allowed by
    # default (UCAUTH_WEB_LOGIN_ORIGINS): no setting is needed for the hand-off.
    with page.context.expect_page() as opened:
        page.locator("#search-form button").click()
    search = opened.value
    search.wait_for_load_state()
    expect(search.get_by_role("heading", name="ตรวจสอบสิทธิการรักษาพยาบาล")).to_be_visible()
    assert search.url == f"{live_agent.server.url}/search"
    expect(search.locator("header .who")).to_contain_text("สมชาย ใจดี")
    screenshot(search, "handoff-search-logged-in")

    search.get_by_label("เลขประจำตัวประชาชนของผู้ป่วย").fill(PID)
    search.get_by_role("button", name="ค้นหา").click()
    result = search.locator("#result")
    expect(result).to_contain_text(formatting.cid(PID))
    expect(result).to_contain_text("ธนิกุล ศรีอุทิศ")
    expect(result).to_contain_text("สิทธิหลักประกันสุขภาพแห่งชาติ")
    screenshot(search, "handoff-search-found")

    assert [event.actor for event in audited(session, "web_login")] == [CLERK_CID]
    lookups = audited(session, "rights_lookup", CLERK_CID)
    assert [(event.subject_cid, event.reason, event.channel) for event in lookups] == [
        (PID, "found", "web")
    ]
