"""In Chromium: search the demo portal for 书记, open the seed article, its WeChat QR code and its print view.
Screenshots in tests/e2e/screenshots/ (search-results, article-share-qr, article-print)."""

import pytest

from dangjian.portal.demo import load_portal
from tests.e2e.conftest import DESKTOP, PHONE, BrowserSession, assert_accessible

pytestmark = [pytest.mark.e2e]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_search_share_and_print_in_the_browser(browser, live_server, transactional_db, viewport):
    seed = load_portal()["seed"]
    session = BrowserSession(browser, live_server.url, viewport)
    width = viewport["width"]
    try:
        page = session.page
        page.goto("/portal/search/")
        page.fill(".search-form input[name=q]", "书记")
        page.click(".search-form button")
        page.wait_for_url("**/portal/search/?q=*")
        first = page.locator(".search-results li").first
        assert "书记" in first.locator("mark").first.inner_text()
        assert "南阳市直机关新任党组织书记培训班在大别山干部学院举办" in page.locator(".search-results").inner_text()
        session.screenshot(f"search-results-{width}")
        assert_accessible(session.page, f"search-results-{width}")

        page.goto(seed.url)
        page.click(".share-wechat summary")
        qr = page.locator(".share-qr")
        assert qr.is_visible()
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
        session.screenshot(f"article-share-qr-{width}")
        assert_accessible(session.page, f"article-share-qr-{width}")

        page.click(".print-link")
        page.wait_for_url("**?print=1")
        assert page.locator(".channel-nav").count() == 0 and page.locator(".share").count() == 0
        page.emulate_media(media="print")
        assert not page.locator(".print-toolbar").is_visible()
        session.screenshot(f"article-print-{width}")
        assert_accessible(session.page, f"article-print-{width}")
        page.emulate_media(media="screen")
        assert session.console_errors == []
    finally:
        session.close()
