"""The clerk's page in Chromium for the states that need a moving clock or a broken PC/SC service:
the agent runs in this process (uvicorn on a free port) on in-process card readers and the
in-process server app of ``tests.support.agent``; the test's ``clock`` is the agent's."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from tests.support.agent import CLERK_PIN, VirtualReaders
from tests.support.browser import screenshot
from tests.support.pcsc import as_card
from tests.support.server import BANGKOK, free_port
from ucauth.agent.app import create_agent_app
from ucauth.agent.service import AgentService
from ucauth.agent.settings import AgentSettings
from ucauth.clock import FixedClock
from ucauth.i18n import translate

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The page does not care which database the server uses."""
    return sqlite_url


@pytest.fixture
def agent_settings(tmp_path: Path) -> AgentSettings:
    """A free port: Chromium reaches this agent over real HTTP."""
    return AgentSettings(data_dir=tmp_path / "agent", port=free_port())


@contextmanager
def serve(app: FastAPI, port: int) -> Iterator[str]:
    """``app`` on 127.0.0.1:``port`` in a thread while the context lasts; its URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the agent did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture
def agent_url(agent_app: FastAPI, agent_settings: AgentSettings) -> Iterator[str]:
    with serve(agent_app, agent_settings.port) as url:
        yield url


def notice(page: Page) -> str:
    expect(page.locator("#notice")).to_be_visible()
    return page.locator("#notice-text").inner_text()


def test_token_dies_at_midnight_and_the_page_says_so(
    page: Page, agent_url: str, virtual_readers: VirtualReaders, clock: FixedClock
) -> None:
    virtual_readers.insert(as_card("normal"))
    page.goto(agent_url)
    expect(page.locator("#pin")).to_be_enabled()
    page.fill("#pin", CLERK_PIN)
    page.click("#pin-submit")
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#expires")).to_have_text("26 พ.ย. 2569 00:00")

    clock.set(datetime(2026, 11, 26, 0, 0, 1, tzinfo=BANGKOK))
    expect(page.locator("#result")).to_be_hidden()
    assert notice(page) == translate("agent.session_expired", "th")
    expect(page.locator("#notice")).to_have_attribute("data-kind", "info")
    expect(page.locator("#pin")).to_be_enabled()  # a new login, with the card still in
    screenshot(page, "agent-token-expired")


def test_pcsc_service_down_then_back(
    page: Page, agent_url: str, virtual_readers: VirtualReaders
) -> None:
    virtual_readers.insert(as_card("normal"))
    page.goto(agent_url)
    expect(page.locator("#pin")).to_be_enabled()
    virtual_readers.stop_service()
    expect(page.locator("#step-reader")).to_have_attribute("data-code", "pcsc_unavailable")
    assert notice(page) == translate("card.pcsc_unavailable", "th")
    expect(page.locator("#pin")).to_be_disabled()
    screenshot(page, "agent-pcsc-unavailable")
    virtual_readers.start_service()
    expect(page.locator("#pin")).to_be_enabled()
    expect(page.locator("#notice")).to_be_hidden()


def test_no_reader(page: Page, agent_url: str, virtual_readers: VirtualReaders) -> None:
    virtual_readers.unplug()
    page.goto(agent_url)
    expect(page.locator("#step-reader")).to_have_attribute("data-code", "no_reader")
    assert notice(page) == translate("card.no_reader", "th")
    expect(page.locator("#pin")).to_be_disabled()
    screenshot(page, "agent-no-reader")


def test_workstation_not_enrolled(
    page: Page, tmp_path: Path, virtual_readers: VirtualReaders
) -> None:
    settings = AgentSettings(data_dir=tmp_path / "fresh", port=free_port())
    service = AgentService(
        settings, connect=virtual_readers.connect, monitor=virtual_readers.monitor()
    )
    with serve(create_agent_app(service), settings.port) as url:
        virtual_readers.insert(as_card("normal"))
        page.goto(url)
        expect(page.locator("#step-server")).to_have_attribute("data-code", "agent_not_enrolled")
        assert "ucauth agent enroll" in notice(page)
        expect(page.locator("#pin")).to_be_disabled()
        screenshot(page, "agent-not-enrolled")


def test_agent_stopped_under_the_page(
    page: Page, agent_app: FastAPI, agent_settings: AgentSettings
) -> None:
    with serve(agent_app, agent_settings.port) as url:
        page.goto(url)
        expect(page.locator("#step-reader")).to_have_attribute("data-state", "ok")
    assert notice(page) == translate("agent_page.agent_unreachable", "th")
    expect(page.locator("#step-reader")).to_have_attribute("data-state", "unknown")
    screenshot(page, "agent-unreachable")


def test_fits_a_small_office_monitor(
    page: Page, agent_url: str, virtual_readers: VirtualReaders
) -> None:
    page.set_viewport_size({"width": 1024, "height": 768})
    virtual_readers.insert(as_card("normal"))
    page.goto(agent_url)
    expect(page.locator("#pin")).to_be_enabled()
    page.fill("#pin", CLERK_PIN)
    page.click("#pin-submit")
    expect(page.locator("#result")).to_be_visible()
    # Everything the clerk needs is on screen at once: no scrolling either way.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    for selector in ("#step-pin", "#search-form button", "#logout"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768, selector
    screenshot(page, "agent-logged-in-1024x768")
