import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from dangjian.portal.demo import DEMO_PREFIX, SEED_SLUG, SEED_TITLE, SEED_TITLE_EN, load_portal
from dangjian.portal.models import ArticlePage, ChannelPage, HomePage, NoticePage, PortalItemPage

pytestmark = pytest.mark.django_db


def test_portal_demo_loads_the_seed_channels_and_article_and_is_idempotent(client):
    first = load_portal()
    assert first["created"] > 0
    home = HomePage.objects.get()
    chain = ["党建动态", "党建资讯", "市县动态"]
    seed = ArticlePage.objects.get(slug=SEED_SLUG)
    assert [page.title for page in seed.get_ancestors().filter(depth__gt=2)] == chain
    assert ChannelPage.objects.child_of(home).filter(title="通知公告").exists()
    assert seed.live and seed.title == SEED_TITLE and seed.live_revision is not None
    assert seed.source == "中共南阳市委市直机关工委" and seed.published_at.date().isoformat() == "2022-10-12"
    assert [number for _block, number in seed.numbered_body() if number] == ["一", "二"]
    html = client.get(seed.url).content.decode()
    assert "时间：" in html and "2022-10-12" in html and "大别山干部学院" in html
    assert client.get("/portal/").status_code == 200
    pages = ArticlePage.objects.count() + NoticePage.objects.count() + ChannelPage.objects.count()
    again = load_portal()
    assert again["created"] == 0
    assert ArticlePage.objects.count() + NoticePage.objects.count() + ChannelPage.objects.count() == pages
    assert again["report"] is None  # without the training demo there is no program to report


def test_twenty_and_more_further_demo_items_across_the_channels(client):
    load_portal()
    demo = PortalItemPage.objects.live().filter(slug__startswith=DEMO_PREFIX)
    assert demo.count() >= 20
    assert ArticlePage.objects.filter(slug__startswith=DEMO_PREFIX).exists()
    assert NoticePage.objects.filter(slug__startswith=DEMO_PREFIX).count() >= 4
    channels = {item.get_parent().slug for item in demo}
    assert channels == {"shixian-dongtai", "dangjian-zixun", "tongzhi-gonggao", "lilun-xuexi"}
    for item in demo:
        assert item.title and item.source and item.published_at < timezone.now()
    for channel in ChannelPage.objects.all():
        assert client.get(channel.url).status_code == 200


def test_the_seed_article_in_english_is_the_text_as_given(client):
    load_portal()
    seed = ArticlePage.objects.get(slug=SEED_SLUG)
    with translation.override("en"):
        assert seed.display_title == SEED_TITLE_EN
        assert seed.display_source == "Working Committee of Organs Directly under the CPC Nanyang Municipal Committee"
        assert [number for _block, number in seed.numbered_body() if number] == ["one", "two"]
    with translation.override("zh-hans"):
        assert seed.display_title == SEED_TITLE
    client.cookies["django_language"] = "en"
    html = client.get(seed.url).content.decode()
    assert "more than 110 new party organization secretaries" in html and "Dabie Mountain Trunk College" in html
    assert "市直机关110余名新任党组织书记参加培训" not in html


def test_loaddemo_drafts_the_report_of_the_demo_program(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("loaddemo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from dangjian.demo.training import demo_program

    program = demo_program()
    report = ArticlePage.objects.get(slug__startswith=f"peixun-{program.pk}-baodao")
    assert not report.live and report.live_revision is None and report.latest_revision is not None
    assert report.get_parent().slug == "shixian-dongtai"
    text = "".join(str(block.value) for block in report.body)
    assert f"共{program.planned_participants}名学员参加培训" in text and "培训分两期进行" in text
    assert report.source == program.organizer.name_zh
    call_command("loaddemo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert ArticlePage.objects.filter(slug__startswith=f"peixun-{program.pk}-baodao").count() == 1
