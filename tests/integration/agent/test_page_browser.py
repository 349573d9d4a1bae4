"""The clerk's page in Debian's Chromium: a real ``ucauth agent run``, a real ``ucauth server``,
virtual Thai ID cards through pcscd + vpcd. Each screen is saved as
``test-artifacts/screenshots/agent-*.png``."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy.orm import Session

from tests.integration.agent.page import (
    expect_ready,
    expect_step,
    log_in,
    logged_in,
    notice,
)
from tests.integration.card.cards import ForeignCard
from tests.support.agent import (
    CLERK_CID,
    LiveAgent,
    agent_env,
    enrol_live,
    start_agent,
    verify_live,
)
from tests.support.browser import screenshot
from tests.support.factories import add_user
from tests.support.pcsc import AttachCard, as_card
from tests.support.server import LiveServer, free_port, start_server, stop_process
from ucauth.accounts.models import UserStatus
from ucauth.card.virtual.card import VirtualThaiIdCard
from ucauth.card.virtual.profile import load_named_profile
from ucauth.i18n import translate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.pcsc,
    pytest.mark.slow,
    pytest.mark.timeout(120),
    pytest.mark.usefixtures("slower_expectations"),
]

WRONG_PIN = "0000"
UNREGISTERED = load_named_profile("lifetime")
BLOCKED = load_named_profile("pin_blocked")


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The page does not care which database the server uses."""
    return sqlite_url


def open_page(page: Page, agent: LiveAgent, query: str = "") -> Page:
    page.goto(f"{agent.url}/{query}")
    return page


def test_full_login_then_card_out_then_logout(
    page: Page, live_agent: LiveAgent, attach_card: AttachCard
) -> None:
    card = attach_card("normal")
    open_page(page, live_agent)
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect_ready(page)
    expect_step(page, "pin", "waiting", "pin_needed")
    expect(page.locator("#pin")).to_be_focused()
    expect(page.locator("#pin")).to_have_attribute("inputmode", "numeric")
    expect(page.locator("#pin")).to_have_attribute("autocomplete", "off")
    expect(page.locator("#pin")).to_have_attribute("type", "password")
    expect(page.locator("#step-reader .step-detail")).to_contain_text("Virtual PCD")
    expect(page.locator("#notice")).to_be_hidden()
    screenshot(page, "agent-ready")

    log_in(page)
    username, token = logged_in(page)
    assert username == CLERK_CID
    assert verify_live(live_agent.server, username, token) == 200
    expect_step(page, "pin", "ok", "logged_in")
    expect(page.locator("#pin-form")).to_be_hidden()
    expect(page.locator("#expires")).to_contain_text("00:00")  # midnight in Bangkok
    screenshot(page, "agent-logged-in")

    # The reader now serves patients' cards: the token stays, and no alarm is raised.
    card.remove()
    expect_step(page, "card", "waiting", "no_card")
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#notice")).to_be_hidden()
    screenshot(page, "agent-logged-in-card-out")

    page.click("#logout")
    expect(page.locator("#result")).to_be_hidden()
    assert notice(page) == translate("agent_page.logged_out", "th")
    assert verify_live(live_agent.server, username, token) == 401
    screenshot(page, "agent-logged-out")


def test_wrong_pin_shows_tries_left_and_is_never_retried(
    page: Page, live_agent: LiveAgent, attach_card: AttachCard
) -> None:
    card = as_card("normal")
    assert isinstance(card, VirtualThaiIdCard)
    attach_card(card)
    open_page(page, live_agent)
    log_in(page, WRONG_PIN)
    expected = translate("card.invalid_pin", "th", tries_left=2)
    expect(page.locator("#notice-text")).to_have_text(expected)
    expect_step(page, "pin", "error", "invalid_pin")
    expect(page.locator("#pin")).to_have_value("")
    expect(page.locator("#result")).to_be_hidden()
    screenshot(page, "agent-wrong-pin")
    time.sleep(3)  # several status polls later the card still had only the one attempt
    assert card.tries_left == 2

    log_in(page)  # the next click with the right PIN still logs in
    assert logged_in(page)[0] == CLERK_CID
    assert card.tries_left == 3


def test_blocked_pin(
    page: Page, live_agent: LiveAgent, attach_card: AttachCard, session: Session
) -> None:
    add_user(session, BLOCKED.cid)
    attach_card("pin_blocked")
    open_page(page, live_agent)
    log_in(page, BLOCKED.pin)
    expect(page.locator("#notice-text")).to_have_text(translate("card.pin_blocked", "th"))
    expect_step(page, "pin", "error", "pin_blocked")
    expect(page.locator("#pin")).to_be_disabled()  # no more attempts from this page
    expect(page.locator("#result")).to_be_hidden()
    screenshot(page, "agent-pin-blocked")


def test_not_a_thai_id_card(page: Page, live_agent: LiveAgent, attach_card: AttachCard) -> None:
    attach_card(ForeignCard())
    open_page(page, live_agent)
    expect_step(page, "card", "error", "not_thai_id_card")
    assert notice(page) == translate("card.not_thai_id_card", "th")
    expect(page.locator("#pin")).to_be_disabled()
    screenshot(page, "agent-not-thai-id-card")


@pytest.mark.timeout(240)
def test_server_unreachable_then_back(
    page: Page,
    session: Session,
    database_url: str,
    pcscd: object,
    attach_card: AttachCard,
    tmp_path: Path,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data, log = tmp_path / "server-data", tmp_path / "server.log"
    server = start_server(database_url, data, port, log)
    agent_port = free_port()
    # A healthy server is probed every second, not every 15 s: the agent notices the stop sooner.
    env = agent_env(tmp_path / "agent", agent_port, UCAUTH_AGENT_CHECK_INTERVAL="1")
    try:
        enrol_live(LiveServer(url, url), session, env)
        agent = start_agent(env, agent_port, tmp_path / "agent.log")
        try:
            attach_card("normal")
            page.goto(f"http://127.0.0.1:{agent_port}/")
            expect_ready(page)
            stop_process(server)
            expect_step(page, "server", "error", "server_unreachable", timeout=30_000)
            assert notice(page) == page.locator("#step-server .step-detail").inner_text()
            expect(page.locator("#pin")).to_be_disabled()
            screenshot(page, "agent-server-unreachable")
            server = start_server(database_url, data, port, log)
            expect_step(page, "server", "ok", timeout=60_000)
            expect_ready(page)
        finally:
            stop_process(agent)
    finally:
        stop_process(server)


def test_expired_card(page: Page, live_agent: LiveAgent, attach_card: AttachCard) -> None:
    attach_card("expired")
    open_page(page, live_agent)
    expect_step(page, "card", "error", "card_expired")
    text = notice(page)
    assert text == page.locator("#step-card .step-detail").inner_text()
    expect_step(page, "account", "unknown")
    expect(page.locator("#pin")).to_be_disabled()
    screenshot(page, "agent-card-expired")


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (None, "account_not_registered"),
        (UserStatus.PENDING, "account_pending"),
        (UserStatus.REVOKED, "account_revoked"),
    ],
)
def test_account_not_usable(
    page: Page,
    live_agent: LiveAgent,
    attach_card: AttachCard,
    session: Session,
    status: UserStatus | None,
    code: str,
) -> None:
    if status is not None:
        add_user(session, UNREGISTERED.cid, status=status)
    attach_card(UNREGISTERED)
    open_page(page, live_agent)
    expect_step(page, "account", "error", code)
    assert notice(page) == page.locator("#step-account .step-detail").inner_text()
    link = page.locator("#notice-link")
    if code == "account_pending":
        expect(link).to_be_hidden()
    else:
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", f"{live_agent.server.url}/access-request")
    expect(page.locator("#pin")).to_be_disabled()
    screenshot(page, f"agent-{code.replace('_', '-')}")


def test_card_removed_and_inserted(
    page: Page, live_agent: LiveAgent, attach_card: AttachCard
) -> None:
    open_page(page, live_agent)
    expect_step(page, "reader", "ok")
    expect_step(page, "card", "waiting", "no_card")
    expect(page.locator("#pin")).to_be_disabled()
    screenshot(page, "agent-no-card")

    card = attach_card("normal")
    expect_ready(page)
    card.remove()
    expect_step(page, "card", "waiting", "no_card")
    expect_step(page, "account", "unknown")
    expect(page.locator("#pin")).to_be_disabled()

    attach_card("normal")
    expect_ready(page)
    log_in(page)
    assert logged_in(page)[0] == CLERK_CID


def test_language_switch(page: Page, live_agent: LiveAgent, attach_card: AttachCard) -> None:
    attach_card("normal")
    open_page(page, live_agent)
    expect_ready(page)
    title = page.locator("#step-reader .step-title")
    expect(title).to_have_text("1. " + translate("agent.step_reader", "th"))

    page.click("#lang-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(translate("agent_page.title", "en"))
    expect(title).to_have_text("1. " + translate("agent.step_reader", "en"))
    expect(page.locator("#step-account .step-detail")).to_have_text(
        translate("agent.account_active", "en")
    )
    expect(page.locator("#pin-submit")).to_have_text(translate("agent_page.pin_submit", "en"))
    log_in(page, WRONG_PIN)
    expected = translate("card.invalid_pin", "en", tries_left=2)
    expect(page.locator("#notice-text")).to_have_text(expected)
    screenshot(page, "agent-english-wrong-pin")

    page.reload()  # the choice is remembered
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click("#lang-th")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(title).to_have_text("1. " + translate("agent.step_reader", "th"))


def test_copy_buttons(page: Page, live_agent: LiveAgent, attach_card: AttachCard) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_agent.url)
    attach_card("normal")
    open_page(page, live_agent)
    log_in(page)
    username, token = logged_in(page)
    for field, value in (("username", username), ("token", token)):
        button = page.locator(f'[data-copy="{field}"]')
        button.click()
        expect(button).to_have_text(translate("agent_page.copied", "th"))
        assert page.evaluate("navigator.clipboard.readText()") == value
    screenshot(page, "agent-copied")


def test_go_to_rights_checking_posts_username_and_token(
    page: Page, live_agent: LiveAgent, attach_card: AttachCard
) -> None:
    attach_card("normal")
    open_page(page, live_agent)
    log_in(page)
    username, token = logged_in(page)
    target = f"{live_agent.server.url}/search/login"
    form = page.locator("#search-form")
    expect(form).to_have_attribute("action", target)
    expect(form).to_have_attribute("method", "post")

    posted: list[dict[str, list[str]]] = []
    origins: list[str | None] = []

    def rights_search(route: Route) -> None:
        posted.append(parse_qs(route.request.post_data or ""))
        # The server accepts this cross-site log-on only from allowlisted agent page origins.
        origins.append(route.request.header_value("origin"))
        route.fulfill(status=200, content_type="text/html", body="<h1>rights search</h1>")

    page.context.route(target, rights_search)
    with page.expect_popup() as popup:
        form.locator("button").click()
    expect(popup.value.locator("h1")).to_have_text("rights search")
    assert posted == [{"username": [username], "password": [token]}]
    assert origins == [live_agent.url]
