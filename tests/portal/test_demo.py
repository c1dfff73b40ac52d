import pytest

from dangjian.portal.demo import SEED_SLUG, SEED_TITLE, load_portal
from dangjian.portal.models import ArticlePage, ChannelPage, HomePage, NoticePage

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
    assert 6 <= ArticlePage.objects.live().count() + NoticePage.objects.live().count() - 1 <= 10
    html = client.get(seed.url).content.decode()
    assert "时间：" in html and "2022-10-12" in html and "大别山干部学院" in html
    assert client.get("/portal/").status_code == 200
    pages = ArticlePage.objects.count() + NoticePage.objects.count() + ChannelPage.objects.count()
    again = load_portal()
    assert again["created"] == 0
    assert ArticlePage.objects.count() + NoticePage.objects.count() + ChannelPage.objects.count() == pages
