"""The outbox's services: compose from the kinds' templates, send with Django's locmem e-mail backend and the
in-memory SMS backend, the failure path with a backend that raises, retry, and a message never sent twice."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused
from dangjian.jobs.models import BackgroundJob
from dangjian.outbox import services
from dangjian.outbox.enums import Channel, MessageKind, MessageStatus
from dangjian.outbox.models import Message
from dangjian.outbox.services import Recipient
from dangjian.outbox.tasks import message_deliver, outbox_send_task
from tests.factories import MessageFactory, OrganFactory, PersonFactory, PhaseFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


class RefusingSmsBackend:
    """An SMS provider that refuses every message."""

    def send(self, *, to, text):
        raise ConnectionError("provider unreachable (HTTP 503)")

    def close(self):
        pass


@pytest.fixture
def program(organ):
    program = ProgramFactory(title="2026年新任党组织书记培训班", year=2026, status="enrollment_open")
    PhaseFactory(program=program, number=1, starts_on=datetime.date(2026, 10, 12), ends_on=datetime.date(2026, 10, 16))
    return program


def _compose(by, *recipients, kind=MessageKind.NOMINATION_OPENED, program=None, **context):
    return services.messages_compose(kind=kind, recipients=list(recipients), by=by, program=program,
                                     context=context or None)


# Compose -------------------------------------------------------------------------------------------------------

def test_compose_writes_drafts_worded_in_chinese_from_the_template(organizer, organ, program):
    admin = UserFactory(full_name="王芳", email="wangfang@example.org", roles=["unit_admin"], organs=[organ])
    person = PersonFactory(organ=organ, name="李雷", mobile="13912345678")
    email, sms = _compose(organizer, Recipient(user=admin, organ=organ), Recipient(person=person), program=program,
                          quota=3, deadline=datetime.date(2026, 9, 15))
    assert (email.status, email.channel, email.address, email.organ, email.program) == (
        "draft", "email", "wangfang@example.org", organ, program)
    assert email.subject == "【报名通知】2026年新任党组织书记培训班开始推荐报名"
    assert "王芳同志：" in email.body and "名额 3 人" in email.body and "2026年9月15日" in email.body
    assert "第1期：2026年10月12日至10月16日" in email.body
    assert email.body.rstrip().endswith("中共南阳市委市直机关工作委员会")
    assert (sms.channel, sms.address, sms.subject) == ("sms", "13912345678", "")
    assert sms.body.startswith("【南阳市直机关工委】李雷同志：") and "9月15日前" in sms.body
    assert sms.organ == organ and sms.created_by == organizer
    assert set(AuditEntry.objects.filter(model="outbox.message", action="create").values_list("object_pk", flat=True)) \
        == {str(email.pk), str(sms.pk)}
    audit = AuditEntry.objects.get(model="outbox.message", object_pk=str(sms.pk))
    assert audit.changes["address"] == "139****5678"  # personal data masked in the trail


def test_compose_in_the_recipients_language_and_chinese_for_any_other(organizer, organ, program):
    person = PersonFactory(organ=organ, name="Li Lei", mobile="13912345678")
    english, other = _compose(organizer, Recipient(person=person, language="en"),
                              Recipient(person=person, language="fr"), program=program)
    assert english.language == "en" and english.body.startswith("[南阳市直机关工委] Dear Li Lei, nominations for")
    assert other.language == "zh-hans" and "已开始推荐报名" in other.body


def test_every_kind_has_its_wording_for_both_channels_and_languages(organizer, organ, program):
    person = PersonFactory(organ=organ, mobile="13912345678")
    user = UserFactory(email="a@example.org", person=person)
    phase = program.phases.get()
    for kind in MessageKind.values:
        for language in ("zh-hans", "en"):
            email, sms = _compose(organizer, Recipient(user=user, channel=Channel.EMAIL, language=language),
                                  Recipient(person=person, language=language), kind=kind, program=program,
                                  phase=phase, deadline=datetime.date(2026, 9, 15), post="第一党支部书记",
                                  appointed_on=datetime.date(2026, 7, 3), due_by=datetime.date(2027, 1, 3))
            assert email.subject and len(email.body) > 40 and "{" not in email.body, (kind, language)
            assert sms.body and "\n" not in sms.body and "{" not in sms.body, (kind, language)


def test_a_recipient_without_an_address_stops_the_whole_batch_naming_them(organizer, organ):
    fine = PersonFactory(organ=organ, mobile="13912345678")
    no_mobile = PersonFactory(organ=organ, name="韩梅梅", mobile="")
    no_email = UserFactory(full_name="赵敏", email="")
    with pytest.raises(ValidationError) as refused:
        _compose(organizer, Recipient(person=fine), Recipient(person=no_mobile),
                 Recipient(user=no_email, channel=Channel.EMAIL, organ=organ))
    text = " ".join(refused.value.messages)
    assert "韩梅梅 has no mobile phone number" in text or "韩梅梅在人员库中没有手机号码" in text
    assert "赵敏" in text
    assert not Message.unscoped.exists() and not AuditEntry.objects.filter(model="outbox.message").exists()


def test_an_attachment_goes_by_email_only(organizer, organ):
    person = PersonFactory(organ=organ, mobile="13912345678")
    with pytest.raises(ValidationError):
        _compose(organizer, Recipient(person=person, attachment=("通知.pdf", b"%PDF")))
    user = UserFactory(email="a@example.org", person=person)
    message, = _compose(organizer, Recipient(user=user, attachment=("入学通知.pdf", b"%PDF-1.7 notice")),
                        kind=MessageKind.ADMISSION_NOTICE)
    assert message.attachment_name == "入学通知.pdf"
    with message.attachment.open("rb") as file:
        assert file.read() == b"%PDF-1.7 notice"


def test_unknown_kind_and_no_recipients_are_refused(organizer, organ):
    with pytest.raises(ValidationError) as refused:
        _compose(organizer, Recipient(person=PersonFactory(organ=organ, mobile="13912345678")), kind="birthday")
    assert "kind" in refused.value.message_dict
    with pytest.raises(ValidationError):
        _compose(organizer)


def test_a_unit_admin_composes_only_to_their_own_organs_people(unit_admin, organ):
    own = PersonFactory(organ=organ, mobile="13912345678")
    other = PersonFactory(organ=OrganFactory(), mobile="13912345679")
    assert _compose(unit_admin, Recipient(person=own))[0].organ == organ
    with pytest.raises(PermissionDenied):
        _compose(unit_admin, Recipient(person=own), Recipient(person=other))
    assert Message.unscoped.count() == 1
    with pytest.raises(PermissionDenied):
        _compose(UserFactory(roles=["college_staff"]), Recipient(person=own))


# Send ----------------------------------------------------------------------------------------------------------

def test_send_hands_drafts_to_a_job_that_sends_them(organizer, organ, program, mailoutbox, sms_outbox):
    user = UserFactory(full_name="王芳", email="wangfang@example.org")
    person = PersonFactory(organ=organ, mobile="13912345678")
    email, sms = _compose(organizer, Recipient(user=user, organ=organ), Recipient(person=person), program=program)
    job = services.messages_send(messages=[email, sms], by=organizer)
    job.refresh_from_db()
    assert (job.kind, job.status, job.requested_by) == ("outbox_send", "done", organizer)
    assert job.result == {"outbox": {"sent": 2, "failed": 0, "skipped": 0}, "total": 2}
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [(["wangfang@example.org"], email.subject)]
    assert mailoutbox[0].body == email.body
    assert sms_outbox == [{"to": "13912345678", "text": sms.body}]
    for message in (email, sms):
        message.refresh_from_db()
        assert (message.status, message.attempts, message.send_job, message.error) == ("sent", 1, job, "")
        assert message.sent_at is not None
    queued = AuditEntry.objects.filter(model="outbox.message", action="update", actor=organizer)
    assert queued.count() == 2 and queued.first().changes["status"] == ["draft", "queued"]


def test_an_attachment_is_attached_to_the_mail(organizer, organ, mailoutbox):
    user = UserFactory(email="a@example.org", person=PersonFactory(organ=organ))
    message, = _compose(organizer, Recipient(user=user, attachment=("入学通知.pdf", b"%PDF-1.7 notice")),
                        kind=MessageKind.ADMISSION_NOTICE)
    services.messages_send(messages=[message], by=organizer)
    assert mailoutbox[0].attachments == [("入学通知.pdf", b"%PDF-1.7 notice", "application/pdf")]


def test_send_all_sends_every_draft_of_the_list_and_leaves_the_others(organizer, organ):
    drafts = MessageFactory.create_batch(3, organ=organ)
    sent = MessageFactory(status="sent", organ=organ)
    services.messages_send_all(drafts=Message.objects.visible_to(organizer), by=organizer)
    assert set(Message.unscoped.values_list("status", flat=True)) == {"sent"}
    assert Message.unscoped.get(pk=sent.pk).attempts == 0  # not sent again
    assert all(Message.unscoped.get(pk=draft.pk).attempts == 1 for draft in drafts)
    with pytest.raises(ValidationError):  # nothing left to send
        services.messages_send_all(drafts=Message.objects.visible_to(organizer), by=organizer)


def test_a_failed_message_keeps_its_error_and_is_retried(organizer, organ, settings, sms_outbox):
    settings.DANGJIAN_SMS_BACKEND = "tests.outbox.test_services.RefusingSmsBackend"
    first, second = MessageFactory.create_batch(2, organ=organ)
    job = services.messages_send(messages=[first, second], by=organizer)
    job.refresh_from_db()
    assert job.status == "done" and job.result["outbox"] == {"sent": 0, "failed": 2, "skipped": 0}
    first.refresh_from_db()
    assert (first.status, first.attempts, first.sent_at) == ("failed", 1, None)
    assert first.error == "ConnectionError: provider unreachable (HTTP 503)"
    with pytest.raises(ActionRefused):  # a failed message is retried, not sent
        services.messages_send(messages=[first], by=organizer)
    settings.DANGJIAN_SMS_BACKEND = "dangjian.outbox.backends.LocmemSmsBackend"
    services.messages_retry(messages=[first], by=organizer)
    first.refresh_from_db()
    assert (first.status, first.attempts, first.error) == ("sent", 2, "")
    services.messages_retry_all(failed=Message.objects.visible_to(organizer), by=organizer)
    assert Message.unscoped.get(pk=second.pk).status == "sent"
    assert [sms["text"] for sms in sms_outbox] == [first.body, second.body]
    with pytest.raises(ActionRefused):  # a sent message is not retried
        services.messages_retry(messages=[first], by=organizer)


def test_one_failure_does_not_stop_the_others(organizer, organ, settings, mailoutbox, sms_outbox):
    settings.DANGJIAN_SMS_BACKEND = "tests.outbox.test_services.RefusingSmsBackend"
    sms = MessageFactory(organ=organ)
    email = MessageFactory(organ=organ, channel="email", address="a@example.org", subject="主题")
    job = services.messages_send(messages=[sms, email], by=organizer)
    job.refresh_from_db()
    assert job.result["outbox"] == {"sent": 1, "failed": 1, "skipped": 0}
    assert len(mailoutbox) == 1


def test_sending_twice_never_sends_a_message_twice(organizer, organ, sms_outbox):
    message = MessageFactory(organ=organ)
    services.messages_send(messages=[message], by=organizer)
    with pytest.raises(ActionRefused):  # the same selection again, from a page loaded before
        services.messages_send(messages=[message], by=organizer)
    stale = Message.unscoped.get(pk=message.pk)
    stale.status = "draft"  # a copy loaded before the first send: the conditional UPDATE still refuses
    with pytest.raises(ActionRefused):
        services.messages_send(messages=[stale], by=organizer)
    assert len(sms_outbox) == 1 and Message.unscoped.get(pk=message.pk).attempts == 1


def test_a_job_run_twice_or_a_message_taken_by_another_job_is_not_sent_again(organizer, organ, sms_outbox):
    message = MessageFactory(organ=organ)
    job = services.messages_send(messages=[message], by=organizer)
    outbox_send_task.call(job.pk)  # the worker runs the same job again: it is not queued any more
    BackgroundJob.unscoped.filter(pk=job.pk).update(status="queued")
    outbox_send_task.call(job.pk)  # even when the job row says queued, the message is no longer
    assert len(sms_outbox) == 1
    Message.unscoped.filter(pk=message.pk).update(status="queued")
    from dangjian.outbox.backends import Senders

    with Senders() as senders:  # two workers take the same queued message: only the first sends it
        assert [message_deliver(pk=message.pk, senders=senders) for _ in range(2)] == ["sent", "skipped"]
    assert len(sms_outbox) == 2


def test_only_organizers_send_and_a_queued_message_is_refused(unit_admin, organizer, organ):
    message = MessageFactory(organ=organ)
    with pytest.raises(PermissionDenied):
        services.messages_send(messages=[message], by=unit_admin)
    with pytest.raises(PermissionDenied):
        services.messages_send_all(drafts=Message.objects.visible_to(unit_admin), by=unit_admin)
    assert Message.unscoped.get(pk=message.pk).status == "draft"
    queued = MessageFactory(organ=organ, status="queued")
    with pytest.raises(ActionRefused):
        services.messages_send(messages=[queued], by=organizer)


def test_the_requester_who_lost_the_right_sends_nothing(organizer, organ, sms_outbox):
    message = MessageFactory(organ=organ)
    with pytest.raises(PermissionDenied):
        services.messages_send(messages=[message], by=UserFactory(roles=["editor"]))
    former = UserFactory(roles=["organizer"])
    job = BackgroundJob.unscoped.create(kind="outbox_send", requested_by=former)
    Message.unscoped.filter(pk=message.pk).update(status="queued", send_job=job)
    former.groups.clear()
    outbox_send_task.call(job.pk)
    message.refresh_from_db()
    assert message.status == "failed" and sms_outbox == []


def test_discard_deletes_a_draft_only(organizer, organ):
    draft = MessageFactory(organ=organ)
    pk = draft.pk
    services.message_discard(message=draft, by=organizer)
    assert not Message.unscoped.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(model="outbox.message", action="delete", object_pk=str(pk)).exists()
    sent = MessageFactory(organ=organ, status=MessageStatus.SENT)
    with pytest.raises(ActionRefused):
        services.message_discard(message=sent, by=organizer)
