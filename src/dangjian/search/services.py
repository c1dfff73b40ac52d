"""Writes to the search index: one SearchEntry per live, public article or notice.

Called from Wagtail's page_published / page_unpublished signals and post_delete (signals.py), and by
`dangjian portal_reindex`, which rebuilds everything (after an import, a restore or a migration).
"""

from html import unescape

from django.db import connection, transaction
from django.utils.html import strip_tags
from wagtail.models import Page

from dangjian.portal.models import ArticlePage, NoticePage
from dangjian.search.models import SearchEntry
from dangjian.search.segmenting import index_tokens

INDEXED_TYPES = (ArticlePage, NoticePage)


def _plain(html: str) -> str:
    return unescape(strip_tags(html or "")).strip()


def _join(parts) -> str:
    return "\n".join(part.strip() for part in parts if part and part.strip())


def page_text(page) -> str:
    """The readable text of an article or notice (for snippets): summary (unless the body repeats it) and body,
    the Chinese body first, then the English one where the page has one."""
    parts = []
    if isinstance(page, ArticlePage):
        for block in [*page.body, *(getattr(page, "body_en", None) or [])]:
            if block.block_type == "paragraph":
                parts.append(_plain(block.value.source))
            elif block.block_type == "section":
                parts.append(str(block.value or ""))
            elif block.block_type == "quote":
                parts.extend([block.value.get("text", ""), block.value.get("attribution", "")])
            elif block.block_type == "image":
                parts.append(block.value.get("caption", ""))
        body = _join(parts)
        if page.summary and page.summary.strip() not in body:
            return _join([page.summary, body])
        return body
    if isinstance(page, NoticePage):
        return _plain(page.body)
    return ""


def page_metadata(page) -> str:
    """What else a reader may search for but need not see in a snippet: source, author, tags, attachments."""
    parts = [page.source, getattr(page, "source_en", "")]
    if isinstance(page, ArticlePage):
        parts.append(page.author)
        parts.extend(tag.name for tag in page.tags.all())
    elif isinstance(page, NoticePage):
        parts.extend(attachment.label for attachment in page.attachments.all())
    return _join(parts)


def _indexable(page) -> bool:
    return isinstance(page, INDEXED_TYPES) and page.live and not page.get_view_restrictions().exists()


def search_entry_update(*, page: Page) -> SearchEntry | None:
    """Index the page as published (or drop it from the index when it is not live or not public)."""
    page = page.specific if not isinstance(page, INDEXED_TYPES) else page
    if not _indexable(page):
        search_entry_delete(page_id=page.pk)
        return None
    text = page_text(page)
    entry, _created = SearchEntry.objects.update_or_create(page_id=page.pk, defaults={
        "title": page.title[:255],
        "title_en": (getattr(page, "title_en", "") or "")[:255],
        "text": text,
        "title_tokens": index_tokens(" ".join(filter(None, [page.title, getattr(page, "title_en", "")]))),
        "body_tokens": index_tokens(_join([text, page_metadata(page)])),
        "published_at": page.published_at,
    })
    return entry


def search_entry_delete(*, page_id: int) -> None:
    SearchEntry.objects.filter(page_id=page_id).delete()


def search_index_rebuild() -> int:
    """Index every live article and notice again and drop the rest; returns the number indexed."""
    count = 0
    with transaction.atomic():
        live_ids = []
        for model in INDEXED_TYPES:
            for page in model.objects.live().public().prefetch_related(
                    *(["tags"] if model is ArticlePage else ["attachments__document"])):
                if search_entry_update(page=page):
                    live_ids.append(page.pk)
                    count += 1
        SearchEntry.objects.exclude(page_id__in=live_ids).delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:  # the FTS5 table from its content table, in case triggers were lost
                cursor.execute("INSERT INTO search_searchentry_fts(search_searchentry_fts) VALUES ('rebuild')")
    return count
