"""The outbox's pages: the list and its filters, the preview, sending after a confirmation, retry, refusals."""

import datetime

import pytest
from django.urls import reverse

from dangjian.outbox import services
from dangjian.outbox.models import Message
from dangjian.outbox.services import Recipient
from tests.factories import MessageFactory, OrganFactory, PhaseFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    program = ProgramFactory(title="2026年新任党组织书记培训班", year=2026, status="enrollment_open")
    PhaseFactory(program=program, number=1, starts_on=datetime.date(2026, 10, 12), ends_on=datetime.date(2026, 10, 16))
    return program


def test_the_preview_shows_the_mail_as_the_recipient_reads_it(client, organizer, organ, program):
    user = UserFactory(full_name="王芳", email="wangfang@example.org", roles=["unit_admin"], organs=[organ])
    message, = services.messages_compose(kind="nomination_opened", recipients=[Recipient(user=user, organ=organ)],
                                         by=organizer, program=program, context={"quota": 3})
    client.force_login(organizer)
    page = client.get(reverse("outbox_message", args=[message.pk])).content.decode()
    assert "【报名通知】2026年新任党组织书记培训班开始推荐报名" in page
    assert "王芳同志：" in page and "名额 3 人" in page
    assert "wa***@example.org" in page and "wangfang@example.org" not in page  # masked
    assert 'data-confirm="confirm-send"' in page and reverse("outbox_discard", args=[message.pk]) in page


def test_the_sms_preview_counts_the_messages_it_takes(client, organizer, organ):
    message = MessageFactory(organ=organ, body="短" * 71)
    client.force_login(organizer)
    page = client.get(reverse("outbox_message", args=[message.pk])).content.decode()
    assert "138****8000" in page and "13800138000" not in page
    assert "71 个字，2 条短信" in page


def test_the_list_filters_by_status_kind_channel_and_program(client, organizer, organ, program):
    MessageFactory(organ=organ, program=program, body="甲")
    MessageFactory(organ=organ, kind="induction_due", body="乙")
    MessageFactory(organ=organ, status="failed", body="丙", error="HTTP 503")
    MessageFactory(organ=organ, channel="email", address="a@example.org", subject="丁", body="丁")
    client.force_login(organizer)

    def shown(**query):
        response = client.get(reverse("outbox_list"), query)
        assert response.status_code == 200
        return sorted(message.body for message in response.context["page"])

    assert shown() == ["丁", "丙", "乙", "甲"]
    assert shown(status="failed") == ["丙"]
    assert shown(kind="induction_due") == ["乙"]
    assert shown(channel="email") == ["丁"]
    assert shown(program=program.pk) == ["甲"]
    assert shown(status="nonsense") == ["丁", "丙", "乙", "甲"]  # a value not among the choices is dropped
    tabs = {tab["status"]: tab["count"] for tab in client.get(reverse("outbox_list")).context["tabs"]}
    assert tabs == {"": 4, "draft": 3, "queued": 0, "sending": 0, "sent": 0, "failed": 1}


def test_a_program_filter_outside_the_scope_says_so_and_lists_nothing(client, unit_admin, organ):
    hidden = ProgramFactory(status="draft")
    MessageFactory(organ=organ, program=hidden)
    client.force_login(unit_admin)
    response = client.get(reverse("outbox_list"), {"program": hidden.pk})
    assert list(response.context["page"]) == []
    assert "不在您的消息所涉及的培训班之中" in response.content.decode()


def test_a_unit_admin_reads_their_organs_messages_without_buttons(client, unit_admin, organ):
    own = MessageFactory(organ=organ, body="本单位")
    MessageFactory(organ=OrganFactory(), body="外单位")
    client.force_login(unit_admin)
    response = client.get(reverse("outbox_list"))
    assert [message.body for message in response.context["page"]] == ["本单位"]
    page = response.content.decode()
    assert 'name="message"' not in page and "data-confirm" not in page
    detail = client.get(reverse("outbox_message", args=[own.pk])).content.decode()
    assert "本单位" in detail and "data-confirm" not in detail


def test_send_selected_asks_first_then_sends_and_shows_the_job(client, organizer, organ, sms_outbox):
    first, second, _third = MessageFactory.create_batch(3, organ=organ)
    client.force_login(organizer)
    ask = client.post(reverse("outbox_send"), {"message": [first.pk, second.pk]})
    assert ask.status_code == 200 and "2 条消息将通过电子邮件或短信发给收件人" in ask.content.decode()
    assert Message.unscoped.filter(status="draft").count() == 3  # nothing yet
    done = client.post(reverse("outbox_send"), {"message": [first.pk, second.pk], "confirmed": "1"}, follow=True)
    assert done.redirect_chain[-1][0].startswith("/jobs/")
    page = done.content.decode()
    assert "已发送 2 条消息" in page and "返回：发件箱" in page
    assert [sms["text"] for sms in sms_outbox] == [first.body, second.body]
    assert Message.unscoped.filter(status="draft").count() == 1


def test_send_all_sends_the_drafts_of_the_filtered_list(client, organizer, organ, program, sms_outbox):
    about = MessageFactory(organ=organ, program=program)
    other = MessageFactory(organ=organ)
    client.force_login(organizer)
    client.post(reverse("outbox_send"), {"all": "1", "program": program.pk, "confirmed": "1"})
    assert Message.unscoped.get(pk=about.pk).status == "sent"
    assert Message.unscoped.get(pk=other.pk).status == "draft"


def test_a_refused_send_says_why_and_sends_nothing(client, organizer, organ, sms_outbox):
    sent = MessageFactory(organ=organ, status="sent")
    client.force_login(organizer)
    response = client.post(reverse("outbox_send"), {"message": [sent.pk], "confirmed": "1",
                                                    "next": reverse("outbox_message", args=[sent.pk])}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("outbox_message", args=[sent.pk])
    assert "只发送草稿" in response.content.decode()
    assert sms_outbox == []
    nothing = client.post(reverse("outbox_send"), {"confirmed": "1"}, follow=True)
    assert "请选择要发送的消息" in nothing.content.decode()
    offsite = client.post(reverse("outbox_send"), {"confirmed": "1", "next": "https://evil.example/"})
    assert offsite["Location"] == reverse("outbox_list")


def test_retry_all_failed_from_the_list(client, organizer, organ, sms_outbox):
    failed = MessageFactory.create_batch(2, organ=organ, status="failed", error="HTTP 503", attempts=1)
    client.force_login(organizer)
    page = client.get(reverse("outbox_list")).content.decode()
    assert "重试全部 2 条失败消息" in page
    client.post(reverse("outbox_retry"), {"all": "1", "confirmed": "1"})
    assert [Message.unscoped.get(pk=message.pk).attempts for message in failed] == [2, 2]
    assert len(sms_outbox) == 2


def test_the_outbox_is_in_the_menu_of_organizers_and_unit_admins(client, users_by_role):
    for role, user in users_by_role.items():
        if user is None:
            continue
        client.force_login(user)
        shown = reverse("outbox_list") in client.get(reverse("home")).content.decode()
        assert shown == (role in ("organizer", "unit_admin")), role
