"""Browser tests: Playwright (sync API) driving the system Chromium against pytest-django's live_server.

Chromium is the Debian package (`apt-get install chromium`), never `playwright install`. Without it
the tests are skipped, unless DANGJIAN_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
Screenshots go to tests/e2e/screenshots/ (output, not committed).
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls (factories)
# would otherwise trip Django's "you cannot call this from an async context" guard.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install the Debian package 'chromium' to run the browser tests"
        if os.environ.get("DANGJIAN_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (DANGJIAN_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class BrowserSession:
    """One browser context (its own cookies) on the live server, Chinese locale, console errors kept."""

    def __init__(self, browser, base_url: str, viewport: dict):
        self.context = browser.new_context(locale="zh-CN", viewport=viewport, base_url=base_url,
                                           extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def session(browser, live_server, transactional_db):
    session = BrowserSession(browser, live_server.url, DESKTOP)
    yield session
    session.close()


@pytest.fixture
def phone_session(browser, live_server, transactional_db):
    session = BrowserSession(browser, live_server.url, PHONE)
    yield session
    session.close()
