import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.portal.models import RelatedLink
from tests.portal.conftest import make_article, make_channel, make_notice

pytestmark = pytest.mark.django_db


def test_home_page_shows_channel_blocks_notices_and_the_highlighted_story(client, home, channel):
    notices = make_channel(home, "通知公告")
    article = make_article(channel, "南阳市直机关新任党组织书记培训班在大别山干部学院举办", summary="110余名")
    make_notice(notices, "关于举办培训班的通知")
    response = client.get("/portal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "党建动态" in html and "通知公告" in html
    assert "关于举办培训班的通知" in html
    assert response.context["featured"].pk == article.pk
    assert response.headers["Content-Security-Policy"].count("unsafe-inline") == 0


def test_home_page_shows_the_notices_once(client, home, channel):
    """The channel of notices (通知公告) is the notices block, with its "More" link, not a second block of
    the same items; other channels keep their blocks."""
    notices = make_channel(home, "通知公告")
    for title in ("关于举办培训班的通知", "关于报送统计数据的通知"):
        make_notice(notices, title)
    make_article(channel, "培训班举办")
    html = client.get("/portal/").content.decode()
    assert html.count("关于举办培训班的通知") == 2  # the notices block, and "latest"
    assert html.count('class="block-title"><span>通知公告</span>') == 1
    notices_block = html[html.index('id="notices-heading"'):html.index('class="latest"')]
    assert f'href="{notices.url}"' in notices_block
    assert f'id="channel-{channel.pk}"' in html and f'id="channel-{notices.pk}"' not in html


def test_article_page_shows_time_source_share_sections_and_related_links(client, home, channel):
    notice = make_notice(make_channel(home, "通知公告"), "关于举办培训班的通知")
    article = make_article(channel, "培训班举办", source="中共南阳市委市直机关工委", body=[
        {"type": "paragraph", "value": "<p>导语</p>"}, {"type": "section", "value": ""},
        {"type": "paragraph", "value": "<p>第一部分</p>"}, {"type": "section", "value": "收获"}],
        related_links=[RelatedLink(title="通知", link_page=notice), RelatedLink(title="外部", link_url="https://example.org/")])
    article.save_revision().publish()
    response = client.get(article.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2022-10-12" in html and "中共南阳市委市直机关工委" in html
    assert "一、" in html and "二、收获" in html
    assert "service.weibo.com/share/share.php?url=http%3A%2F%2Ftestserver%2Fportal%2F" in html
    assert "connect.qq.com/widget/shareqq" in html and 'class="share-copy"' in html
    assert f'href="{notice.url}"' in html and 'href="https://example.org/"' in html
    # Breadcrumbs: home, then the channel.
    assert f'<a href="{channel.url}">党建动态</a>' in html


def test_notice_page_shows_closing_date_and_attachments(client, channel, settings, tmp_path):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from dangjian.portal.models import NoticeAttachment

    settings.MEDIA_ROOT = tmp_path
    document = Document(title="推荐人选汇总表")
    document.file.save("template.xlsx", ContentFile(b"xlsx"), save=False)
    document.save()
    notice = make_notice(channel, "关于推荐的通知", body="<p>请各单位推荐。</p>",
                         closing_date=datetime.date(2022, 9, 30), attachments=[NoticeAttachment(document=document)])
    response = client.get(notice.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "2022-09-30" in html and "请各单位推荐。" in html
    assert "推荐人选汇总表" in html and "/cms-documents/" in html


def _get_counting(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_channel_list_is_paginated_newest_first_with_a_constant_query_count(client, settings, home, channel):
    settings.PORTAL_PAGE_SIZE = 2
    sub = make_channel(channel, "市县动态")
    make_article(sub, "最早", day=datetime.date(2022, 1, 1))
    client.get(channel.url)  # warm the site-root cache
    _response, one_item = _get_counting(client, channel.url)
    make_article(channel, "最新", day=datetime.date(2022, 12, 1))
    make_notice(sub, "中间", day=datetime.date(2022, 6, 1))
    response, three_items = _get_counting(client, channel.url)
    assert three_items == one_item
    titles = [item.title for item in response.context["page_obj"].object_list]
    assert titles == ["最新", "中间"]  # items of sub-channels included, newest first by publish time
    response = client.get(channel.url, {"page": 2})
    assert [item.title for item in response.context["page_obj"].object_list] == ["最早"]
    _response, home_queries = _get_counting(client, "/portal/")
    make_article(sub, "又一篇")
    _response, home_queries_later = _get_counting(client, "/portal/")
    assert home_queries_later == home_queries


def test_drafts_are_not_public(client, channel):
    article = make_article(channel, "已发布的标题")
    article.title = "尚未发布的修改"
    article.save_revision()  # a draft of a change: the public page keeps the published text
    html = client.get(article.url).content.decode()
    assert "已发布的标题" in html and "尚未发布的修改" not in html
    draft = make_article(channel, "草稿")
    draft.unpublish()
    assert client.get(draft.url).status_code == 404
    assert "草稿" not in client.get(channel.url).content.decode()


@pytest.mark.parametrize("role", ["organizer", "editor", "reviewer"])
def test_cms_is_open_to_portal_roles_and_linked_from_the_menu(client, users_by_role, role):
    client.force_login(users_by_role[role])
    assert client.get("/cms/").status_code == 200
    assert client.get("/cms/pages/", follow=True).status_code == 200  # opens at the portal home
    assert "/cms/" in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("role", ["participant", "unit_admin", "approver", "instructor", "college_staff"])
def test_cms_is_refused_to_other_roles(client, users_by_role, role):
    client.force_login(users_by_role[role])
    response = client.get("/cms/")
    assert response.status_code in (302, 403)
    assert 'href="/cms/"' not in client.get(reverse("home"), follow=True).content.decode()  # a participant: /my/


def test_cms_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/cms/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_cms_pages_have_the_wider_policy_and_the_portal_the_strict_one(client, users_by_role, home):
    client.force_login(users_by_role["editor"])
    cms = client.get("/cms/")
    assert "'unsafe-inline'" in cms.headers["Content-Security-Policy"]
    assert cms.headers["X-Frame-Options"] == "SAMEORIGIN"  # the editor's preview panel
    portal = client.get("/portal/")
    directives = dict(part.strip().split(" ", 1) for part in portal.headers["Content-Security-Policy"].split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in portal.headers["Content-Security-Policy"]
    assert portal.headers["X-Frame-Options"] == "DENY"
