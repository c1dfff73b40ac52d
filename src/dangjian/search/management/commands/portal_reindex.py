from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dangjian.search.services import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the portal's full-text search index (live articles and notices)."

    def handle(self, *args, **options):
        count = search_index_rebuild()
        self.stdout.write(_("Indexed %(count)d pages.") % {"count": count})
