"""Certificates in the browser: the organizer's certificates page of a closed class (desktop), and the QR code of a
certificate, decoded from its PDF, opened on a phone-sized page (390 px) — the public verification, no sign-in —
then the participant's start page with their certificate. axe at each screenshot point. Screenshots:
tests/e2e/screenshots/certificates-staff.png, certificate-verify.png, certificate-verify-en.png,
certificate-unknown.png, certificates-my.png."""

import datetime
import subprocess
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.core.cache import cache
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from dangjian.certificates import services
from dangjian.completion.models import CompletionResult
from tests.e2e.conftest import PHONE, BrowserSession, assert_accessible, log_in, make_user
from tests.factories import OrganFactory, PhaseFactory, ProgramFactory, place

pytestmark = pytest.mark.e2e


@pytest.fixture
def closed_class(transactional_db):
    cache.clear()
    organizer = make_user("organizer", ["organizer"], full_name="工委组织部 李明")
    program = ProgramFactory(title="2022年南阳市直机关新任党组织书记培训班", status="closed",
                             organizer=OrganFactory(name_zh="中共南阳市委市直机关工作委员会"))
    phase = PhaseFactory(program=program, number=1, starts_on=datetime.date(2022, 10, 10),
                         ends_on=datetime.date(2022, 10, 14))
    organ = OrganFactory(name_zh="南阳市教育局")
    nominations = [place(program, organ, phase, name=name) for name in ("林晓燕", "欧阳建国", "王伟")]
    for nomination in nominations:
        CompletionResult.unscoped.create(nomination=nomination, program=program, completed=True,
                                         credited_hours=Decimal("37.5"))
    issued = services.certificates_issue(program=program, by=organizer).issued
    services.certificate_reissue(certificate=issued[2], by=organizer, reason="姓名有误，重新颁发")
    user = make_user("xueyuan", ["participant"], full_name="林晓燕")
    user.person = nominations[0].person
    user.save()
    return {"program": program, "certificate": next(c for c in issued if c.nomination_id == nominations[0].pk)}


def test_the_qr_code_opens_the_public_verification_on_a_phone(session, phone_session, browser, live_server,
                                                             closed_class, tmp_path):
    program, certificate = closed_class["program"], closed_class["certificate"]
    # The organizer's page of the class's certificates.
    log_in(session.page, "organizer")
    session.page.goto(f"/certificates/programs/{program.pk}/")
    expect(session.page.get_by_role("heading", name="结业证书", exact=True)).to_be_visible()
    assert_accessible(session.page, "certificates-staff")
    session.screenshot("certificates-staff")
    # The QR code printed on the certificate, scanned.
    with translation.override("zh-hans"):
        pdf = services.certificate_pdf_bytes(certificate)
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(tmp_path / "certificate.pdf"), str(tmp_path / "page")],
                   check=True, timeout=60)
    [url] = [r.text for png in sorted(tmp_path.glob("page*.png")) for r in zxingcpp.read_barcodes(Image.open(png))]
    path = urlsplit(url).path
    assert path == f"/verify/{certificate.serial}/"
    page = phone_session.page  # not signed in
    page.goto(path)
    expect(page.get_by_text("该证书真实有效。")).to_be_visible()
    expect(page.get_by_text("林*燕")).to_be_visible()
    assert "林晓燕" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "certificate-verify")
    phone_session.screenshot("certificate-verify")
    # A mistyped serial: the neutral page, and the form to type it again.
    page.get_by_label("证书编号").fill(certificate.serial[:-1] + "Z" if certificate.serial[-1] != "Z" else "Y")
    page.get_by_role("button", name="查验").click()
    expect(page.get_by_text("未查到该编号的证书。")).to_be_visible()
    assert_accessible(page, "certificate-unknown")
    phone_session.screenshot("certificate-unknown")
    english = BrowserSession(browser, live_server.url, PHONE)
    english.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    english.page.goto(path)
    expect(english.page.get_by_text("This certificate is valid.")).to_be_visible()
    assert_accessible(english.page, "certificate-verify-en")
    english.screenshot("certificate-verify-en")
    english.close()
    # The participant finds the certificate on their start page.
    log_in(page, "xueyuan")
    page.goto("/my/")
    expect(page.get_by_role("heading", name="我的结业证书")).to_be_visible()
    assert_accessible(page, "certificates-my")
    phone_session.screenshot("certificates-my")
    with page.expect_response(lambda r: f"/certificates/{certificate.pk}.pdf" in r.url) as response:
        page.evaluate(f"fetch('/certificates/{certificate.pk}.pdf')")
    assert response.value.status == 200 and response.value.headers["content-type"] == "application/pdf"
