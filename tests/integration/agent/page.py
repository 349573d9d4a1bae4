"""What the browser tests do on the clerk's page, whichever way the agent runs."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.agent import CLERK_PIN


def notice(page: Page) -> str:
    """The text of the page's notice, once it shows."""
    expect(page.locator("#notice")).to_be_visible()
    return page.locator("#notice-text").inner_text()


def submit_pin(page: Page, pin: str = CLERK_PIN) -> None:
    page.fill("#pin", pin)
    page.click("#pin-submit")
