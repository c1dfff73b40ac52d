"""The portal's own full-text index for Chinese (and English) text.

Neither SQLite FTS5 nor PostgreSQL full-text search segments Chinese, and FTS5's trigram tokenizer finds
nothing for two-character words (书记, 南阳). So the text is segmented with jieba into space-separated tokens
here, and the database indexes those tokens as plain words:

- SQLite: an FTS5 virtual table ``search_searchentry_fts`` (tokenize='unicode61') with external content
  (this table), kept in sync by triggers (created in migration 0001);
- PostgreSQL: a stored generated ``tsvector`` column ``search_vector`` (the 'simple' configuration, title
  weighted A and body B) with a GIN index.

Neither the virtual table nor the column is a Django field: queries go through dangjian.search.selectors.
On SQLite, a migration that alters this table rebuilds it and drops the triggers: such a migration must
create them again (see migration 0001) and run `dangjian portal_reindex`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):  # 全文检索条目
    page = models.OneToOneField("wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE,
                                related_name="search_entry")
    title = models.CharField(_("title"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    text = models.TextField(_("text"), blank=True, help_text=_("Plain text of the page, for result snippets."))
    title_tokens = models.TextField(_("title tokens"), blank=True)
    body_tokens = models.TextField(_("body tokens"), blank=True)
    published_at = models.DateTimeField(_("publish time"), null=True, blank=True)
    indexed_at = models.DateTimeField(_("indexed at"), auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self):
        return self.title
