"""The public portal's page cache (dangjian.portal.cache): hits, invalidation on publish / unpublish / move /
delete, no drafts and no previews, per language, and what is never cached."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dangjian.portal.cache import HEADER
from tests.portal.conftest import make_article, make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PORTAL_CACHE_SECONDS = 300  # tests/conftest.py turns it off elsewhere; the change empties it


def _get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response, response.content.decode()


def test_second_request_is_a_hit_without_queries_whatever_the_data(client, home, channel):
    make_article(channel, "第一篇")
    first, _html = _get(client, channel.url)
    assert first[HEADER] == "miss"
    with CaptureQueriesContext(connection) as one_item:
        hit, html = _get(client, channel.url)
    assert hit[HEADER] == "hit" and "第一篇" in html
    make_article(channel, "第二篇")
    make_article(channel, "第三篇")
    assert _get(client, channel.url)[0][HEADER] == "miss"
    with CaptureQueriesContext(connection) as three_items:
        hit, html = _get(client, channel.url)
    assert hit[HEADER] == "hit" and "第三篇" in html
    assert len(one_item) == len(three_items) == 0
    # The middleware still runs on a hit: strict policy, language header.
    assert "unsafe-inline" not in hit["Content-Security-Policy"] and hit["Content-Language"] == "zh-hans"


def test_publishing_a_change_is_visible_at_once(client, home, channel):
    article = make_article(channel, "原标题")
    _get(client, article.url)
    _get(client, channel.url)
    article.title = "新标题"
    article.save_revision().publish()
    assert "新标题" in _get(client, article.url)[1]
    assert "新标题" in _get(client, channel.url)[1]
    assert "新标题" in _get(client, "/portal/")[1]


def test_a_draft_is_never_shown_and_unpublishing_removes_the_page_at_once(client, home, channel):
    article = make_article(channel, "已发布的标题")
    _get(client, article.url)
    article.title = "尚未发布的修改"
    article.save_revision()  # a draft: the cached and the fresh page keep the published text
    assert "尚未发布的修改" not in _get(client, article.url)[1]
    assert "尚未发布的修改" not in _get(client, channel.url)[1]
    article.refresh_from_db()
    article.unpublish()
    assert client.get(article.url).status_code == 404
    assert "已发布的标题" not in _get(client, channel.url)[1]


def test_moving_and_deleting_invalidate(client, home, channel):
    other = make_channel(home, "理论学习")
    article = make_article(channel, "要移动的文章")
    _get(client, channel.url)
    _get(client, other.url)
    article.move(other, pos="last-child")
    assert "要移动的文章" not in _get(client, channel.url)[1]
    assert "要移动的文章" in _get(client, other.url)[1]
    article.refresh_from_db()
    article.delete()
    assert "要移动的文章" not in _get(client, other.url)[1]


def test_cached_per_language(client, home, channel):
    make_article(channel, "测试文章")
    chinese = _get(client, channel.url)[1]
    client.cookies["django_language"] = "en"
    english_response, english = _get(client, channel.url)
    assert english_response[HEADER] == "miss" and english_response["Content-Language"] == "en"
    assert "You are here:" in english and "You are here:" not in chinese


def test_each_visitor_gets_their_own_csrf_token(home):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    _get(first, "/portal/")
    hit = second.get("/portal/")
    assert hit[HEADER] == "hit"
    token = hit.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert "@@" not in token and "csrftoken" in hit.cookies
    # The cached page's language switcher works for the second visitor.
    response = second.post("/i18n/setlang/", {"language": "en", "next": "/portal/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_signed_in_users_and_messages_bypass_the_cache(client, home, channel, users_by_role):
    make_article(channel, "测试文章")
    _get(client, channel.url)
    editor = Client()
    editor.force_login(users_by_role["editor"])
    assert editor.get(channel.url)[HEADER] == "bypass"
    with_messages = Client()
    storage = CookieStorage(type("Request", (), {"COOKIES": {}})())
    storage.add(constants.INFO, "你好")
    from django.http import HttpResponse

    carrier = HttpResponse()
    storage.update(carrier)
    with_messages.cookies["messages"] = carrier.cookies["messages"].value
    assert with_messages.get(channel.url)[HEADER] == "bypass"


def test_previews_are_never_cached(client, home, channel, users_by_role):
    article = make_article(channel, "已发布")
    _get(client, article.url)
    editor = Client()
    editor.force_login(users_by_role["organizer"])
    article.title = "预览中的草稿"
    article.save_revision()
    preview = editor.get(f"/cms/pages/{article.pk}/view_draft/")
    assert preview.status_code == 200 and "预览中的草稿" in preview.content.decode()
    assert HEADER not in preview
    public, html = _get(client, article.url)
    assert public[HEADER] == "hit" and "预览中的草稿" not in html


def test_zero_seconds_turns_the_cache_off(client, home, settings):
    settings.PORTAL_CACHE_SECONDS = 0
    _get(client, "/portal/")
    assert client.get("/portal/")[HEADER] == "bypass"


def test_password_protected_pages_are_never_stored_nor_served_from_the_cache(client, home, channel):
    from wagtail.models import PageViewRestriction

    article = make_article(channel, "内部文章")
    restriction = PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.PASSWORD,
                                                     password="secret")
    form = client.get(article.url)
    assert form[HEADER] == "miss" and "内部文章" not in form.content.decode()
    assert client.get(article.url)[HEADER] == "miss"  # the password form (no-store) was not kept
    response = client.post(f"/portal/_util/authenticate_with_password/{restriction.pk}/{article.pk}/",
                           {"password": "secret", "return_url": article.url})
    assert response.status_code == 302
    passed = client.get(article.url)
    assert passed[HEADER] == "bypass" and "内部文章" in passed.content.decode()
    assert Client().get(article.url)[HEADER] == "miss"  # another visitor still gets the form, not the page
    assert "内部文章" not in Client().get(article.url).content.decode()


def test_only_gets_use_the_cache(client, home):
    _get(client, "/portal/")
    assert client.head("/portal/")[HEADER] == "bypass"
