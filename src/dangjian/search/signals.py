"""Keep the search index current as pages are published, unpublished and deleted."""

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished


def _published(sender, instance, **kwargs):
    from dangjian.search.services import INDEXED_TYPES, search_entry_update

    if isinstance(instance, INDEXED_TYPES):
        search_entry_update(page=instance)


def _unpublished(sender, instance, **kwargs):
    from dangjian.search.services import search_entry_delete

    search_entry_delete(page_id=instance.pk)


def _deleted(sender, instance, **kwargs):
    # The entry goes with its page (on_delete=CASCADE); this covers deletions that bypass the cascade.
    if isinstance(instance, Page) and instance.pk is not None:
        from dangjian.search.services import search_entry_delete

        search_entry_delete(page_id=instance.pk)


def connect():
    page_published.connect(_published, dispatch_uid="dangjian.search.published")
    page_unpublished.connect(_unpublished, dispatch_uid="dangjian.search.unpublished")
    post_delete.connect(_deleted, dispatch_uid="dangjian.search.deleted")
