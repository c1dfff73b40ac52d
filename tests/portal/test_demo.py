import pytest
from django.utils import timezone, translation

from dangjian.portal.demo import DEMO_PREFIX, SEED_SLUG, SEED_TITLE, SEED_TITLE_EN, load_portal
from dangjian.portal.models import ArticlePage, ChannelPage, HomePage, NoticePage, PortalItemPage
from tests.shared_world import rolled_back_at_the_end

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def first(django_db_setup, django_db_blocker):
    """The portal demo, loaded once for the module (rolled back after its last test): what load_portal said."""
    with rolled_back_at_the_end(django_db_blocker):
        yield load_portal()


def test_portal_demo_loads_the_seed_channels_and_article_and_is_idempotent(client, first):
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


def test_twenty_and_more_further_demo_items_across_the_channels(client, first):
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


def test_the_seed_article_in_english_is_the_text_as_given(client, first):
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
