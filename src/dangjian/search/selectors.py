"""Reads from the search index: ranked page ids for a query, and the result rows of one page of results.

Ranking: pages whose title has every query word first, then bm25 (SQLite, title weighted 10:1) or ts_rank
(PostgreSQL, title weight A, body B), then the newest.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dangjian.search.models import SearchEntry
from dangjian.search.segmenting import highlight_terms, query_groups

MAX_RESULTS = 500  # a query matching more than this is too vague to page through
SNIPPET_LENGTH = 160
SNIPPET_LEAD = 40


def _fts5_expression(groups: list[list[str]]) -> str:
    def phrase(term):
        return '"' + term.replace('"', '""') + '"'

    parts = []
    for word, *subwords in groups:
        if subwords:
            parts.append(f"({phrase(word)} OR ({' AND '.join(phrase(sub) for sub in subwords)}))")
        else:
            parts.append(phrase(word))
    return " AND ".join(parts)


def _tsquery_expression(groups: list[list[str]]) -> str:
    # Terms are word characters only (segmenting._words), so quoting them is enough.
    def lexeme(term):
        return "'" + term.replace("'", "''") + "'"

    parts = []
    for word, *subwords in groups:
        if subwords:
            parts.append(f"({lexeme(word)} | ({' & '.join(lexeme(sub) for sub in subwords)}))")
        else:
            parts.append(lexeme(word))
    return " & ".join(parts)


_SQLITE_QUERY = """
    SELECT e.id FROM search_searchentry_fts
    JOIN search_searchentry e ON e.id = search_searchentry_fts.rowid
    JOIN wagtailcore_page p ON p.id = e.page_id
    WHERE search_searchentry_fts MATCH %s AND p.live
    ORDER BY e.id IN (SELECT rowid FROM search_searchentry_fts WHERE search_searchentry_fts MATCH %s) DESC,
             bm25(search_searchentry_fts, 10.0, 1.0), e.published_at DESC, e.id DESC
    LIMIT %s
"""
_POSTGRESQL_QUERY = """
    SELECT e.id FROM search_searchentry e
    JOIN wagtailcore_page p ON p.id = e.page_id
    CROSS JOIN to_tsquery('simple', %s) q
    WHERE e.search_vector @@ q AND p.live
    ORDER BY to_tsvector('simple', e.title_tokens) @@ q DESC, ts_rank(e.search_vector, q) DESC,
             e.published_at DESC NULLS LAST, e.id DESC
    LIMIT %s
"""


def search_entry_ids(*, query: str, limit: int = MAX_RESULTS) -> list[int]:
    """SearchEntry ids of live pages matching every word of the query, best first (one query)."""
    groups = query_groups(query)
    if not groups:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_POSTGRESQL_QUERY, [_tsquery_expression(groups), limit])
        else:
            expression = _fts5_expression(groups)
            cursor.execute(_SQLITE_QUERY, [expression, f"title_tokens : ({expression})", limit])
        return [row[0] for row in cursor.fetchall()]


def search_entries(*, ids: list[int]) -> list[SearchEntry]:
    """The entries with these ids, in this order, with their pages (one query)."""
    by_id = {entry.pk: entry for entry in SearchEntry.objects.filter(pk__in=ids).select_related("page")}
    return [by_id[pk] for pk in ids if pk in by_id]


def _term_pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    # Latin words whole (as the index matches them); Chinese words anywhere.
    alternatives = [rf"(?<![^\W_]){re.escape(term)}(?![^\W_])" if term.isascii() else re.escape(term)
                    for term in terms]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _marked(text: str, pattern: re.Pattern | None) -> SafeString:
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


@dataclass
class SearchHit:
    entry: SearchEntry
    title: SafeString
    snippet: SafeString

    @property
    def page(self):
        return self.entry.page


def search_hits(*, entries: list[SearchEntry], query: str) -> list[SearchHit]:
    """Titles and snippets with the query's words in <mark> and everything else escaped."""
    pattern = _term_pattern(highlight_terms(query))
    english = (translation.get_language() or "").startswith("en")  # the English title where there is one
    hits = []
    for entry in entries:
        text = " ".join(entry.text.split())
        match = pattern.search(text) if pattern else None
        start = max(0, match.start() - SNIPPET_LEAD) if match else 0
        excerpt = text[start:start + SNIPPET_LENGTH]
        snippet = _marked(excerpt, pattern)
        if start > 0:
            snippet = mark_safe("…" + snippet)
        if start + SNIPPET_LENGTH < len(text):
            snippet = mark_safe(snippet + "…")
        title = entry.title_en if english and entry.title_en else entry.title
        hits.append(SearchHit(entry=entry, title=_marked(title, pattern), snippet=snippet))
    return hits
