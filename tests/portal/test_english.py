"""The portal in English: channel names, item titles and breadcrumbs use the English text where there is one,
and the Chinese where there is none."""

import pytest

from tests.portal.conftest import make_article, make_channel

pytestmark = pytest.mark.django_db


def test_channel_names_follow_the_interface_language(client, home):
    trends = make_channel(home, "党建动态", title_en="Party building trends")
    local = make_channel(trends, "市县动态", title_en="City and County Dynamics")
    untranslated = make_channel(home, "理论学习")
    article = make_article(local, "培训班举办", title_en="The training was held")

    chinese = client.get(article.url).content.decode()
    assert "党建动态" in chinese and "市县动态" in chinese and "培训班举办" in chinese
    assert "Party building trends" not in chinese

    client.cookies["django_language"] = "en"
    english = client.get(article.url).content.decode()
    assert "Party building trends" in english  # menu and breadcrumbs
    assert "City and County Dynamics" in english and "The training was held" in english
    assert "理论学习" in english  # no English name: the Chinese one
    channel_page = client.get(local.url).content.decode()
    assert "City and County Dynamics" in channel_page and "The training was held" in channel_page
    assert untranslated.display_title == "理论学习"
