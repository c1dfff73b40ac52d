"""Admission notices (入学通知) and the enrollment's messages in the outbox: the notice's PDF (its text, the
embedded Chinese fonts, the QR code decoded back to the activation link), the job that prepares the notices
(one draft per confirmed participant who has none, each with a fresh link; run again: only the missing ones),
the messages composed on confirmation and promotion (by the platform, even after a unit administrator's
withdrawal), to the organs (nomination opened, deadline reminder), and sending them with the locmem backend."""

import datetime
import subprocess

import pytest
import time_machine
import zxingcpp
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused
from dangjian.enrollment import messaging, services
from dangjian.enrollment.models import ActivationLink, Nomination
from dangjian.enrollment.notices import NoticeLink, activation_url, admission_notice_pdf
from dangjian.enrollment.services import NomineeInput
from dangjian.jobs.models import BackgroundJob
from dangjian.organizations.models import Person
from dangjian.outbox import services as outbox
from dangjian.outbox.models import Message
from dangjian.outbox.services import PLATFORM_AUTHOR
from tests.factories import ClassroomFactory, SessionFactory, VenueFactory
from tests.training.test_documents import first_page_png, pdf_font_names, pdf_text, unwrapped

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 1, 15, 10, tzinfo=datetime.UTC), tick=False):
        yield


def _confirmed(w, people, phase=None):
    services.quotas_set(program=w.program, by=w.organizer, seats={w.organ.pk: 5, w.other.pk: 3})
    nominations = services.nominate(program=w.program, organ=people[0].organ, by=w.organizer, nominees=[
        NomineeInput(person=person, preferred_phase=phase) for person in people])
    services.nominations_confirm(nominations=nominations, by=w.organizer)
    for nomination in nominations:
        nomination.refresh_from_db()
    return nominations


@pytest.fixture
def notice_world(enrollment_world):
    w = enrollment_world
    venue = VenueFactory(name_zh="河南大别山干部学院", province="河南省", city="信阳市", county="新县",
                         address="红军路 1 号")
    w.program.venue = venue
    w.program.title = "2027年市直机关新任党组织书记培训班"
    w.program.contact_name, w.program.contact_phone = "李明", "0377-63186200"
    w.program.save()
    w.phase1.classroom = ClassroomFactory(venue=venue, name="第一教室")
    w.phase1.save()
    SessionFactory(phase=w.phase1, title="学习贯彻党的二十大精神")
    SessionFactory(phase=w.phase1, title="党支部工作实务",
                   starts_at=datetime.datetime(2027, 3, 2, 6, tzinfo=datetime.UTC),
                   ends_at=datetime.datetime(2027, 3, 2, 9, tzinfo=datetime.UTC))
    services.enrollment_settings_update(program=w.program, by=w.organizer, nomination_deadline=None,
                                        admission_notes="3月1日上午9时前到学院报到。\n请携带身份证和笔记本。")
    return w


def test_the_notice_prints_who_what_when_where_and_the_timetable_in_chinese(notice_world, tmp_path):
    w = notice_world
    nomination = _confirmed(w, w.secretaries[:1], phase=w.phase1)[0]
    with translation.override("zh-hans"):
        content = admission_notice_pdf(nomination=nomination, link=NoticeLink.activation("token-1"))
    text = unwrapped(pdf_text(content))
    for expected in (nomination.person.name, w.organ.name_zh, "2027年市直机关新任党组织书记培训班", "入学通知",
                     "第一期", "2027年3月1日", "河南大别山干部学院", "第一教室", "红军路1号", "请携带身份证和笔记本",
                     "学习贯彻党的二十大精神", "党支部工作实务", "李明", "0377-63186200", "/activate/token-1/",
                     "2027年1月29日"):  # the link's expiry: 14 days
        assert expected in text, expected
    fonts = pdf_font_names(content)
    assert any("NotoSansCJK" in name for name in fonts) and any("NotoSerifCJK" in name for name in fonts), fonts
    page = first_page_png(content, tmp_path)
    assert page.size[0] > 300  # rendered by poppler


def test_the_qr_code_decodes_to_the_activation_link(notice_world, tmp_path):
    w = notice_world
    nomination = _confirmed(w, w.secretaries[:1], phase=w.phase1)[0]
    source = tmp_path / "notice.pdf"
    source.write_bytes(admission_notice_pdf(nomination=nomination, link=NoticeLink.activation("tok-QR_1")))
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(source), str(tmp_path / "page")], check=True, timeout=60)
    decoded = [result.text for png in sorted(tmp_path.glob("page*.png"))
               for result in zxingcpp.read_barcodes(Image.open(png))]
    assert decoded == [activation_url("tok-QR_1")]


def test_a_downloaded_notice_carries_no_activation_link(notice_world):
    w = notice_world
    nomination = _confirmed(w, w.secretaries[:1], phase=w.phase1)[0]
    links = ActivationLink.objects.count()
    text = unwrapped(pdf_text(admission_notice_pdf(nomination=nomination, link=NoticeLink.own_page())))
    assert "/my/enrollment/" in text and "/activate/" not in text
    assert ActivationLink.objects.count() == links


def test_preparing_the_notices_writes_one_draft_each_with_a_fresh_link_and_is_idempotent(notice_world, settings):
    w = notice_world
    emailed, texted, silent = w.secretaries[:3]
    Person.unscoped.filter(pk=texted.pk).update(mobile="13800138002")
    nominations = _confirmed(w, [emailed, texted, silent], phase=w.phase1)
    emailed.user.email = "emailed@example.org"
    emailed.user.save()
    Message.unscoped.all().delete()  # the confirmations: not what this test counts

    job = messaging.admission_notices_prepare(program=w.program, by=w.organizer)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.result
    assert job.result["notices"]["written"] == 2
    assert job.result["notices"]["unreachable"] == [silent.name]
    assert (job.progress_done, job.progress_total) == (3, 3)
    notices = {m.person_id: m for m in Message.unscoped.filter(kind="admission_notice")}
    assert set(notices) == {emailed.pk, texted.pk}
    mail, sms = notices[emailed.pk], notices[texted.pk]
    assert mail.channel == "email" and mail.attachment and mail.attachment_name.endswith(".pdf")
    assert mail.attachment.read()[:5] == b"%PDF-"
    assert sms.channel == "sms" and not sms.attachment and "/activate/" in sms.body
    assert mail.created_by == w.organizer and mail.status == "draft"
    links = ActivationLink.objects.count()
    assert links == 2

    again = messaging.admission_notices_prepare(program=w.program, by=w.organizer)
    again.refresh_from_db()
    assert again.result["notices"]["written"] == 0
    assert Message.unscoped.filter(kind="admission_notice").count() == 2
    assert ActivationLink.objects.count() == links

    outbox.message_discard(message=sms, by=w.organizer)  # a discarded draft counts as missing
    messaging.admission_notices_prepare(program=w.program, by=w.organizer)
    fresh = Message.unscoped.get(kind="admission_notice", person=texted)
    assert fresh.body != sms.body  # a fresh activation link
    usable = [link for link in ActivationLink.objects.filter(user=texted.user) if link.usable()]
    assert len(usable) == 1  # the earlier link stopped working
    assert nominations[0].status == "confirmed"


def test_only_organizers_prepare_notices_and_only_while_the_program_runs(notice_world):
    w = notice_world
    with pytest.raises(PermissionDenied):
        messaging.admission_notices_prepare(program=w.program, by=w.admin)
    w.program.status = "closed"
    w.program.save()
    with pytest.raises(ActionRefused):
        messaging.admission_notices_prepare(program=w.program, by=w.organizer)
    assert not BackgroundJob.unscoped.exists()


def test_confirmation_and_promotion_are_composed_by_the_platform(enrollment_world):
    w = enrollment_world
    people = w.secretaries[:4]
    Person.unscoped.filter(pk__in=[p.pk for p in people]).update(mobile="13800138003")
    services.quotas_set(program=w.program, by=w.organizer, seats={w.organ.pk: 5})
    w.phase1.capacity, w.phase2.capacity = 2, 0
    w.phase1.save()
    w.phase2.save()
    nominations = services.nominate(program=w.program, organ=w.organ, by=w.admin,
                                    nominees=[NomineeInput(person=p) for p in people[:3]])
    services.nominations_confirm(nominations=nominations, by=w.organizer)  # two seats, one waits
    confirmations = Message.unscoped.filter(kind="confirmation")
    assert sorted(confirmations.values_list("person_id", flat=True)) == sorted(p.pk for p in people[:2])
    assert all(m.channel == "sms" and m.created_by is None for m in confirmations)
    assert set(AuditEntry.objects.filter(model="outbox.message").values_list("actor_name", flat=True)) == {
        PLATFORM_AUTHOR}

    first = Nomination.unscoped.get(person=people[0], program=w.program)
    services.nomination_withdraw(nomination=first, by=w.admin, reason="工作调动")  # a unit admin frees the seat
    promoted = Message.unscoped.get(kind="waitlist_promotion")
    assert promoted.person_id == people[2].pk and promoted.status == "draft" and promoted.created_by is None
    assert "递补" in promoted.body

    second = Nomination.unscoped.get(person=people[1], program=w.program)  # a substitute takes the seat as it is
    people[3].refresh_from_db()  # its mobile, written above
    substitute = services.nomination_substitute(nomination=second, person=people[3], by=w.admin, reason="换人")
    assert substitute.status == "confirmed"
    assert Message.unscoped.get(kind="confirmation", person=people[3]).created_by is None


def test_a_participant_without_an_address_is_confirmed_without_a_message(enrollment_world):
    w = enrollment_world
    services.quotas_set(program=w.program, by=w.organizer, seats={w.organ.pk: 5})
    nomination = services.nominate(program=w.program, organ=w.organ, by=w.admin,
                                   nominees=[NomineeInput(person=w.secretaries[0])])[0]
    assert services.nomination_confirm(nomination=nomination, by=w.organizer) == "confirmed"
    assert not Message.unscoped.exists()


def test_nomination_opened_and_the_deadline_reminder_go_to_the_unit_admins(enrollment_world):
    w = enrollment_world
    w.admin.email = "admin@example.org"
    w.admin.save()
    w.other_admin.email = "other@example.org"
    w.other_admin.save()
    services.quotas_set(program=w.program, by=w.organizer, seats={w.organ.pk: 3, w.other.pk: 2})
    services.enrollment_settings_update(program=w.program, by=w.organizer,
                                        nomination_deadline=datetime.date(2027, 1, 31))
    opened = messaging.nomination_opened_compose(program=w.program, by=w.organizer)
    assert (opened.count, opened.unreachable) == (2, [])
    messages = {m.user_id: m for m in Message.unscoped.filter(kind="nomination_opened")}
    assert set(messages) == {w.admin.pk, w.other_admin.pk}
    assert "名额 3 人" in messages[w.admin.pk].body and "2027年1月31日" in messages[w.admin.pk].body
    assert messages[w.other_admin.pk].organ_id == w.other.pk

    services.nominate(program=w.program, organ=w.organ, by=w.admin, nominees=[NomineeInput(person=w.secretaries[0])])
    reminded = messaging.deadline_reminder_compose(program=w.program, by=w.organizer)
    assert reminded.count == 1
    assert Message.unscoped.get(kind="deadline_reminder").user_id == w.other_admin.pk

    w.other_admin.email = ""
    w.other_admin.save()
    unreachable = messaging.deadline_reminder_compose(program=w.program, by=w.organizer)
    assert unreachable.count == 0 and unreachable.unreachable == [w.other.name_zh]
    with pytest.raises(PermissionDenied):
        messaging.deadline_reminder_compose(program=w.program, by=w.admin)


def test_an_admission_notice_is_sent_with_its_pdf(notice_world, mailoutbox):
    w = notice_world
    nomination = _confirmed(w, w.secretaries[:1], phase=w.phase1)[0]
    nomination.person.user.email = "xueyuan@example.org"
    nomination.person.user.save()
    messaging.admission_notices_prepare(program=w.program, by=w.organizer)
    notice = Message.unscoped.get(kind="admission_notice")
    outbox.messages_send(messages=[notice], by=w.organizer)
    notice.refresh_from_db()
    assert notice.status == "sent"
    [mail] = mailoutbox
    assert mail.to == ["xueyuan@example.org"] and "入学通知" in mail.subject
    [(name, content, mimetype)] = mail.attachments
    assert name.endswith(".pdf") and mimetype == "application/pdf" and content[:5] == b"%PDF-"
    assert w.program.title in unwrapped(pdf_text(content))


def test_the_jobs_queries_per_notice_do_not_grow(notice_world):
    w = notice_world
    people = w.secretaries[:4]
    Person.unscoped.filter(pk__in=[p.pk for p in people]).update(mobile="13800138004")
    _confirmed(w, people[:1], phase=w.phase1)
    with CaptureQueriesContext(connection) as one:
        messaging.admission_notices_prepare(program=w.program, by=w.organizer)
    _confirmed(w, people[1:4], phase=w.phase1)
    with CaptureQueriesContext(connection) as three:
        messaging.admission_notices_prepare(program=w.program, by=w.organizer)
    per_notice = (len(three) - len(one)) / 2
    assert per_notice <= 40, per_notice  # a fixed number per notice (link, account, compose, audit), not per row
    assert Message.unscoped.filter(kind="admission_notice").count() == 4


def test_the_participant_downloads_their_own_notice_only(client, notice_world):
    w = notice_world
    mine, theirs = _confirmed(w, w.secretaries[:2], phase=w.phase1)
    user = mine.person.user
    user.set_password("Xuexi-2027-canxun")
    user.save()
    client.force_login(user)
    response = client.get(reverse("admission_notice_pdf", args=[mine.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert mine.person.name in unwrapped(pdf_text(response.content))
    assert client.get(reverse("admission_notice_pdf", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("my_enrollment")).content.decode()
    assert reverse("admission_notice_pdf", args=[mine.pk]) in page


def test_the_notices_queries_do_not_grow_with_the_timetable(notice_world):
    w = notice_world
    nomination = _confirmed(w, w.secretaries[:1], phase=w.phase1)[0]
    link = NoticeLink.own_page()

    def queries():
        fresh = Nomination.unscoped.select_related("program", "person", "organ").get(pk=nomination.pk)
        with CaptureQueriesContext(connection) as captured:
            admission_notice_pdf(nomination=fresh, link=link)
        return len(captured)

    few = queries()
    for day in (2, 3, 4):
        SessionFactory(phase=w.phase1, title=f"第{day}天专题",
                       starts_at=datetime.datetime(2027, 3, day, 1, tzinfo=datetime.UTC),
                       ends_at=datetime.datetime(2027, 3, day, 3, tzinfo=datetime.UTC))
    assert queries() == few
