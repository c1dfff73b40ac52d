"""The three-step review (三审) in Chromium: an editor writes an article in /cms/ and submits it; three reviewers
approve it in turn (初审, 复审, 终审) from the page's editor; only then does the public page show it.
Screenshots at each step (tests/e2e/screenshots/portal-workflow-*.png)."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect
from wagtail.models import TaskState

from dangjian.portal.demo import load_portal
from dangjian.portal.models import ArticlePage
from dangjian.portal.workflow import find_review_workflow
from tests.e2e.conftest import DESKTOP, BrowserSession, assert_accessible
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e]

TITLE = "市直机关工委召开三审流程测试会"
BODY = "会议要求，稿件须经初审、复审、终审后方可发布。"
PASSWORD = "workflow-pass-123"
# Parts of Wagtail's own editor that axe-core finds wanting and that our templates cannot change; only these
# elements are left out of the check of the /cms/ pages:
WAGTAIL_WIDGETS = (
    ".DraftEditor-root [role=textbox]",  # Draftail's text box: Draft.js renders the contenteditable without a name
    ".tagit .ui-autocomplete-input",  # the tag field's type-ahead, added by jQuery tag-it beside the labelled field
    ".messages .success",  # Wagtail's green "saved" banner: white on #1f8869 is 4.38:1, below 4.5:1
)


def make_user(username, role, *groups):
    user = UserFactory(username=username, roles=[role])
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(*groups)
    return user


def log_in(session, username):
    page = session.page
    page.goto("/cms/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/cms/")


@pytest.fixture
def portal(transactional_db):
    demo = load_portal()
    # One reviewer group per step, as an organizer would configure it in /cms/workflows/.
    steps = []
    for task, name in zip(find_review_workflow().tasks.specific(), ("初审组", "复审组", "终审组"), strict=True):
        group = Group.objects.create(name=name)
        task.groups.set([group])
        steps.append(group)
    return demo, steps


def test_an_article_passes_three_reviews_to_the_public_site(browser, live_server, portal):
    demo, steps = portal
    channel = demo["seed"].get_parent().specific  # 市县动态, the seed article's channel
    make_user("wf-editor", "editor")
    reviewers = [make_user(f"wf-reviewer-{n}", "reviewer", group) for n, group in enumerate(steps, start=1)]

    editor = BrowserSession(browser, live_server.url, DESKTOP)
    try:
        page = editor.page
        log_in(editor, "wf-editor")
        page.goto(f"/cms/pages/add/portal/articlepage/{channel.pk}/")
        page.fill("input[name=title]", TITLE)
        page.fill("input[name=source]", "中共南阳市委市直机关工委")
        page.fill("input[name=summary]", "三审通过后方可在门户网站发布。")
        # Body: the first "+" of the body StreamField, the "Paragraph" block, then type into its rich text editor.
        page.locator("[data-contentpath=body] button.c-sf-add-button").first.click()
        page.locator("[role=option]").filter(has_text="段落").or_(
            page.locator("[role=option]").filter(has_text="Paragraph")).first.click()
        paragraph = page.locator("[data-contentpath=body] [contenteditable=true]").first
        paragraph.click()
        page.keyboard.type(BODY)
        paragraph.filter(has_text=BODY).wait_for()
        # Wagtail's scripts fill the slug from the title and Draftail writes its state into a hidden field; on a
        # busy machine (parallel tests) that takes longer than a fixed pause, and submitting before is a 400.
        expect(page.locator("input[name=slug]")).not_to_have_value("")
        expect(page.locator("[data-contentpath=body] input[type=hidden][name$='-value']").first).to_have_value(
            re.compile(re.escape(BODY[:8])))
        editor.screenshot("portal-workflow-1-editor-writes")
        assert_accessible(editor.page, "portal-workflow-1-editor-writes", exclude=WAGTAIL_WIDGETS)
        page.locator("footer .w-dropdown__toggle, .footer .w-dropdown__toggle").first.click()
        page.locator("button[name=action-submit]").click()
        # Wagtail goes back to the channel's page list; saving, submitting and starting the workflow take long on a
        # loaded machine (CI runs beside other work), hence the longer wait.
        page.wait_for_url(lambda url: "/add/" not in url, timeout=60_000)
        article = ArticlePage.objects.get(title=TITLE)
        assert not article.live
        assert article.workflow_in_progress
        assert BODY in str(article.latest_revision.as_object().body)
        editor.screenshot("portal-workflow-2-submitted")
        assert_accessible(editor.page, "portal-workflow-2-submitted", exclude=WAGTAIL_WIDGETS)
        response = page.goto(article.get_url() or f"/portal/{channel.slug}/")
        assert TITLE not in page.content()
        assert response.status in (200, 404)
    finally:
        editor.close()

    for step, username in enumerate(r.username for r in reviewers):
        reviewer = BrowserSession(browser, live_server.url, DESKTOP)
        try:
            page = reviewer.page
            log_in(reviewer, username)
            assert TITLE in page.locator("body").inner_text()  # "Awaiting your review" on the dashboard
            reviewer.screenshot(f"portal-workflow-{3 + step}-dashboard-{username}")
            if step == 0:  # the same pages for each reviewer
                assert_accessible(reviewer.page, f"portal-workflow-{3 + step}-dashboard-{username}",
                                  exclude=WAGTAIL_WIDGETS)
            page.goto(f"/cms/pages/{article.pk}/edit/")
            # The body is rendered by Wagtail's script: submitting before it is there would lose the paragraph.
            page.locator("[data-contentpath=body] [contenteditable=true]").filter(has_text=BODY).wait_for()
            approve = page.locator("button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])")
            if not approve.is_visible():
                page.locator("footer .w-dropdown__toggle, .footer .w-dropdown__toggle").first.click()
            approve.wait_for(state="visible")
            page.wait_for_timeout(300)  # the menu's opening animation
            reviewer.screenshot(f"portal-workflow-{3 + step}b-approve-{username}")
            if step == 0:  # the same pages for each reviewer
                assert_accessible(reviewer.page, f"portal-workflow-{3 + step}b-approve-{username}",
                                  exclude=WAGTAIL_WIDGETS)
            with page.expect_navigation():
                approve.click()  # saves the page and approves this step; Wagtail then leaves the editor
            reviewer.screenshot(f"portal-workflow-{3 + step}c-approved-{username}")
            if step == 0:  # the same pages for each reviewer
                assert_accessible(reviewer.page, f"portal-workflow-{3 + step}c-approved-{username}",
                                  exclude=WAGTAIL_WIDGETS)
            errors = page.locator("[data-field-wrapper]:has(.error-message:not(:empty))").all_inner_texts()
            assert "/edit/" not in page.url, errors  # back in the page list: the action went through
            article.refresh_from_db()
            assert article.live is (step == 2), f"after approval {step + 1}"
            approved = TaskState.objects.filter(workflow_state__object_id=str(article.pk), status="approved")
            assert approved.count() == step + 1
        finally:
            reviewer.close()

    reader = BrowserSession(browser, live_server.url, DESKTOP)
    try:
        page = reader.page
        page.goto(article.url)
        assert TITLE in page.locator("h1").inner_text()
        assert "中共南阳市委市直机关工委" in page.locator(".item-meta").inner_text()
        assert BODY in page.locator("body").inner_text()
        reader.screenshot("portal-workflow-6-public")
        assert_accessible(reader.page, "portal-workflow-6-public")
        page.goto(channel.url)
        assert TITLE in page.locator("body").inner_text()
        assert reader.console_errors == []
    finally:
        reader.close()
