"""Certificates (结业证书, docs/certificates.md): issuing (idempotent, only to those who completed, after closing),
the PDF (text extracted with pypdf, QR decoded with zxing-cpp to the verification URL), revoking and reissuing
(audited), the public verification (valid, revoked, unknown: the unknown page reveals nothing) and its rate limit,
the participant's own page, and the lists in a constant number of queries."""

import io
import re
import subprocess
from decimal import Decimal

import pypdf
import pytest
import zxingcpp
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from dangjian.certificates import documents, selectors, services
from dangjian.certificates.models import Certificate
from dangjian.completion.models import CompletionResult
from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused
from dangjian.jobs.models import BackgroundJob
from tests.certificates.world import build
from tests.factories import OrganFactory, place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def w(users_by_role, organ):
    return build(users_by_role, organ)


def pdf_text(content: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(content)).pages)


# --- Issuing -------------------------------------------------------------------------------------------------

def test_issuing_covers_exactly_those_who_completed_and_is_idempotent(w, users_by_role):
    certificates = Certificate.unscoped.filter(program=w.program)
    assert {c.nomination_id for c in certificates} == {w.own.pk, w.colleague.pk, w.other.pk}  # not the one who failed
    assert all(re.fullmatch(r"NY2022-\d{4}-[2-9A-HJKMNP-Z]{8}", c.serial) for c in certificates)
    assert sorted(c.number for c in certificates) == [1, 2, 3]
    assert w.certificate.person_name == "张三明" and w.certificate.hours == Decimal("37.5")
    assert AuditEntry.objects.filter(model="certificates.certificate", action="create").count() == 3
    again = services.certificates_issue(program=w.program, by=users_by_role["organizer"])
    assert again.issued == [] and again.already == 3 and certificates.count() == 3
    # One who completes later (a stored result added) gets one; the others are left as they are.
    late = place(w.program, OrganFactory(), w.phase, name="赵六")
    CompletionResult.unscoped.create(nomination=late, program=w.program, completed=True, credited_hours=30)
    assert [c.nomination_id for c in services.certificates_issue(program=w.program,
                                                                 by=users_by_role["organizer"]).issued] == [late.pk]


def test_closing_again_after_reopening_revokes_or_reissues_what_the_new_results_no_longer_support(w, users_by_role):
    from dangjian.completion.closing import CLOSE_HOOK
    from dangjian.training.services.workflow import TRANSITION_HOOKS

    # Registered on "close" after the completion app's hook, which stores the new results first.
    applied = [hook.apply for hook in TRANSITION_HOOKS["close"]]
    assert applied.index(services.certificates_after_closing_again) > applied.index(CLOSE_HOOK.apply)
    organizer = users_by_role["organizer"]
    before = {c.nomination_id: c for c in Certificate.unscoped.filter(program=w.program)}
    # The class was reopened (results deleted) and closed again with corrected records.
    CompletionResult.unscoped.filter(program=w.program).delete()
    for nomination, completed, hours in ((w.own, True, "37.5"), (w.colleague, False, "0"), (w.other, True, "30"),
                                         (w.failed, False, "0")):
        CompletionResult.unscoped.create(nomination=nomination, program=w.program, completed=completed,
                                         credited_hours=Decimal(hours), class_hours=Decimal("37.5"),
                                         attended_hours=Decimal(hours))
    with translation.override("en"):  # the reason is written in the closing user's language
        services.certificates_after_closing_again(program=w.program, by=organizer, note="补录签到表")
    after = {c.pk: c for c in Certificate.unscoped.filter(program=w.program)}
    assert after[before[w.own.pk].pk].status == "valid"  # unchanged: the same serial stays valid
    colleague = after[before[w.colleague.pk].pk]
    assert colleague.status == "revoked" and "no longer completed" in colleague.revoke_reason
    assert not Certificate.unscoped.filter(nomination=w.colleague, status="valid").exists()
    other = after[before[w.other.pk].pk]
    assert other.status == "revoked" and "hours or dates changed" in other.revoke_reason
    assert other.replaced_by.status == "valid" and other.replaced_by.hours == Decimal("30")
    assert other.replaced_by.number == 4 and other.revoked_by == organizer
    # Running it again changes nothing.
    services.certificates_after_closing_again(program=w.program, by=organizer, note="")
    assert Certificate.unscoped.filter(program=w.program).count() == 4
    assert Certificate.unscoped.filter(program=w.program, status="valid").count() == 2


def test_issuing_is_refused_before_the_class_closes_and_to_others_than_organizers(users_by_role, organ):
    w = build(users_by_role, organ, issue=False)
    w.program.status = "in_progress"
    w.program.save(update_fields=["status"])
    with pytest.raises(ActionRefused):
        services.certificates_issue(program=w.program, by=users_by_role["organizer"])
    w.program.status = "closed"
    w.program.save(update_fields=["status"])
    for role in ("college_staff", "unit_admin", "participant"):
        with pytest.raises(PermissionDenied):
            services.certificates_issue(program=w.program, by=users_by_role[role])
    assert not Certificate.unscoped.exists()


def test_the_issuing_job_issues_the_missing_ones_and_makes_their_pdfs(client, users_by_role, organ, monkeypatch):
    w = build(users_by_role, organ, issue=False)
    monkeypatch.setattr(documents, "certificates_pdfs", lambda batch: [b"%PDF-1.4 " + c.serial.encode()
                                                                       for c in batch])
    job = services.certificates_issue_start(program=w.program, by=users_by_role["organizer"])
    job.refresh_from_db()
    assert job.kind == BackgroundJob.Kind.CERTIFICATES and job.status == "done", job.result
    assert job.result["certificates"] == {"program": w.program.pk, "issued": 3, "already": 0, "rendered": 3}
    assert job.progress_done == job.progress_total == 3
    assert all(c.pdf for c in Certificate.unscoped.filter(program=w.program))
    again = services.certificates_issue_start(program=w.program, by=users_by_role["organizer"])
    again.refresh_from_db()
    assert again.result["certificates"]["issued"] == 0 and again.result["certificates"]["rendered"] == 0
    client.force_login(users_by_role["organizer"])
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert reverse("program_certificates", args=[w.program.pk]) in page and "3" in page


# --- The PDF -------------------------------------------------------------------------------------------------

def test_the_certificate_pdf_prints_the_facts_and_its_qr_code_opens_the_verification_page(w, tmp_path):
    with translation.override("zh-hans"):
        pdf = services.certificate_pdf_bytes(w.certificate)
    text = pdf_text(pdf)
    for expected in ("结业证书", "张三明", w.certificate.serial, "37.5", "2022年新任党组织书记培训班",
                     w.program.organizer.name_zh, "2022年10月10日", "2022年10月14日"):
        assert expected in text, expected
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(source), str(tmp_path / "page")], check=True, timeout=60)
    decoded = [r.text for png in sorted(tmp_path.glob("page*.png")) for r in zxingcpp.read_barcodes(Image.open(png))]
    assert decoded == [documents.verification_url(w.certificate.serial)]
    assert decoded[0].startswith("http") and decoded[0].endswith(f"/verify/{w.certificate.serial}/")
    # Stored on first use: the second download reads the same bytes.
    w.certificate.refresh_from_db()
    assert w.certificate.pdf and services.certificate_pdf_bytes(w.certificate) == pdf


def test_many_certificates_are_laid_out_together_and_cut_one_per_certificate(w):
    certificates = list(Certificate.unscoped.filter(program=w.program).order_by("number"))
    with translation.override("en"):
        pdfs = documents.certificates_pdfs(certificates)
    assert len(pdfs) == 3
    for certificate, pdf in zip(certificates, pdfs, strict=True):
        text = pdf_text(pdf)
        assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
        assert certificate.serial in text and certificate.person_name in text and "Certificateofcompletion" in text


# --- Revoke and reissue --------------------------------------------------------------------------------------

def test_revoking_needs_a_reason_and_is_audited(w, users_by_role):
    organizer = users_by_role["organizer"]
    with pytest.raises(ValidationError) as error:
        services.certificate_revoke(certificate=w.certificate, by=organizer, reason="  ")
    assert "reason" in error.value.message_dict
    services.certificate_revoke(certificate=w.certificate, by=organizer, reason="材料不实")
    w.certificate.refresh_from_db()
    assert w.certificate.status == "revoked" and w.certificate.revoke_reason == "材料不实"
    assert w.certificate.revoked_by == organizer and w.certificate.revoked_at
    entry = AuditEntry.objects.filter(model="certificates.certificate", object_pk=str(w.certificate.pk),
                                      action="update").get()
    assert entry.changes["revoke_reason"] == ["", "材料不实"] and entry.actor == organizer
    with pytest.raises(ActionRefused):
        services.certificate_revoke(certificate=w.certificate, by=organizer, reason="again")
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(certificate=w.other_certificate, by=users_by_role["college_staff"], reason="x")


def test_reissuing_gives_a_new_serial_that_replaces_the_revoked_one(w, users_by_role):
    organizer = users_by_role["organizer"]
    w.own.person.name = "张山明"  # the registry corrected
    w.own.person.save()
    new = services.certificate_reissue(certificate=w.certificate, by=organizer, reason="姓名有误，重新颁发")
    w.certificate.refresh_from_db()
    assert w.certificate.status == "revoked" and w.certificate.revoke_reason == "姓名有误，重新颁发"
    assert new.replaces == w.certificate and new.serial != w.certificate.serial and new.status == "valid"
    assert new.person_name == "张山明" and new.number == 4
    assert AuditEntry.objects.filter(model="certificates.certificate", object_pk=str(new.pk), action="create",
                                     changes__replaces=w.certificate.serial).exists()
    with pytest.raises(ActionRefused):
        services.certificate_reissue(certificate=w.certificate, by=organizer, reason="twice")
    assert Certificate.unscoped.filter(nomination=w.own, status="valid").get() == new


# --- Public verification -------------------------------------------------------------------------------------

def test_verification_of_a_valid_certificate_shows_the_masked_name(client, w):
    response = client.get(reverse("certificate_verify", args=[w.certificate.serial]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "张*明" in body and "张三明" not in body and "2022年新任党组织书记培训班" in body and "37.5" in body
    assert 'class="verdict ok"' in body
    # Typed in lower case with spaces (or full-width): the same certificate.
    typed = " " + w.certificate.serial.lower().replace("-", " - ") + " "
    response = client.get(reverse("certificate_verify_form"), {"serial": typed})
    assert response.status_code == 302 and response["Location"] == reverse("certificate_verify",
                                                                            args=[w.certificate.serial])


def test_verification_of_a_revoked_certificate_shows_the_date_not_the_reason(client, w, users_by_role):
    services.certificate_revoke(certificate=w.certificate, by=users_by_role["organizer"], reason="内部原因XYZ")
    body = client.get(reverse("certificate_verify", args=[w.certificate.serial])).content.decode()
    assert 'class="verdict revoked"' in body and "内部原因XYZ" not in body
    api = client.get(f"/api/v1/certificates/verify/{w.certificate.serial}").json()
    assert api["status"] == "revoked" and api["revoked_on"] and "reason" not in str(api)


def test_an_unknown_serial_gets_the_same_neutral_page_whatever_it_is(client, w):
    near = w.certificate.serial[:-1] + ("2" if w.certificate.serial[-1] != "2" else "3")
    pages = []
    for serial in (near, "NY2022-0001-AAAAAAAA", "nothing-at-all"):
        response = client.get(reverse("certificate_verify", args=[serial]))
        assert response.status_code == 404
        body = response.content.decode().replace(serial, "SERIAL").replace(selectors.normalize_serial(serial),
                                                                           "SERIAL")
        body = re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1TOKEN", body)
        assert "张" not in body and w.program.title not in body
        pages.append(body)
    assert pages[0] == pages[1] == pages[2]
    assert client.get(f"/api/v1/certificates/verify/{near}").status_code == 404


@override_settings(CERTIFICATE_VERIFY_RATE=(3, 60))
def test_verification_is_rate_limited_per_client_address(client, w):
    url = reverse("certificate_verify", args=[w.certificate.serial])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(url)
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert "Too many lookups" in limited.content.decode() or "查询过于频繁" in limited.content.decode()
    api = client.get(f"/api/v1/certificates/verify/{w.certificate.serial}")
    assert api.status_code == 429 and api["Content-Type"] == "application/problem+json"
    # Another address is counted on its own.
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_masked_name():
    assert [selectors.mask_name(n) for n in ("张三明", "张三", "欧阳小明", "Zhang San", "")] == [
        "张*明", "张*", "欧**明", "Z***g S*n", ""]


# --- The participant and the lists ---------------------------------------------------------------------------

def test_the_participant_finds_their_certificate_on_their_phone_page(client, w, users_by_role):
    client.force_login(users_by_role["participant"])
    body = client.get(reverse("my_home")).content.decode()
    assert reverse("certificate_pdf", args=[w.certificate.pk]) in body
    assert reverse("certificate_pdf", args=[w.other_certificate.pk]) not in body
    assert client.get(reverse("certificate_pdf", args=[w.other_certificate.pk])).status_code == 404


def test_the_staff_page_and_the_api_list_in_a_constant_number_of_queries(client, w, users_by_role):
    organizer = users_by_role["organizer"]
    client.force_login(organizer)
    url = reverse("program_certificates", args=[w.program.pk])

    def count(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    page, api = count(url), count(f"/api/v1/certificates/programs/{w.program.pk}")
    services.certificate_reissue(certificate=w.certificate, by=organizer, reason="姓名有误")
    for n in range(6):
        nomination = place(w.program, OrganFactory(), w.phase, name=f"新{n}")
        CompletionResult.unscoped.create(nomination=nomination, program=w.program, completed=True, credited_hours=30)
    services.certificates_issue(program=w.program, by=organizer)
    assert count(url) == page
    assert count(f"/api/v1/certificates/programs/{w.program.pk}") == api


def test_the_zip_holds_every_valid_certificate(client, w, users_by_role, monkeypatch):
    import zipfile

    monkeypatch.setattr(documents, "certificates_pdfs", lambda batch: [b"%PDF-1.4 " + c.serial.encode()
                                                                       for c in batch])
    client.force_login(users_by_role["organizer"])
    response = client.get(reverse("certificates_zip", args=[w.program.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 3
    assert {archive.read(name).split(b" ")[1].decode() for name in archive.namelist()} == set(
        Certificate.unscoped.filter(program=w.program).values_list("serial", flat=True))
    assert AuditEntry.objects.filter(action="export", changes__file="certificates.zip").exists()
