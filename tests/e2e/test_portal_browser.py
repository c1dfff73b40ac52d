"""The portal in Chromium: the demo's front page, a channel and the seed article at desktop and phone widths,
in Chinese, without console errors (the strict Content-Security-Policy holds), and the editor at /cms/.
"""

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, BrowserSession, assert_accessible
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_portal_pages_in_chinese(browser, live_server, demo_portal, viewport):
    seed = demo_portal["seed"]
    session = BrowserSession(browser, live_server.url, viewport)
    width = viewport["width"]
    try:
        page = session.page
        page.goto("/portal/")
        assert page.locator(".channel-nav").inner_text().count("党建动态") == 1
        assert "南阳市直机关新任党组织书记培训班在大别山干部学院举办" in page.locator(".featured").inner_text()
        session.screenshot(f"portal-home-{width}")
        assert_accessible(session.page, f"portal-home-{width}")
        page.click(".channel-nav >> text=党建动态")
        assert "市县动态" not in page.locator(".channel-nav").inner_text()
        session.screenshot(f"portal-channel-{width}")
        assert_accessible(session.page, f"portal-channel-{width}")
        page.goto(seed.url)
        assert "2022-10-12" in page.locator(".item-meta").inner_text()
        assert page.locator(".section-heading").all_inner_texts() == ["一、", "二、"]
        assert "市县动态" in page.locator(".portal-crumbs").inner_text()
        session.screenshot(f"portal-article-{width}")
        assert_accessible(session.page, f"portal-article-{width}")
        assert session.console_errors == []
    finally:
        session.close()


def test_editor_opens_the_cms_in_chinese(browser, live_server, demo_portal):
    user = UserFactory(username="portal-editor", roles=["editor"])
    user.set_password("portal-editor-pass")
    user.save()
    session = BrowserSession(browser, live_server.url, DESKTOP)
    try:
        page = session.page
        page.goto("/cms/")
        assert "/accounts/login/" in page.url
        page.fill("input[name=username]", "portal-editor")
        page.fill("input[name=password]", "portal-editor-pass")
        page.click("form.form button[type=submit]")
        page.wait_for_url("**/cms/")
        assert "南阳市直机关党建网" in page.content()
        assert "搜索" in page.locator("body").inner_text()  # Wagtail's own Chinese interface
        session.screenshot("cms-dashboard-editor")
        assert_accessible(session.page, "cms-dashboard-editor")
        assert session.console_errors == []
    finally:
        session.close()
