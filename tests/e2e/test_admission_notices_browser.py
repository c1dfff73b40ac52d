"""The organizer prepares the admission notices of a program in the browser: one click starts the job, its page
shows the outcome and links to the drafts in the outbox, where a notice's PDF opens (Chinese text, the QR code's
link); the organizer also tells the organs that nomination is open. Screenshots:
tests/e2e/screenshots/notices-*.png."""

import io

import pypdf
import pytest
from playwright.sync_api import expect

from dangjian.enrollment import services
from dangjian.enrollment.services import NomineeInput
from dangjian.outbox.models import Message
from tests.e2e.conftest import log_in
from tests.e2e.test_enrollment_flow import open_program  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.e2e


def test_organizer_prepares_the_admission_notices_and_opens_one(session, open_program):  # noqa: F811
    program, organ, organizer = open_program["program"], open_program["organ"], open_program["organizer"]
    admin = organ.administrators.get()
    admin.email = "jiaoyuju@example.org"
    admin.save()
    nominations = services.nominate(program=program, organ=organ, by=organizer,
                                    nominees=[NomineeInput(person=p) for p in open_program["secretaries"]])
    services.nominations_confirm(nominations=nominations, by=organizer)
    for number, nomination in enumerate(nominations, start=1):
        user = nomination.person.user
        user.email = f"xueyuan{number}@example.org"
        user.save()
    page = session.page
    log_in(page, "organizer")
    page.goto(f"/enrollment/programs/{program.pk}/")
    expect(page.locator("#messages-title")).to_be_visible()
    session.screenshot("notices-1-overview")

    page.click("form[action$='/admission-notices/'] button")
    page.wait_for_selector(".job-done, .job-failed", timeout=60_000)
    assert "3" in page.locator(".job .job-state").inner_text()
    session.screenshot("notices-2-job-done")
    page.click(".job a[href*='kind=admission_notice']")
    page.wait_for_selector("table")
    assert page.locator("text=入学通知").count() >= 3
    session.screenshot("notices-3-outbox-drafts")

    notice = Message.unscoped.filter(kind="admission_notice").order_by("id").first()
    page.goto(f"/outbox/{notice.pk}/")
    session.screenshot("notices-4-draft")
    response = page.request.get(f"/outbox/{notice.pk}/attachment/")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = "".join("".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.body())).pages).split())
    assert notice.recipient_name in text and program.title in text and "/activate/" in text

    page.goto(f"/enrollment/programs/{program.pk}/")
    page.click("form[action$='/announce/'] button")
    page.wait_for_selector(".message.success")
    assert Message.unscoped.filter(kind="nomination_opened", user=admin).count() == 1
    session.screenshot("notices-5-announced")
    assert session.console_errors == []
