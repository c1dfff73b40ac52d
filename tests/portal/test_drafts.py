"""Drafts from the training records (issue 4, item 6): the figures come from the program, the pages are drafts
in the right channel, the nomination template is attached, and only organizers may draft."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.portal import drafts
from dangjian.portal.models import ArticlePage, ChannelPage, NoticePage
from tests.factories import OrganFactory, PersonFactory, PhaseFactory, PostFactory, ProgramFactory, SessionFactory
from tests.portal.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def channels(home):
    trends = publish(home, ChannelPage(title="党建动态", slug="dangjian-dongtai", show_in_menus=True))
    info = publish(trends, ChannelPage(title="党建资讯", slug="dangjian-zixun"))
    return {
        "report": publish(info, ChannelPage(title="市县动态", slug=drafts.REPORT_CHANNEL_SLUG)),
        "notice": publish(home, ChannelPage(title="通知公告", slug=drafts.NOTICE_CHANNEL_SLUG, show_in_menus=True)),
    }


@pytest.fixture
def program(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    organizer_organ = OrganFactory(name_zh="中共南阳市委市直机关工委")
    program = ProgramFactory(title="2022年南阳市直机关新任党组织书记培训班", organizer=organizer_organ,
                             planned_participants=112, phase_count=2, contact_name="李明",
                             contact_phone="0377-63186200", target_population="2022年新任职的市直机关基层党组织书记")
    program.venue.name_zh = "河南大别山干部学院"
    program.venue.save()
    first = PhaseFactory(program=program, number=1, starts_on=datetime.date(2022, 10, 10),
                         ends_on=datetime.date(2022, 10, 14))
    PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 17), ends_on=datetime.date(2022, 10, 21))
    SessionFactory(phase=first, form="lecture", hours=3)
    SessionFactory(phase=first, form="onsite_teaching", hours=2,
                   starts_at=timezone.make_aware(datetime.datetime(2022, 10, 11, 14, 30)),
                   ends_at=timezone.make_aware(datetime.datetime(2022, 10, 11, 17, 0)))
    return program


def _new_secretaries(organ, count):
    recently = datetime.date(2022, 9, 1)  # a month before the program's first phase (newly appointed then)
    for _index in range(count):
        PostFactory(person=PersonFactory(organ=organ), started_on=recently)


def test_notice_draft_states_the_plan_and_attaches_the_nomination_template(channels, program, organizer):
    a, b = OrganFactory(name_zh="南阳市教育局"), OrganFactory(name_zh="南阳市科学技术局")
    _new_secretaries(a, 3)
    _new_secretaries(b, 1)
    PostFactory(person=PersonFactory(organ=OrganFactory()), started_on=datetime.date(2015, 1, 1))  # not new
    notice = drafts.notice_draft(program=program, by=organizer)
    notice = NoticePage.objects.get(pk=notice.pk)
    assert not notice.live and notice.has_unpublished_changes and notice.live_revision is None
    assert notice.get_parent().pk == channels["notice"].pk
    assert notice.title == "关于举办2022年南阳市直机关新任党组织书记培训班的通知"
    body = notice.body
    for text in ("2022年新任职的市直机关基层党组织书记", "培训分两期进行，每期5天",
                 "第一期：2022年10月10日至2022年10月14日（5天）", "第二期：2022年10月17日至2022年10月21日（5天）",
                 "河南大别山干部学院", "计划培训112人",
                 "名额分配：见附件", "2个单位平均分配", "联系人：李明", "0377-63186200", "2022年9月30日前"):
        assert text in body, text
    assert notice.closing_date == datetime.date(2022, 9, 30)  # NOMINATION_LEAD_DAYS before the first phase
    assert notice.source == "中共南阳市委市直机关工委"
    attachment = notice.attachments.get()
    workbook = load_workbook(io.BytesIO(attachment.document.file.read()))
    sheet = workbook["推荐人选汇总表"]
    assert [cell.value for cell in sheet[2]] == drafts.NOMINATION_COLUMNS
    quotas = [[cell.value for cell in row] for row in workbook["名额分配"].iter_rows(min_row=2, max_row=4)]
    # 112 split evenly over the 2 organs with new secretaries: 56 each; the counts stand beside them.
    assert quotas == [["南阳市教育局", 3, 56], ["南阳市科学技术局", 1, 56], ["合计", 4, 112]]


def test_quotas_split_evenly_with_the_remainder_to_the_organs_with_most_new_secretaries(program, organizer):
    organs = [OrganFactory() for _index in range(3)]
    for organ, count in zip(organs, (1, 4, 2), strict=True):
        _new_secretaries(organ, count)
    program.planned_participants = 100
    rows = drafts.organ_quotas(program=program, by=organizer)  # on the first phase's first day
    assert [(row["organ"], row["new_secretaries"], row["quota"]) for row in rows] == [
        (organs[1], 4, 34), (organs[2], 2, 33), (organs[0], 1, 33)]


def test_report_draft_follows_the_seed_structure_with_the_programs_figures(channels, program, organizer):
    report = ArticlePage.objects.get(pk=drafts.report_draft(program=program, by=organizer).pk)
    assert not report.live and report.live_revision is None
    assert report.get_parent().pk == channels["report"].pk
    assert report.title == "2022年南阳市直机关新任党组织书记培训班在河南大别山干部学院举办"
    assert report.source == "中共南阳市委市直机关工委"
    assert timezone.localtime(report.published_at).date() == datetime.date(2022, 10, 21)  # the last phase's end
    blocks = [(block.block_type, str(block.value)) for block in report.body]
    assert [kind for kind, _value in blocks] == ["paragraph", "section", "paragraph"]  # no feedback yet
    text = "".join(value for _kind, value in blocks)
    for expected in ("共112名学员参加培训", "培训分两期进行，每期5天", "河南大别山干部学院",
                     "中共南阳市委市直机关工委组织", "培训共安排5学时，其中专题教学3学时、现场教学2学时"):
        assert expected in text, expected


def test_the_text_follows_the_program(channels, program, organizer, monkeypatch):
    program.planned_participants = 80
    program.contact_name = "王芳"
    program.save()
    phase = program.phases.get(number=2)
    phase.ends_on = datetime.date(2022, 10, 20)
    phase.save()
    report = drafts.report_draft(program=program, by=organizer)
    text = "".join(str(block.value) for block in report.body)
    assert "共80名学员参加培训" in text and "第一期5天、第二期4天" in text
    assert "联系人：王芳" in drafts.notice_draft(program=program, by=organizer).body
    monkeypatch.setattr(drafts, "feedback_lines", lambda program: ["学员普遍反映收获很大。"])
    again = drafts.report_draft(program=program, by=organizer)
    assert [block.block_type for block in again.body][-2:] == ["section", "paragraph"]
    assert again.slug != report.slug  # a second draft beside the first, never over it


def test_the_draft_buttons_open_the_draft_in_the_editor(client, channels, program, organizer):
    client.force_login(organizer)
    page = client.get(program.get_absolute_url()).content.decode()
    assert reverse("program_notice_draft", args=[program.pk]) in page
    assert reverse("program_report_draft", args=[program.pk]) in page
    response = client.post(reverse("program_report_draft", args=[program.pk]))
    report = ArticlePage.objects.get(slug__startswith=f"peixun-{program.pk}-baodao")
    assert response.status_code == 302 and response["Location"] == f"/cms/pages/{report.pk}/edit/"
    response = client.post(reverse("program_notice_draft", args=[program.pk]))
    notice = NoticePage.objects.get(slug__startswith=f"peixun-{program.pk}-tongzhi")
    assert response["Location"] == f"/cms/pages/{notice.pk}/edit/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get(notice.url or "/portal/tongzhi-gonggao/" + notice.slug + "/").status_code == 404  # a draft


def test_a_missing_channel_is_a_message_not_an_error(client, home, program, organizer):
    client.force_login(organizer)
    response = client.post(reverse("program_report_draft", args=[program.pk]), follow=True)
    assert response.redirect_chain[-1][0] == program.get_absolute_url()
    assert drafts.REPORT_CHANNEL_SLUG in response.content.decode()
    assert not ArticlePage.objects.exists()


@pytest.mark.parametrize("role", ["approver", "college_staff", "unit_admin", "instructor", "editor", "reviewer"])
def test_only_organizers_draft(client, channels, users_by_role, role, program):
    client.force_login(users_by_role[role])
    response = client.post(reverse("program_notice_draft", args=[program.pk]))
    assert response.status_code in (403, 404)
    assert not NoticePage.objects.exists()
    assert reverse("program_notice_draft", args=[program.pk]) not in client.get(
        program.get_absolute_url()).content.decode()
