"""What the browser tests do on the clerk's page, whichever way the agent runs."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.agent import CLERK_PIN

STEPS = ("reader", "card", "server", "account", "pin")


def notice(page: Page) -> str:
    """The text of the page's notice, once it shows."""
    expect(page.locator("#notice")).to_be_visible()
    return page.locator("#notice-text").inner_text()


def submit_pin(page: Page, pin: str = CLERK_PIN) -> None:
    page.fill("#pin", pin)
    page.click("#pin-submit")


def expect_step(
    page: Page, step: str, state: str, code: str | None = None, timeout: float | None = None
) -> None:
    item = page.locator(f"#step-{step}")
    expect(item).to_have_attribute("data-state", state, timeout=timeout)
    if code is not None:
        expect(item).to_have_attribute("data-code", code)


def expect_ready(page: Page) -> None:
    """Steps 1-4 green and the PIN field open."""
    for step in STEPS[:4]:
        expect_step(page, step, "ok")
    expect(page.locator("#pin")).to_be_enabled()


def log_in(page: Page, pin: str = CLERK_PIN) -> None:
    expect_ready(page)
    submit_pin(page, pin)


def logged_in(page: Page) -> tuple[str, str]:
    """The username and token the page shows after a login."""
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#token")).not_to_be_empty()
    return page.locator("#username").inner_text(), page.locator("#token").inner_text()
