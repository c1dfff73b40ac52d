"""Words of Wagtail's editor that its own zh-Hans catalog lacks, listed here so that `make translations`
(Django's makemessages) keeps our translations of them in our catalog, which comes first (LOCALE_PATHS).

Never imported: xgettext reads the calls below; Wagtail's templates and views ask for these words.
tests/core/test_translations.py checks that our translations do not change any word Wagtail does translate.
"""

from django.utils.translation import gettext_noop, ngettext


def _wagtail_words(total: int) -> None:  # pragma: no cover - read by xgettext, never run
    # wagtail/admin/views/home.py, wagtail/admin/templates/wagtailadmin/home/*.html
    gettext_noop("Search all pages…")
    gettext_noop("Privacy and access")
    gettext_noop("Wagtail %(current_version)s editor guide")
    # The dashboard's site summary (its only item: portal/wagtail_hooks.py)
    ngettext('%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
             '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>', total)
    # wagtail/admin/templates/wagtailadmin/pages/listing/_page_title_column_header.html
    gettext_noop("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s")
    gettext_noop("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s across entire site.")
    gettext_noop("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s in "
                 "'<span class=\"w-title-ellipsis\">%(title)s</span>'.")
    gettext_noop("No results across entire site.")
    gettext_noop("Search in '<span class=\"w-title-ellipsis\">%(title)s</span>'")
    gettext_noop("No results in '<span class=\"w-title-ellipsis\">%(title)s</span>'.")
