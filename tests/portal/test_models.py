import pytest
from wagtail.models import Page

from dangjian.portal.models import ArticlePage, ChannelPage, HomePage, NoticePage, PortalItemPage, chinese_numeral
from tests.portal.conftest import make_article

pytestmark = pytest.mark.django_db


def test_chinese_numerals():
    assert [chinese_numeral(n) for n in (1, 2, 9, 10, 11, 12, 20, 21, 99)] == [
        "一", "二", "九", "十", "十一", "十二", "二十", "二十一", "九十九"]


def test_page_type_rules():
    assert HomePage.allowed_subpage_models() == [ChannelPage]
    assert set(ChannelPage.allowed_subpage_models()) == {ChannelPage, ArticlePage, NoticePage}
    assert ArticlePage.allowed_subpage_models() == []
    assert NoticePage.allowed_subpage_models() == []
    assert ChannelPage.allowed_parent_page_models() == [HomePage, ChannelPage]
    assert ArticlePage.allowed_parent_page_models() == [ChannelPage]
    assert NoticePage.allowed_parent_page_models() == [ChannelPage]
    assert not PortalItemPage.is_creatable


def test_page_type_rules_against_a_tree(home, channel):
    root = Page.get_first_root_node()
    assert HomePage.can_create_at(root) is False  # one home page (max_count = 1)
    assert ChannelPage.can_create_at(home) and ChannelPage.can_create_at(channel)
    assert ArticlePage.can_create_at(channel) and NoticePage.can_create_at(channel)
    assert not ArticlePage.can_create_at(home)
    article = make_article(channel)
    assert not ChannelPage.can_create_at(article) and not ArticlePage.can_create_at(article)


def test_sections_are_numbered_in_order_of_appearance(channel):
    article = make_article(channel, body=[
        {"type": "paragraph", "value": "<p>导语</p>"},
        {"type": "section", "value": "基本情况"},
        {"type": "paragraph", "value": "<p>一段</p>"},
        {"type": "quote", "value": {"text": "引文", "attribution": ""}},
        {"type": "section", "value": ""},
        {"type": "section", "value": "下一步"},
    ])
    numbers = [(block.block_type, number) for block, number in article.numbered_body()]
    assert numbers == [("paragraph", ""), ("section", "一"), ("paragraph", ""), ("quote", ""), ("section", "二"),
                       ("section", "三")]
