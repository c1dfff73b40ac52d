"""Chinese search: jieba-segmented tokens in an FTS5 table (SQLite) or a tsvector column (PostgreSQL).

Runs on both databases: DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_p2 pytest tests/search
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.search.models import SearchEntry
from dangjian.search.segmenting import index_tokens, query_groups
from dangjian.search.selectors import search_entries, search_entry_ids, search_hits
from tests.portal.conftest import make_article, make_notice

pytestmark = pytest.mark.django_db

SEED_TITLE = "南阳市直机关新任党组织书记培训班在大别山干部学院举办"
SEED_BODY = [
    {"type": "paragraph", "value": "<p>为全面提升南阳市直机关党员干部党性观念，近日，"
                                   "南阳市直机关党员干部党性教育培训在大别山干部学院举办，"
                                   "市直机关110余名新任党组织书记参加培训。</p>"},
    {"type": "section", "value": ""},
    {"type": "paragraph", "value": "<p>此次培训由南阳市委市直机关工委报经市委批准举办。</p>"},
]


def titles(query):
    return [entry.title for entry in search_entries(ids=search_entry_ids(query=query))]


def test_jieba_segments_words_and_their_sub_words():
    tokens = index_tokens(SEED_TITLE).split()
    assert {"南阳", "市直机关", "党组织", "书记", "大别山", "干部", "学院"} <= set(tokens)
    assert index_tokens("Party Building, COVID-19!").split() == ["party", "building", "covid", "19"]
    assert query_groups("大别山 书记")[0][0] == "大别山"
    assert query_groups("，。！") == []


@pytest.mark.parametrize("term", ["党建", "书记", "南阳", "大别山"])
def test_finds_articles_by_two_and_three_character_chinese_terms(channel, term):
    make_article(channel, SEED_TITLE, body=SEED_BODY)
    make_article(channel, "机关党建工作会议召开", body=[{"type": "paragraph", "value": "<p>会议部署党建工作。</p>"}])
    make_article(channel, "无关的文章", body=[{"type": "paragraph", "value": "<p>天气晴朗。</p>"}])
    found = titles(term)
    assert found, term
    assert "无关的文章" not in found
    if term in ("书记", "大别山", "南阳"):
        assert found == [SEED_TITLE]


def test_finds_english_words_case_insensitively_and_notices_too(channel):
    make_article(channel, "Party building news",
                 body=[{"type": "paragraph", "value": "<p>The Dabie Mountain college.</p>"}])
    make_notice(channel, "关于举办培训班的通知", body="<p>Training of new Party secretaries.</p>")
    assert set(titles("PARTY")) == {"Party building news", "关于举办培训班的通知"}
    assert titles("dabie mountain") == ["Party building news"]
    assert titles("part") == []  # whole words, as the index holds them


def test_a_term_only_in_a_draft_is_not_found(channel):
    article = make_article(channel, "已发布的文章", body=[{"type": "paragraph", "value": "<p>公开的内容</p>"}])
    article.body = '[{"type": "paragraph", "value": "<p>草稿里的秘密词汇鸿雁</p>"}]'
    article.save_revision()  # a draft of a change, not published
    draft = make_article(channel, "未发布的草稿", body=[{"type": "paragraph", "value": "<p>草稿鸿雁</p>"}])
    draft.unpublish()
    assert titles("鸿雁") == []
    assert titles("公开") == ["已发布的文章"]


def test_title_matches_rank_first_then_relevance(channel):
    body_only = make_article(channel, "工作动态", day=datetime.date(2022, 12, 1),
                             body=[{"type": "paragraph", "value": "<p>书记书记书记谈学习。</p>"}])
    in_title = make_article(channel, "党组织书记培训", day=datetime.date(2022, 1, 1),
                            body=[{"type": "paragraph", "value": "<p>培训。</p>"}])
    once = make_article(channel, "简讯", day=datetime.date(2022, 12, 2),
                        body=[{"type": "paragraph",
                               "value": "<p>参加会议的有书记和委员，还有许多许多其他的同志参加了这次会议。</p>"}])
    assert titles("书记") == [in_title.title, body_only.title, once.title]


def test_index_follows_publish_unpublish_and_delete(channel):
    article = make_article(channel, "书记讲党课")
    assert titles("党课") == ["书记讲党课"]
    article.title = "书记讲专题党课"
    article.save_revision().publish()
    assert titles("专题") == ["书记讲专题党课"]
    article.unpublish()
    assert titles("党课") == [] and not SearchEntry.objects.exists()
    article.save_revision().publish()
    assert titles("党课") == ["书记讲专题党课"]
    article.delete()
    assert titles("党课") == [] and not SearchEntry.objects.exists()


def test_reindex_command_rebuilds_the_index(channel):
    make_article(channel, "南阳机关党建")
    make_notice(channel, "关于南阳培训的通知")
    make_article(channel, "未发布的南阳草稿").unpublish()
    SearchEntry.objects.all().delete()
    assert titles("南阳") == []
    out = io.StringIO()
    call_command("portal_reindex", stdout=out)
    assert out.getvalue().strip() in {"Indexed 2 pages.", "已索引 2 个页面。"}  # the live pages only
    assert sorted(titles("南阳")) == sorted(["南阳机关党建", "关于南阳培训的通知"])
    assert SearchEntry.objects.count() == 2


def test_snippets_mark_the_terms_and_escape_everything_else(channel):
    make_article(channel, "书记<b>访谈</b>", body=[{"type": "paragraph", "value":
                 "<p>" + "前文" * 40 + "党组织书记&lt;script&gt;参加培训。</p>"}])
    hit = search_hits(entries=search_entries(ids=search_entry_ids(query="书记")), query="书记")[0]
    assert str(hit.title) == "<mark>书记</mark>&lt;b&gt;访谈&lt;/b&gt;"
    assert "党组织<mark>书记</mark>&lt;script&gt;参加培训" in hit.snippet
    assert hit.snippet.startswith("…") and "<script>" not in hit.snippet


def _get(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, len(queries)


def test_search_page_is_paginated_with_a_constant_query_count(client, channel):
    make_article(channel, "书记一")
    client.get("/portal/search/", {"q": "书记"})  # warm caches (site root, content types, jieba)
    response, one_hit = _get(client, "/portal/search/", q="书记")
    assert "<mark>书记</mark>一" in response.content.decode()
    for number in range(2, 13):
        make_notice(channel, f"书记通知{number}", day=datetime.date(2022, 9, number))
    response, many_hits = _get(client, "/portal/search/", q="书记")
    assert many_hits == one_hit
    html = response.content.decode()
    assert "12 results" in html or "12 个结果" in html or response.context["page_obj"].paginator.count == 12
    assert len(response.context["hits"]) == 10
    response, _queries = _get(client, "/portal/search/", q="书记", page=2)
    assert len(response.context["hits"]) == 2
    assert "q=%E4%B9%A6%E8%AE%B0&amp;page=1" in response.content.decode()
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_search_page_without_a_query_or_results(client, home):
    response = client.get("/portal/search/")
    assert response.status_code == 200 and response.context["hits"] == []
    response = client.get("/portal/search/", {"q": "不存在的词语"})
    assert response.status_code == 200 and response.context["page_obj"].paginator.count == 0


def test_source_and_tags_are_searchable_but_stay_out_of_snippets(channel):
    article = make_article(channel, "培训简讯", source="中共南阳市委市直机关工委", summary="正文的摘要",
                           body=[{"type": "paragraph", "value": "<p>正文的摘要</p>"}])
    article.tags.add("红色教育")
    article.save_revision().publish()
    assert titles("工委") == ["培训简讯"] and titles("红色教育") == ["培训简讯"]
    assert SearchEntry.objects.get().text == "正文的摘要"  # the summary repeated by the body: once


def test_search_box_include_for_the_masthead(rf):
    from django.template.loader import render_to_string

    html = render_to_string("search/_search_box.html", {"query": "书记<"}, request=rf.get("/portal/"))
    assert 'action="/portal/search/"' in html and 'value="书记&lt;"' in html


def test_english_interface_shows_the_english_title(client, channel):
    make_article(channel, "南阳培训班举办", title_en="Nanyang training held")
    hit_titles = lambda: [str(hit.title) for hit in client.get("/portal/search/", {"q": "training"}).context["hits"]]  # noqa: E731
    assert hit_titles() == ["南阳培训班举办"]
    client.cookies["django_language"] = "en"
    assert hit_titles() == ["Nanyang <mark>training</mark> held"]
