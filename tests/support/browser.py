"""Browser fixtures: Debian's Chromium, headless, driven by Playwright.

``browser`` is one Chromium per test module, started from ``/usr/bin/chromium`` (or
``UCAUTH_TEST_CHROMIUM``) with ``executable_path``, so no browser is downloaded. ``page`` is a fresh
context and page per test, in Thai by default; ``slower_expectations`` makes ``expect`` wait 20 s.
``screenshot(page, name)`` saves a PNG under ``test-artifacts/screenshots/`` for people to look
at. When Chromium is missing the tests fail, they never skip.

Playwright's sync API keeps an event loop running in the main thread while it is started, so
the driver lives for one module at a time: tests after the browser tests can ``asyncio.run``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def chromium_path() -> str:
    """Debian's Chromium; fails the test when it is not installed."""
    candidate = os.environ.get("UCAUTH_TEST_CHROMIUM") or shutil.which("chromium") or ""
    if not candidate or not Path(candidate).exists():
        pytest.fail("Chromium is required for browser tests: apt-get install chromium")
    return candidate


@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    """Module-scoped: Playwright's sync API leaves its event loop marked running in this thread
    while it lives, which would break ``asyncio.run`` in every later test of the session."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = playwright_driver.chromium.launch(
        executable_path=chromium_path(), headless=True, args=["--no-sandbox"]
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def slower_expectations() -> Iterator[None]:
    """``expect`` waits 20 s instead of 5: for pages fed by real processes (card readers,
    servers) on a loaded machine."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as ``test-artifacts/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
