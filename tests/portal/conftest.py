import datetime
import itertools
import json

import pytest
from django.utils import timezone

from dangjian.portal.models import ArticlePage, ChannelPage, HomePage, NoticePage

_slugs = itertools.count(1)


def publish(parent, page):
    """Add `page` under `parent` and publish it through a revision, as editors do."""
    page.live = False
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_channel(parent, title="党建资讯", **fields):
    return publish(parent, ChannelPage(title=title, slug=f"channel-{next(_slugs)}", show_in_menus=True, **fields))


def make_article(channel, title="测试文章", day=datetime.date(2022, 10, 12), body=None, **fields):
    body = body if body is not None else [{"type": "paragraph", "value": "<p>正文</p>"}]
    published_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return publish(channel, ArticlePage(title=title, slug=f"article-{next(_slugs)}", published_at=published_at,
                                        body=json.dumps(body), **fields))


def make_notice(channel, title="测试通知", day=datetime.date(2022, 9, 20), **fields):
    published_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return publish(channel, NoticePage(title=title, slug=f"notice-{next(_slugs)}", published_at=published_at, **fields))


@pytest.fixture
def home(db):
    """The portal's home page, created by the migration as the default site's root."""
    return HomePage.objects.get()


@pytest.fixture
def channel(home):
    return make_channel(home, "党建动态")
