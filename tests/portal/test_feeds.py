"""RSS 2.0 and Atom per channel (its items and its sub-channels' items, newest first, 20), sitemap.xml."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.portal.conftest import make_article, make_channel, make_notice

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(queries)


def test_rss_feed_has_the_channel_and_sub_channel_items_newest_first(client, home, channel):
    sub = make_channel(channel, "市县动态")
    make_article(sub, "南阳培训班举办", day=datetime.date(2022, 10, 12), summary="110余名新任党组织书记参加培训",
                 source="中共南阳市委市直机关工委")
    make_notice(channel, "关于举办培训班的通知", day=datetime.date(2022, 9, 20), body="<p>请各单位&amp;推荐。</p>")
    draft = make_article(channel, "草稿文章", day=datetime.date(2022, 12, 1))
    draft.unpublish()
    make_article(make_channel(home, "其他栏目"), "别的栏目的文章")
    response = client.get(f"/portal/feeds/{channel.pk}/rss.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    assert root.findtext("channel/title").startswith("党建动态")
    items = root.findall("channel/item")
    assert [item.findtext("title") for item in items] == ["南阳培训班举办", "关于举办培训班的通知"]
    first = items[0]
    assert first.findtext("link").startswith("http://testserver/portal/")
    assert first.findtext("description") == "110余名新任党组织书记参加培训"
    assert "12 Oct 2022" in first.findtext("pubDate")
    assert items[1].findtext("description") == "请各单位&推荐。"


def test_atom_feed(client, channel):
    make_article(channel, "南阳培训班举办")
    response = client.get(f"/portal/feeds/{channel.pk}/atom.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["南阳培训班举办"]
    assert entries[0].find(f"{ATOM}link").get("href").startswith("http://testserver/portal/")


def test_feeds_hold_twenty_items_with_a_constant_query_count(client, channel):
    # One article and one notice at first: the items are loaded with one query per page type.
    make_article(channel, "第一篇", day=datetime.date(2022, 1, 1))
    make_notice(channel, "第一则", day=datetime.date(2022, 1, 2))
    client.get(f"/portal/feeds/{channel.pk}/rss.xml")  # warm the site-root cache
    _response, one_item = _get(client, f"/portal/feeds/{channel.pk}/rss.xml")
    for day in range(1, 23):
        (make_article if day % 2 else make_notice)(channel, f"第{day}条", day=datetime.date(2022, 3, day))
    response, many = _get(client, f"/portal/feeds/{channel.pk}/rss.xml")
    assert many == one_item
    titles = [item.findtext("title") for item in ET.fromstring(response.content).findall("channel/item")]
    assert len(titles) == 20 and titles[0] == "第22条"


def test_feed_of_a_missing_or_unpublished_channel_is_404(client, home, channel):
    assert client.get("/portal/feeds/999999/rss.xml").status_code == 404
    assert client.get(f"/portal/feeds/{home.pk}/rss.xml").status_code == 404  # not a channel
    channel.unpublish()
    assert client.get(f"/portal/feeds/{channel.pk}/atom.xml").status_code == 404


def test_channel_page_links_its_feeds(client, channel):
    html = client.get(channel.url).content.decode()
    assert f'href="/portal/feeds/{channel.pk}/rss.xml"' in html
    assert f'href="/portal/feeds/{channel.pk}/atom.xml"' in html


def test_sitemap_lists_live_portal_pages_only(client, home, channel):
    article = make_article(channel, "已发布")
    draft = make_article(channel, "草稿")
    draft.unpublish()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [url.findtext(f"{ns}loc") for url in root.findall(f"{ns}url")]
    root_url = home.get_site().root_url  # the Site record's address, as Wagtail's full URLs
    assert f"{root_url}/portal/" in locations
    assert f"{root_url}{channel.url}" in locations and f"{root_url}{article.url}" in locations
    assert f"{root_url}{draft.url}" not in locations
    lastmods = {url.findtext(f"{ns}loc"): url.findtext(f"{ns}lastmod") for url in root.findall(f"{ns}url")}
    assert lastmods[f"{root_url}{article.url}"]


def test_sitemap_query_count_does_not_grow_with_the_pages(client, home, channel):
    make_article(channel, "文章一")
    make_notice(channel, "通知一")
    client.get("/sitemap.xml")
    _response, few = _get(client, "/sitemap.xml")
    for number in range(2, 6):
        make_article(channel, f"文章{number}")
        make_notice(make_channel(home, f"栏目{number}"), f"通知{number}")
    response, many = _get(client, "/sitemap.xml")
    assert many == few
    assert response.content.decode().count("<url>") == 1 + 1 + 2 + 4 * 3  # home, channel and its 2 items, 4 × 3 more
